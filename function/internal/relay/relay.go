// Package relay is the Lambda handler: parse the SNS event, hold what a maintenance window holds,
// render each notification, hand it to the destination (Destination: a webhook, or a Slack app's
// incident messages), and fail the invocation when anything was not delivered so that Lambda
// retries it and finally keeps it in the dead-letter queue. The stack's schedules invoke it too,
// to remind about alarms still in ALARM and to sum up a window at its end.
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
)

// TrendFunc fetches a metric's recent values, oldest first (trend.Fetcher.Fetch is the real one).
type TrendFunc func(ctx context.Context, q alarm.MetricQuery, end time.Time) ([]float64, error)

// Relay holds what a container keeps between invocations.
type Relay struct {
	messenger render.Messenger
	options   render.Options
	dest      Destination
	alarms    AlarmsFunc // nil: no reminders, no window ends, digests at their batch's own states
	log       *slog.Logger
	delivered *recentSet // SNS MessageIds this container delivered: retries do not post twice
	trend     TrendFunc  // nil: no trend line
	now       func() time.Time

	pushedBack func(error) bool // a push-back the caller queues (see SetPushBack); nil: none

	windows maintenance.Set // maintenance windows: alarm notifications inside one are held
	atClock bool            // a local run's -at: every event happens at the clock's time
}

// TrendCutoff is the time left before the deadline under which no trend is fetched: the fetch may
// take its 1.5 s cap, and the post with its retries needs the rest. In an event of many records
// the last ones go out without a trend rather than past Lambda's timeout.
const TrendCutoff = 5 * time.Second

// SetTrend makes single-metric alarms show their last hour. A trend that cannot be fetched is
// logged and left out: it never holds up or loses the alert.
func (r *Relay) SetTrend(f TrendFunc) { r.trend = f }

// New builds a relay that renders for messenger and delivers to dest (NewWebhook, NewSlackApp).
func New(messenger render.Messenger, options render.Options, dest Destination, log *slog.Logger) *Relay {
	return &Relay{messenger: messenger, options: options, dest: dest, log: log, delivered: newRecentSet(4096), now: time.Now}
}

// Destination is where the relay delivers.
func (r *Relay) Destination() Destination { return r.dest }

// Handle relays every record of the event. It returns an error naming each notification that was
// not delivered; an event without SNS records is rejected before anything is posted.
func (r *Relay) Handle(ctx context.Context, ev alarm.Event) error {
	notifications, err := alarm.Parse(ev)
	if err != nil {
		r.log.ErrorContext(ctx, "event rejected", "error", err.Error())
		return &InvalidEventError{Err: err}
	}
	var failures []error
	for _, n := range notifications {
		if err := r.relay(ctx, n); err != nil {
			failures = append(failures, err)
		}
	}
	if len(failures) > 0 {
		return &NotDeliveredError{Failed: len(failures), Total: len(notifications), Err: errors.Join(failures...)}
	}
	return nil
}

// InvalidEventError is an event the relay cannot read; nothing was posted for it. Lambda reports
// the type's name as the invocation's errorType.
type InvalidEventError struct{ Err error }

func (e *InvalidEventError) Error() string { return "reject event: " + e.Err.Error() }
func (e *InvalidEventError) Unwrap() error { return e.Err }

// NotDeliveredError is an invocation that left notifications undelivered: failing it makes Lambda
// retry the event and, at last, keep it in the dead-letter queue.
type NotDeliveredError struct {
	Failed, Total int
	Err           error  // one error per notification, each naming the alarm
	What          string // what was not delivered; "" means notifications
}

func (e *NotDeliveredError) Error() string {
	what := e.What
	if what == "" {
		what = "notifications"
	}
	return fmt.Sprintf("%d of %d %s not delivered: %v", e.Failed, e.Total, what, e.Err)
}
func (e *NotDeliveredError) Unwrap() error { return e.Err }

func (r *Relay) relay(ctx context.Context, n alarm.Notification) error {
	attrs := []any{"alarm", n.Title(), "message_id", n.MessageID, "messenger", string(r.messenger)}
	if n.Alarm != nil {
		attrs = append(attrs, "state", string(n.Alarm.State))
	}
	if n.MessageID != "" && r.delivered.Contains(n.MessageID) {
		r.log.InfoContext(ctx, "already delivered by this container; not posted again", attrs...)
		return nil
	}
	notice := Notice{Notification: n, Now: r.now()}
	var skip Skip
	if n.Alarm != nil {
		skip = r.dest.Screen(notice) // before the hold: a webhook notes the alarms seen in ALARM
	}
	if r.held(ctx, n, attrs) {
		return nil
	}
	if skip.Skip {
		if skip.Why != "" {
			r.log.InfoContext(ctx, skip.Why, append(attrs, skip.Attrs...)...)
		}
		return nil
	}
	options := r.options
	if r.trend != nil && n.Alarm != nil && n.Alarm.Query != nil {
		options.Trend = r.fetchTrend(ctx, n.Alarm, attrs)
	}
	payload, err := render.Build(r.messenger, n, options)
	if err != nil {
		return r.report(ctx, n, attrs, err)
	}
	d, err := r.dest.Deliver(ctx, notice, payload)
	attrs = append(attrs, d.Attrs...)
	if err == nil && d.NothingPosted {
		// Handled, but nothing reached chat: never logged as "delivered".
		if n.MessageID != "" {
			r.delivered.Add(n.MessageID)
		}
		r.log.InfoContext(ctx, d.Why, attrs...)
		return nil
	}
	return r.report(ctx, n, attrs, err)
}

// report ends a notification: err (not nil) is logged and returned as not delivered; otherwise
// the notification is remembered as delivered, so that a retried event does not post it again,
// and logged.
func (r *Relay) report(ctx context.Context, n alarm.Notification, attrs []any, err error) error {
	if err != nil && r.pushedBack != nil && r.pushedBack(err) {
		r.log.InfoContext(ctx, "pushed back by the messenger; for the overflow queue", append(attrs, "reason", err.Error())...)
		return fmt.Errorf("%q: %w", n.Title(), err)
	}
	if err != nil {
		r.log.ErrorContext(ctx, "not delivered", append(attrs, "error", err.Error())...)
		return fmt.Errorf("%q: %w", n.Title(), err)
	}
	if n.MessageID != "" {
		r.delivered.Add(n.MessageID)
	}
	r.log.InfoContext(ctx, "delivered", attrs...)
	return nil
}

// fetchTrend returns the alarm metric's last hour, or nil (logged) when it cannot be had in time.
func (r *Relay) fetchTrend(ctx context.Context, a *alarm.Alarm, attrs []any) []float64 {
	if deadline, ok := ctx.Deadline(); ok {
		if left := deadline.Sub(r.now()); left < TrendCutoff {
			r.log.WarnContext(ctx, "trend skipped: little time left before the deadline", append(attrs, "time_left_ms", left.Milliseconds())...)
			return nil
		}
	}
	end := a.ChangedAt
	if end.IsZero() {
		end = r.now()
	}
	values, err := r.trend(ctx, *a.Query, end)
	if err != nil {
		r.log.WarnContext(ctx, "trend unavailable; delivering without it", append(attrs, "reason", err.Error())...)
		return nil
	}
	return values
}

// recentSet remembers the last capacity keys, forgetting the oldest first.
type recentSet struct {
	mu    sync.Mutex
	keys  map[string]struct{}
	order []string
	next  int
}

func newRecentSet(capacity int) *recentSet {
	return &recentSet{keys: make(map[string]struct{}, capacity), order: make([]string, capacity)}
}

func (s *recentSet) Contains(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.keys[key]
	return ok
}

func (s *recentSet) Add(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[key]; ok {
		return
	}
	if old := s.order[s.next]; old != "" {
		delete(s.keys, old)
	}
	s.order[s.next] = key
	s.keys[key] = struct{}{}
	s.next = (s.next + 1) % len(s.order)
}
