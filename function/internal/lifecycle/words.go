package lifecycle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// texts words the lifecycle's own short lines (thread replies, the root's status line, reminders)
// in one language; the root messages themselves come rendered from the render package.
type texts struct {
	loc *time.Location
	w   *lineWords
}

type lineWords struct {
	states                         map[alarm.State]string
	resolvedAfter                  string // "Resolved after %s"
	openSince                      string // "Open since %s (%s) · history in the thread"
	was                            string // "was %s"
	observed                       string
	late                           string // "%s at %s, received late: the message above shows a newer state"
	stillIn                        string // "Still in %s for %s (since %s)"
	reminderFor                    string // "%s is still in %s for %s (since %s)"
	lessThanMinute, min, hour, day string
	joinHourMin                    string // "%s %s"
}

var languages = map[string]*lineWords{
	"en": {
		states:         map[alarm.State]string{alarm.StateAlarm: "ALARM", alarm.StateOK: "OK", alarm.StateInsufficientData: "INSUFFICIENT_DATA"},
		resolvedAfter:  "Resolved after %s",
		openSince:      "Open since %s (%s) · history in the thread",
		was:            "was %s",
		observed:       "observed",
		late:           "%s at %s, received late: the message above shows a newer state",
		stillIn:        "Still in %s for %s (since %s)",
		reminderFor:    "%s is still in %s for %s (since %s)",
		lessThanMinute: "less than a minute", min: "%d min", hour: "%d h", day: "%d d",
		joinHourMin: "%s %s",
	},
	"ko": {
		states:         map[alarm.State]string{alarm.StateAlarm: "경보", alarm.StateOK: "정상", alarm.StateInsufficientData: "데이터 부족"},
		resolvedAfter:  "%s 만에 정상으로 돌아옴",
		openSince:      "%s부터 진행 중 (%s) · 경과는 스레드에",
		was:            "이전 %s",
		observed:       "관측값",
		late:           "%s (%s), 늦게 도착함: 위 메시지가 더 최근 상태입니다",
		stillIn:        "%s 상태가 %s째 계속됨 (%s부터)",
		reminderFor:    "%s: %s 상태가 %s째 계속됨 (%s부터)",
		lessThanMinute: "1분 미만", min: "%d분", hour: "%d시간", day: "%d일",
		joinHourMin: "%s %s",
	},
}

// newTexts picks the words for lang ("" is English) and the zone shown next to UTC (nil: UTC only).
func newTexts(lang string, loc *time.Location) (texts, error) {
	if lang == "" {
		lang = "en"
	}
	w, ok := languages[lang]
	if !ok {
		return texts{}, fmt.Errorf("lifecycle: unknown language %q: use en or ko", lang)
	}
	return texts{loc: loc, w: w}, nil
}

var stateEmoji = map[alarm.State]string{alarm.StateAlarm: "🔴", alarm.StateOK: "✅", alarm.StateInsufficientData: "⚪"}

func (t texts) state(s alarm.State) string {
	if w, ok := t.w.states[s]; ok {
		return w
	}
	return string(s)
}

func emoji(s alarm.State) string {
	if e, ok := stateEmoji[s]; ok {
		return e
	}
	return "📣"
}

// duration words a time span for people: "less than a minute", "14 min", "2 h 10 min", "3 d 4 h".
func (t texts) duration(d time.Duration) string {
	w := t.w
	switch {
	case d < time.Minute:
		return w.lessThanMinute
	case d < time.Hour:
		return fmt.Sprintf(w.min, int(d/time.Minute))
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf(w.hour, h)
		}
		return fmt.Sprintf(w.joinHourMin, fmt.Sprintf(w.hour, h), fmt.Sprintf(w.min, m))
	default:
		days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if h == 0 {
			return fmt.Sprintf(w.day, days)
		}
		return fmt.Sprintf(w.joinHourMin, fmt.Sprintf(w.day, days), fmt.Sprintf(w.hour, h))
	}
}

// clock shows a time in UTC, and in the configured zone too: "09:15 UTC (18:15 KST)".
func (t texts) clock(at time.Time) string {
	s := at.UTC().Format("2006-01-02 15:04 UTC")
	if t.loc != nil && t.loc != time.UTC && t.loc.String() != "UTC" {
		s += " (" + at.In(t.loc).Format("15:04 MST") + ")"
	}
	return s
}

func (t texts) observed(c Change) string {
	if c.Observed == "" {
		return ""
	}
	return " — " + t.w.observed + " " + mrkdwn(c.Observed)
}

// resolvedReply: "✅ *Resolved after 14 min* — observed 120 ms".
func (t texts) resolvedReply(c Change, lasted time.Duration) string {
	return emoji(alarm.StateOK) + " *" + mrkdwn(t.resolvedLine(lasted)) + "*" + t.observed(c)
}

func (t texts) resolvedLine(lasted time.Duration) string {
	return fmt.Sprintf(t.w.resolvedAfter, t.duration(lasted))
}

// changeReply: "🔴 *ALARM* (was INSUFFICIENT_DATA) — observed 512 ms".
func (t texts) changeReply(c Change, shown string) string {
	s := emoji(c.State) + " *" + mrkdwn(t.state(c.State)) + "*"
	if shown != "" && shown != string(c.State) {
		s += " (" + fmt.Sprintf(t.w.was, mrkdwn(t.state(alarm.State(shown)))) + ")"
	}
	return s + t.observed(c)
}

// openLine is the root's status line while the incident is open.
func (t texts) openLine(opened, now time.Time) string {
	if opened.IsZero() {
		return ""
	}
	return fmt.Sprintf(t.w.openSince, t.clock(opened), t.duration(now.Sub(opened)))
}

// lateReply: a change older than what the root shows, kept in the thread for the record.
func (t texts) lateReply(c Change, at time.Time) string {
	return emoji(c.State) + " " + fmt.Sprintf(t.w.late, "*"+mrkdwn(t.state(c.State))+"*", t.clock(at)) + t.observed(c)
}

// stillReply is a reminder in the incident's thread: "⏰ Still in *ALARM* for 2 h 10 min (since …)".
func (t texts) stillReply(r Reminder) string {
	return "⏰ " + fmt.Sprintf(t.w.stillIn, "*"+mrkdwn(t.state(alarm.StateAlarm))+"*", t.duration(r.For), t.clock(r.Since))
}

// reminderText is a reminder on its own, in plain text: "⏰ orders-api latency is still in
// ALARM for 2 h 10 min (since 2026-11-20 07:32 UTC)".
func (t texts) reminderText(r Reminder) string {
	return "⏰ " + fmt.Sprintf(t.w.reminderFor, r.AlarmName, t.state(alarm.StateAlarm), t.duration(r.For), t.clock(r.Since))
}

// mrkdwn escapes the three characters Slack's mrkdwn treats as markup.
func mrkdwn(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// withContext adds a context line under the header of a rendered Slack payload ({text, blocks,
// attachments}, as render builds it) and after its fallback text. An empty line changes nothing.
func withContext(payload []byte, line string) ([]byte, error) {
	if line == "" {
		return payload, nil
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(payload, &msg); err != nil {
		return nil, fmt.Errorf("lifecycle: the root payload is not a Slack message object: %w", err)
	}
	var blocks []json.RawMessage
	if raw, ok := msg["blocks"]; ok {
		if err := json.Unmarshal(raw, &blocks); err != nil {
			return nil, fmt.Errorf("lifecycle: the root payload's blocks are not a list: %w", err)
		}
	}
	block, err := marshal(map[string]any{"type": "context", "elements": []any{map[string]string{"type": "mrkdwn", "text": mrkdwn(line)}}})
	if err != nil {
		return nil, err
	}
	at := min(1, len(blocks)) // after the header
	blocks = append(blocks[:at], append([]json.RawMessage{block}, blocks[at:]...)...)
	if msg["blocks"], err = marshal(blocks); err != nil {
		return nil, err
	}
	var text string
	if raw, ok := msg["text"]; ok {
		_ = json.Unmarshal(raw, &text)
	}
	text = strings.TrimSpace(text + " · " + mrkdwn(line))
	if msg["text"], err = marshal(text); err != nil {
		return nil, err
	}
	return marshal(msg)
}

// marshal encodes without escaping < > & (already escaped for mrkdwn where needed).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("lifecycle: encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
