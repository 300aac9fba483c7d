package relay

import (
	"context"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// IncidentTracker keeps one Slack message per incident; *lifecycle.Tracker is the real one.
type IncidentTracker interface {
	Apply(ctx context.Context, c lifecycle.Change) (lifecycle.Result, error)
	// Post posts a notification that is no alarm change, once per key (an SNS MessageId).
	Post(ctx context.Context, key string, m blockkit.Message) (lifecycle.Result, error)
	Remind(ctx context.Context, r lifecycle.Reminder, every time.Duration) (lifecycle.Result, error)
}

// SlackApp is a Slack app destination: each alarm notification is shown in its incident's
// message (posted, updated in place, replied to in its thread); a notification without an
// alarm ARN is posted on its own, once. Whether a settling alarm is news is its incident's call
// (lifecycle.Change.Settling), so it screens nothing out.
type SlackApp struct {
	tracker IncidentTracker
	now     func() time.Time
}

// NewSlackApp is the Slack app destination keeping its incidents with t.
func NewSlackApp(t IncidentTracker) *SlackApp { return &SlackApp{tracker: t, now: time.Now} }

// Tracker is the destination's incident tracker.
func (s *SlackApp) Tracker() IncidentTracker { return s.tracker }

// SetTracker makes the destination keep its incidents with t from now on (the overflow gives
// the direct path a tracker whose Slack client gives up at the first ratelimited).
func (s *SlackApp) SetTracker(t IncidentTracker) { s.tracker = t }

// Screen lets everything through.
func (s *SlackApp) Screen(Notice) Skip { return Skip{} }

// Deliver shows an alarm notification in its incident (or, without an alarm ARN, posts it on its
// own). Anything not shown, or shown but not remembered, is an error: Lambda retries the event,
// and the incident recognises what it already shows.
func (s *SlackApp) Deliver(ctx context.Context, n Notice, p render.Payload) (Delivery, error) {
	payload, err := p.SlackMessage()
	if err != nil {
		return Delivery{}, err
	}
	start := s.now()
	var (
		res   lifecycle.Result
		attrs []any
	)
	switch {
	case n.AfterWindow && n.Alarm != nil:
		change := lifecycle.ChangeFrom(n.Alarm, payload)
		// An OK or INSUFFICIENT_DATA that no open incident waits for is no news after the summary:
		// marked settling, the lifecycle posts it only to an open incident.
		change.Settling = n.Alarm.State != alarm.StateAlarm
		res, err = s.tracker.Apply(ctx, change)
		attrs = []any{"action", res.Action.String(), "channel", res.Channel, "root_ts", res.RootTS}
		return delivery(res, attrs), err
	case n.Alarm != nil && n.Alarm.ARN != "":
		res, err = s.tracker.Apply(ctx, lifecycle.ChangeFrom(n.Alarm, payload))
		attrs = []any{"action", res.Action.String(), "channel", res.Channel, "root_ts", res.RootTS, "new_root", res.NewRoot}
	default:
		res, err = s.tracker.Post(ctx, n.MessageID, payload)
		attrs = []any{"action", res.Action.String(), "channel", res.Channel, "ts", res.RootTS}
	}
	attrs = append(attrs, "duration_ms", s.now().Sub(start).Milliseconds())
	return delivery(res, attrs), err
}

// Remind reminds in the incident's thread (or opens one with the reminder); the text is not
// needed.
func (s *SlackApp) Remind(ctx context.Context, rem lifecycle.Reminder, every time.Duration, _ render.Payload) (Delivery, error) {
	res, err := s.tracker.Remind(ctx, rem, every)
	return delivery(res, []any{"action", res.Action.String(), "channel", res.Channel, "root_ts", res.RootTS}), err
}

// Announce posts the message on its own, once per key: a repeated event (another container, a
// retry) posts nothing.
func (s *SlackApp) Announce(ctx context.Context, key string, p render.Payload) (Delivery, error) {
	payload, err := p.SlackMessage()
	if err != nil {
		return Delivery{}, err
	}
	res, err := s.tracker.Post(ctx, key, payload)
	return delivery(res, nil), err
}

func delivery(res lifecycle.Result, attrs []any) Delivery {
	d := Delivery{Attrs: withoutBlanks(attrs), NothingPosted: res.NothingPosted()}
	if d.NothingPosted {
		d.Why = res.Action.String()
	}
	return d
}

// withoutBlanks drops the key/value pairs whose value is "": a call that failed before it
// decided anything has no action, channel or ts, and its log line should not show empty ones.
func withoutBlanks(attrs []any) []any {
	out := attrs[:0:0]
	for i := 0; i+1 < len(attrs); i += 2 {
		if v, ok := attrs[i+1].(string); ok && v == "" {
			continue
		}
		out = append(out, attrs[i], attrs[i+1])
	}
	return out
}
