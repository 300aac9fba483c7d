package relay

import (
	"context"
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// Poster delivers one payload; *deliver.Webhook is the real one.
type Poster interface {
	Post(ctx context.Context, payload []byte) (deliver.Result, error)
}

// Webhook is a webhook destination: every notification is a new message, posted with Poster. It
// keeps no state but a container's memory of when alarms were in ALARM, to tell a settling alarm
// (no news) from a recovery.
type Webhook struct {
	// Poster posts the payloads. A storm-aware function swaps in one that gives up at the first
	// 429, so that the notification goes to the overflow queue at once (overflow.Handler).
	Poster  Poster
	alarmed *alarmTimes // alarm ARN → when this container last saw it in ALARM (settling)
}

// NewWebhook is the webhook destination posting with p.
func NewWebhook(p Poster) *Webhook {
	return &Webhook{Poster: p, alarmed: newAlarmTimes(4096)}
}

// Screen notes when an alarm is seen in ALARM and screens out a settling one. After a window, only
// an alarm still in ALARM is news: a webhook has no incident to resolve, and the summary told the
// rest.
func (w *Webhook) Screen(n Notice) Skip {
	a := n.Alarm
	if a == nil {
		return Skip{} // plain text: nothing to remember or to tell
	}
	if n.AfterWindow {
		return Skip{Skip: a.State != alarm.StateAlarm}
	}
	w.noteAlarm(a, n.Now)
	if w.settling(a) {
		// A new or changed alarm going INSUFFICIENT_DATA → OK after a deploy: no news, not an error.
		return Skip{Skip: true, Why: "alarm settling after a configuration change; not posted",
			Attrs: []any{"configuration_updated", a.ConfigUpdatedAt, "state_changed", a.ChangedAt}}
	}
	return Skip{}
}

// Deliver posts the payload.
func (w *Webhook) Deliver(ctx context.Context, n Notice, p render.Payload) (Delivery, error) {
	res, size, err := w.post(ctx, p)
	if n.AfterWindow {
		return Delivery{Attrs: []any{"status", res.Status, "attempts", res.Attempts, "bytes", size}}, err
	}
	return Delivery{Attrs: []any{"status", res.Status, "attempts", res.Attempts, "duration_ms", res.Duration.Milliseconds(), "bytes", size}}, err
}

// Remind posts the reminder as a message of its own.
func (w *Webhook) Remind(ctx context.Context, _ lifecycle.Reminder, _ time.Duration, text render.Payload) (Delivery, error) {
	res, _, err := w.post(ctx, text)
	return Delivery{Attrs: []any{"status", res.Status, "attempts", res.Attempts, "duration_ms", res.Duration.Milliseconds()}}, err
}

// Announce posts the message. A webhook keeps no state: a repeated event posts it again.
func (w *Webhook) Announce(ctx context.Context, _ string, p render.Payload) (Delivery, error) {
	_, _, err := w.post(ctx, p)
	return Delivery{}, err
}

// post encodes p and posts it; size is the JSON's length (0 when it could not be encoded, and
// then nothing was posted).
func (w *Webhook) post(ctx context.Context, p render.Payload) (res deliver.Result, size int, err error) {
	payload, err := p.JSON()
	if err != nil {
		return deliver.Result{}, 0, err
	}
	res, err = w.Poster.Post(ctx, payload)
	return res, len(payload), err
}

// settling tells a notification that is no news: a new or changed alarm going INSUFFICIENT_DATA →
// OK (alarm.Settling). The SNS message names only the state just before, so an alarm that went
// ALARM soon after the change, lost its data and came back looks the same; when this container
// saw it in ALARM since the change, the OK is that incident's recovery and is posted. (A Slack app
// destination asks its incident instead: lifecycle.Change.Settling.)
func (w *Webhook) settling(a *alarm.Alarm) bool {
	if !a.Settling() {
		return false
	}
	at, seen := w.alarmed.get(a.ARN)
	return !seen || at.Before(a.ConfigUpdatedAt)
}

// noteAlarm remembers when a notification shows the alarm in ALARM (going into it, or out of it);
// now stands for a change without a time.
func (w *Webhook) noteAlarm(a *alarm.Alarm, now time.Time) {
	if a.ARN == "" || (a.State != alarm.StateAlarm && a.PreviousState != alarm.StateAlarm) {
		return
	}
	at := a.ChangedAt
	if at.IsZero() {
		at = now
	}
	w.alarmed.note(a.ARN, at)
}

// alarmTimes remembers, per alarm ARN, the latest time it was seen in ALARM. It is bounded: past
// capacity, times too old to matter for a settling window are forgotten (and, should that not
// be enough, all of them: a missed recovery then posts as it did before, never an error).
type alarmTimes struct {
	mu       sync.Mutex
	at       map[string]time.Time
	capacity int
}

func newAlarmTimes(capacity int) *alarmTimes {
	return &alarmTimes{at: map[string]time.Time{}, capacity: capacity}
}

func (m *alarmTimes) note(arn string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.at[arn]; ok && old.After(at) {
		return // a late message: the later time stands
	}
	if _, ok := m.at[arn]; !ok && len(m.at) >= m.capacity {
		for k, t := range m.at {
			if t.Before(at.Add(-2 * alarm.SettleWindow)) {
				delete(m.at, k)
			}
		}
		if len(m.at) >= m.capacity {
			clear(m.at)
		}
	}
	m.at[arn] = at
}

func (m *alarmTimes) get(arn string) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.at[arn]
	return t, ok
}
