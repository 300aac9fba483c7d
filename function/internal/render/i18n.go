package render

import (
	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Language is the language of a message's own words. CloudWatch's reason text and the alarm's
// name and description stay as they were written. It is relayconfig's, which parses LANGUAGE
// (the one place that does): a configured language needs no conversion to be rendered.
type Language = relayconfig.Language

// The supported languages.
const (
	English = relayconfig.English
	Korean  = relayconfig.Korean
)

// words are one language's: labels, and the sentences an alarm's facts are worded in. Each
// language has its own file (words_en.go, words_ko.go), written in that language, not translated
// from another at run time.
type words struct {
	states                                   map[alarm.State]string
	state, api, stage, metric, dimensions    string
	expression, triggeredBy, region, account string
	time                                     string // "Time (%s)"
	observed, observedInline, notification   string
	openConsole, trend                       string
	expectedAtMost, expectedAtLeast          string // "expected at most %s"
	trendMin, trendMax, trendThreshold       string
	runbook, dashboard, link                 string
	// condition words what crossed what: "Average Latency > 300 ms for 1 of 1 periods of 5 minutes".
	condition func(a *alarm.Alarm) string

	// A Slack app incident's own lines (IncidentLines).
	resolvedAfter                  string // "Resolved after %s"
	openSince                      string // "Open since %s (%s) · history in the thread"
	was                            string // "was %s"
	late                           string // "%s at %s, received late: the message above shows a newer state"
	stillIn                        string // "Still in %s for %s (since %s)"
	reminderFor                    string // "%s is still in %s for %s (since %s)"
	lessThanMinute                 string
	minutes, hours, days, twoUnits string // "%d min", "%d h", "%d d", "%s %s" (2 h 10 min)
}

var languages = map[Language]*words{
	English: &english,
	Korean:  &korean,
}

func wordsFor(l Language) *words {
	if w, ok := languages[l]; ok {
		return w
	}
	return languages[English]
}
