package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// IncidentLines words a Slack app incident's own short lines in one language: the replies in its
// thread, the root message's status line, reminders. Times show in UTC and in the configured zone.
// The root messages themselves are Render's Slack payloads.
type IncidentLines struct {
	w   *words
	loc *time.Location // nil: UTC only
}

// NewIncidentLines words lines in l, with times also in loc (nil: UTC only).
func NewIncidentLines(l Language, loc *time.Location) IncidentLines {
	return IncidentLines{w: wordsFor(l), loc: loc}
}

// Resolved is the reply when an incident closes, in mrkdwn: "✅ *Resolved after 14 min* — observed 120 ms".
func (t IncidentLines) Resolved(lasted time.Duration, observed string) string {
	return stateStyles[alarm.StateOK].emoji + " *" + EscapeMrkdwn(t.ResolvedStatus(lasted)) + "*" + t.observed(observed)
}

// ResolvedStatus is the closed root's status line, in plain text: "Resolved after 14 min".
func (t IncidentLines) ResolvedStatus(lasted time.Duration) string {
	return fmt.Sprintf(t.w.resolvedAfter, t.duration(lasted))
}

// Changed is the reply for a change while the incident is open, in mrkdwn: "🔴 *ALARM* (was
// INSUFFICIENT_DATA) — observed 512 ms". shown is the state the root showed before ("" or the
// same state: no "was").
func (t IncidentLines) Changed(state, shown alarm.State, observed string) string {
	s := stateStyle(state).emoji + " *" + EscapeMrkdwn(stateWord(t.w, state)) + "*"
	if shown != "" && shown != state {
		s += " (" + fmt.Sprintf(t.w.was, EscapeMrkdwn(stateWord(t.w, shown))) + ")"
	}
	return s + t.observed(observed)
}

// OpenStatus is the open root's status line, in plain text: "Open since 2026-11-20 09:15 UTC
// (14 min) · history in the thread"; "" when the opening time is unknown.
func (t IncidentLines) OpenStatus(opened, now time.Time) string {
	if opened.IsZero() {
		return ""
	}
	return fmt.Sprintf(t.w.openSince, t.clock(opened), t.duration(now.Sub(opened)))
}

// Late is the reply for a change older than what the root shows, kept in the thread for the
// record, in mrkdwn.
func (t IncidentLines) Late(state alarm.State, at time.Time, observed string) string {
	return stateStyle(state).emoji + " " + fmt.Sprintf(t.w.late, "*"+EscapeMrkdwn(stateWord(t.w, state))+"*", t.clock(at)) + t.observed(observed)
}

// StillInAlarm is a reminder in the incident's thread, in mrkdwn: "⏰ Still in *ALARM* for 2 h
// 10 min (since …)".
func (t IncidentLines) StillInAlarm(since time.Time, lasted time.Duration) string {
	return "⏰ " + fmt.Sprintf(t.w.stillIn, "*"+EscapeMrkdwn(stateWord(t.w, alarm.StateAlarm))+"*", t.duration(lasted), t.clock(since))
}

// Reminder is a reminder on its own, in plain text: "⏰ orders-api latency is still in ALARM for
// 2 h 10 min (since 2026-11-20 07:32 UTC)".
func (t IncidentLines) Reminder(alarmName string, since time.Time, lasted time.Duration) string {
	return "⏰ " + fmt.Sprintf(t.w.reminderFor, alarmName, stateWord(t.w, alarm.StateAlarm), t.duration(lasted), t.clock(since))
}

func (t IncidentLines) observed(value string) string {
	if value == "" {
		return ""
	}
	return " — " + t.w.observedInline + " " + EscapeMrkdwn(value)
}

// duration words a time span for people: "less than a minute", "14 min", "2 h 10 min", "3 d 4 h".
func (t IncidentLines) duration(d time.Duration) string {
	w := t.w
	switch {
	case d < time.Minute:
		return w.lessThanMinute
	case d < time.Hour:
		return fmt.Sprintf(w.minutes, int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf(w.hours, h)
		}
		return fmt.Sprintf(w.twoUnits, fmt.Sprintf(w.hours, h), fmt.Sprintf(w.minutes, m))
	default:
		days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if h == 0 {
			return fmt.Sprintf(w.days, days)
		}
		return fmt.Sprintf(w.twoUnits, fmt.Sprintf(w.days, days), fmt.Sprintf(w.hours, h))
	}
}

// clock shows a time in UTC, and in the configured zone too: "2026-11-20 09:15 UTC (18:15 KST)".
func (t IncidentLines) clock(at time.Time) string {
	s := at.UTC().Format("2006-01-02 15:04 UTC")
	if t.loc != nil && t.loc != time.UTC && t.loc.String() != "UTC" {
		s += " (" + at.In(t.loc).Format("15:04 MST") + ")"
	}
	return s
}

// stateStyle is how a state looks; a state CloudWatch may add later looks like a text message.
func stateStyle(s alarm.State) style {
	if st, ok := stateStyles[s]; ok {
		return st
	}
	return textStyle
}

// EscapeMrkdwn escapes the three characters Slack's mrkdwn treats as markup, for text put into a
// message built elsewhere (no length limit: the caller keeps to Slack's). Other bytes, valid
// UTF-8 or not, stay as they are.
func EscapeMrkdwn(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ {
		if e, ok := mrkdwnEscape(rune(s[i])); ok {
			b.WriteString(e)
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
