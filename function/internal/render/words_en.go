package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

var english = words{
	states: map[alarm.State]string{alarm.StateAlarm: "ALARM", alarm.StateOK: "OK", alarm.StateInsufficientData: "INSUFFICIENT_DATA"},
	state:  "State", api: "API", stage: "Stage", metric: "Metric", dimensions: "Dimensions",
	expression: "Expression", triggeredBy: "Triggered by", region: "Region", account: "Account",
	time: "Time (%s)", observed: "Observed", observedInline: "observed", notification: "SNS notification", openConsole: "Open in CloudWatch",
	trend: "Last hour", expectedAtMost: "expected at most %s", expectedAtLeast: "expected at least %s",
	trendMin: "min", trendMax: "max", trendThreshold: "threshold",
	runbook: "Runbook", dashboard: "Dashboard", link: "Link",
	condition: englishCondition,

	resolvedAfter:  "Resolved after %s",
	openSince:      "Open since %s (%s) · history in the thread",
	was:            "was %s",
	late:           "%s at %s, received late: the message above shows a newer state",
	stillIn:        "Still in %s for %s (since %s)",
	reminderFor:    "%s is still in %s for %s (since %s)",
	lessThanMinute: "less than a minute", minutes: "%d min", hours: "%d h", days: "%d d", twoUnits: "%s %s",
}

// englishCondition: "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "Sum Count above
// the expected band (2 standard deviations) for 1 of 1 periods of 5 minutes", "Composite rule: …".
func englishCondition(a *alarm.Alarm) string {
	if a.Shape == alarm.ShapeComposite {
		if a.Rule == "" {
			return "Composite alarm"
		}
		return "Composite rule: " + a.Rule
	}
	var s strings.Builder
	s.Grow(96)
	s.WriteString(measuredName(a, "metric math"))
	s.WriteString(" ")
	if a.Operator.Band() {
		s.WriteString(englishBands[a.Operator] + " the expected band (")
		switch {
		case a.BandWidth == "1":
			s.WriteString("1 standard deviation)")
		case a.BandWidth != "":
			s.WriteString(a.BandWidth + " standard deviations)")
		default:
			s.WriteString(a.BandExpression + ")")
		}
	} else {
		s.WriteString(comparison(a, "its threshold"))
	}
	w := a.Window
	switch {
	case w.Evaluations > 0 && w.Period > 0:
		fmt.Fprintf(&s, " for %d of %d periods of %s", w.Datapoints, w.Evaluations, englishDuration(w.Period))
	case w.Evaluations > 0:
		fmt.Fprintf(&s, " for %d of %d periods", w.Datapoints, w.Evaluations)
	case w.Period > 0:
		s.WriteString(" over " + englishDuration(w.Period))
	}
	return s.String()
}

var englishBands = map[alarm.Operator]string{alarm.OutsideBand: "outside", alarm.AboveBand: "above", alarm.BelowBand: "below"}

// englishDuration words a period in seconds: "10 seconds", "1 minute", "5 minutes", "1 hour", "1 day".
func englishDuration(seconds int64) string {
	units := []struct {
		size int64
		name string
	}{{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}}
	for _, u := range units {
		if seconds%u.size == 0 {
			n := seconds / u.size
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatInt(n, 10) + " " + u.name + "s"
		}
	}
	return strconv.FormatInt(seconds, 10) + " seconds"
}
