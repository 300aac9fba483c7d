package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// WindowSummary is what a maintenance window held, told once at its end: which alarms changed
// while notifications were held, and where each of its alarms is now.
type WindowSummary struct {
	Window     string
	Start, End time.Time      // the hold that just ended (from its first window's start)
	Location   *time.Location // the window's zone: its times are shown there
	Changed    int            // alarms whose state changed inside the window
	StillAlarm []SummaryAlarm // in ALARM now, changed inside the window or before it
	BackToOK   []SummaryAlarm // changed inside the window, OK now
	NoData     []SummaryAlarm // changed inside the window, INSUFFICIENT_DATA now
}

// SummaryAlarm is one alarm of a summary.
type SummaryAlarm struct {
	Name  string
	Since time.Time // when it entered its current state
}

// Quiet tells a window after which there is nothing to say: nothing changed and nothing is in
// ALARM.
func (s WindowSummary) Quiet() bool { return s.Changed == 0 && len(s.StillAlarm) == 0 }

// summaryNames is how many alarms a line names before it counts the rest.
const summaryNames = 10

// windowWords are one language's words for a window's summary.
type windowWords struct {
	title    string // "Maintenance window %s ended"
	changed  func(n int) string
	quiet    string                         // nothing changed (but something is still in ALARM)
	still    string                         // "Still in ALARM: %s."
	stillOne string                         // "%s since %s"
	backOK   string                         // "Back to OK: %d (%s)."
	noData   string                         // "No data: %d (%s)."
	more     string                         // "and %d more"
	window   string                         // fact label "Window"
	span     func(start, end string) string // "02:00–04:00 KST"
}

var windowLanguages = map[Language]windowWords{
	English: {
		title: "Maintenance window %s ended",
		changed: func(n int) string {
			if n == 1 {
				return "1 alarm changed while its notifications were held."
			}
			return fmt.Sprintf("%d alarms changed while their notifications were held.", n)
		},
		quiet:    "No alarm changed during the window.",
		still:    "Still in ALARM: %s.",
		stillOne: "%s since %s",
		backOK:   "Back to OK: %d (%s).",
		noData:   "No data: %d (%s).",
		more:     "and %d more",
		window:   "Window",
		span:     func(start, end string) string { return start + " – " + end },
	},
	Korean: {
		title: "점검 시간 %s 종료",
		changed: func(n int) string {
			return fmt.Sprintf("알림을 보류한 동안 경보 %d개의 상태가 바뀌었습니다.", n)
		},
		quiet:    "점검 시간 동안 상태가 바뀐 경보는 없습니다.",
		still:    "아직 경보 상태: %s.",
		stillOne: "%s (%s부터)",
		backOK:   "정상으로 돌아옴: %d개 (%s).",
		noData:   "데이터 부족: %d개 (%s).",
		more:     "외 %d개",
		window:   "점검 시간",
		span:     func(start, end string) string { return start + " ~ " + end },
	},
}

// RenderWindowSummary builds the payload of a window's summary for the messenger: the same view
// as an alarm's (title, headline, facts), red while something is still in ALARM, green otherwise.
func RenderWindowSummary(m Messenger, s WindowSummary, opts Options) ([]byte, error) {
	p, err := BuildWindowSummary(m, s, opts)
	if err != nil {
		return nil, err
	}
	return p.JSON()
}

// BuildWindowSummary is RenderWindowSummary without encoding (Payload.JSON does, once).
func BuildWindowSummary(m Messenger, s WindowSummary, opts Options) (Payload, error) {
	v := windowView(s, opts)
	var payload any
	switch m {
	case Slack, SlackApp:
		payload = slackPayload(v)
	case Teams:
		v.body = teamsLines(v.body)
		payload = teamsPayload(v)
	case TeamsLegacy:
		v.body = teamsLines(v.body)
		payload = legacyPayload(v)
	default:
		return Payload{}, fmt.Errorf("render: unknown messenger %q", m)
	}
	return Payload{value: payload, m: m, what: "summary of window", name: s.Window}, nil
}

// teamsLines separates lines by a blank line: Teams' markdown joins lines a single break separates.
func teamsLines(s string) string { return strings.ReplaceAll(s, "\n", "\n\n") }

// WindowSummaryText is the summary in one line of plain text (logs, a local run).
func WindowSummaryText(s WindowSummary, l Language) string {
	v := windowView(s, Options{Language: l})
	return v.title + ": " + v.headline + " " + v.body
}

func windowView(s WindowSummary, opts Options) view {
	w := windowLanguages[opts.Language]
	if w.title == "" {
		w = windowLanguages[English]
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	clock := func(t time.Time) string { return t.In(loc).Format("15:04 MST") }
	st := stateStyles[alarm.StateOK]
	if len(s.StillAlarm) > 0 {
		st = stateStyles[alarm.StateAlarm]
	}
	v := view{words: wordsFor(opts.Language), style: st, title: st.emoji + " " + fmt.Sprintf(w.title, s.Window)}
	v.headline = w.quiet
	if s.Changed > 0 {
		v.headline = w.changed(s.Changed)
	}
	var lines []string
	if len(s.StillAlarm) > 0 {
		parts := make([]string, len(s.StillAlarm))
		for i, a := range s.StillAlarm {
			parts[i] = fmt.Sprintf(w.stillOne, a.Name, clock(a.Since))
		}
		lines = append(lines, fmt.Sprintf(w.still, names(parts, w.more)))
	}
	for _, group := range []struct {
		format string
		alarms []SummaryAlarm
	}{{w.backOK, s.BackToOK}, {w.noData, s.NoData}} {
		if len(group.alarms) == 0 {
			continue
		}
		parts := make([]string, len(group.alarms))
		for i, a := range group.alarms {
			parts[i] = a.Name
		}
		lines = append(lines, fmt.Sprintf(group.format, len(parts), names(parts, w.more)))
	}
	v.body = strings.Join(lines, "\n")
	start, end := s.Start.In(loc), s.End.In(loc)
	span := w.span(start.Format("2006-01-02 15:04"), end.Format("15:04 MST"))
	if start.YearDay() != end.YearDay() || start.Year() != end.Year() {
		span = w.span(start.Format("2006-01-02 15:04"), end.Format("2006-01-02 15:04 MST"))
	}
	v.facts = []fact{{w.window, span + " (" + loc.String() + ")"}}
	v.summary = v.title + ": " + v.headline
	return v
}

// names joins at most summaryNames names and counts the rest: "a, b, c and 4 more".
func names(parts []string, more string) string {
	if len(parts) <= summaryNames {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts[:summaryNames], ", ") + " " + fmt.Sprintf(more, len(parts)-summaryNames)
}
