package overflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// Poster posts one payload, retrying within the deadline (*deliver.Webhook).
type Poster interface {
	Post(ctx context.Context, payload []byte) (deliver.Result, error)
}

// Overflow is a destination's storm handling (a webhook's, or with app a Slack app's), one per
// container.
type Overflow struct {
	queue     Queue
	digests   Poster // retries a 429 after its Retry-After: a digest has nowhere else to go
	messenger render.Messenger
	options   render.Options
	log       *slog.Logger
	now       func() time.Time

	// current reads alarms' current states from CloudWatch (the relay's, via cwalarms); nil
	// leaves a digest at its batch's newest changes.
	current relay.AlarmsFunc
	// app keeps a Slack app destination's incidents: its batches become shared digest roots
	// (slackapp.go); nil for a webhook.
	app *lifecycle.Tracker

	mu    sync.Mutex
	until time.Time // this container queued a notification lately: the next go straight to the queue
	shown shownTimes
}

// Tunables. They need no tuning: the webhook's own rate decides how fast digests go, and the
// event source mapping's batching window how many changes each shows.
const (
	// busyFor is how long after queueing a notification this container queues the next ones
	// without asking SQS: a storm's changes come seconds apart.
	busyFor = 10 * time.Second
	// checkTimeout bounds the "anything waiting?" question on the normal path; when SQS does not
	// answer in time the notification is posted directly (nothing waits on an unknown).
	checkTimeout = 2 * time.Second
	// maxPosts bounds the digest posts of one batch: lines beyond what one post holds go out in
	// the next post (after the webhook's rate allows), the rest come back as batch item failures.
	maxPosts = 5
)

// New is the storm handling of one destination: queue is its overflow queue, digests posts with
// retries (the destination's webhook), messenger and options render the digests.
func New(queue Queue, digests Poster, messenger render.Messenger, options render.Options, log *slog.Logger) *Overflow {
	return &Overflow{queue: queue, digests: digests, messenger: messenger, options: options, log: log, now: time.Now, shown: shownTimes{}}
}

// HandleSNS relays an SNS event record by record through handle (the relay, posting with a
// FailFast judge). A record the destination pushed back on goes to the overflow queue, and so does
// every record while others wait there (so that no newer change overtakes them). A record fails
// the invocation only when it was neither delivered nor queued. Anything that is not an SNS event
// (a reminder, something unreadable) goes to other unchanged.
func (o *Overflow) HandleSNS(ctx context.Context, raw []byte, handle func(context.Context, alarm.Event) error, other func(context.Context, []byte) error) error {
	var ev alarm.Event
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) == 0 || isReminder(raw) {
		return other(ctx, raw)
	}
	for _, rec := range ev.Records {
		if rec.SNS == nil {
			return other(ctx, raw) // the relay rejects it, naming the record
		}
	}
	waiting := o.busy(ctx)
	var failures []error
	for _, rec := range ev.Records {
		one := alarm.Event{Records: []alarm.Record{rec}}
		title := alarm.ParseMessage(rec.SNS.MessageID, rec.SNS.Subject, rec.SNS.Message, rec.SNS.Timestamp)
		if !waiting {
			err := handle(ctx, one)
			if err == nil {
				o.remember(title)
				continue
			}
			if !Throttled(err) {
				failures = append(failures, err)
				continue
			}
			waiting = true // the rest of this event follows it into the queue
		}
		if o.alreadyShown(title) {
			// SNS delivers at least once: a change this container has shown is not queued again.
			o.log.InfoContext(ctx, "already shown by this container; not queued", "alarm", title.Title(), "message_id", title.MessageID)
			continue
		}
		if err := o.enqueue(ctx, one, title); err != nil {
			failures = append(failures, err)
		}
	}
	switch len(failures) {
	case 0:
		return nil
	case 1:
		return failures[0]
	}
	return &relay.NotDeliveredError{Failed: len(failures), Total: len(ev.Records), Err: errors.Join(failures...)}
}

// isReminder: the reminder schedule's event, which the relay serves itself.
func isReminder(raw []byte) bool {
	var probe struct {
		Kind *string `json:"alarmRelay"`
	}
	return json.Unmarshal(raw, &probe) == nil && probe.Kind != nil
}

// busy tells whether notifications wait in the overflow queue: this container queued one lately,
// or SQS counts some. An unanswered question counts as none (the post then meets the webhook's
// answer itself).
func (o *Overflow) busy(ctx context.Context) bool {
	o.mu.Lock()
	marked := o.now().Before(o.until)
	o.mu.Unlock()
	if marked {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	n, err := o.queue.Waiting(ctx)
	if err != nil {
		o.log.WarnContext(ctx, "overflow queue not readable; posting directly", "error", err.Error())
		return false
	}
	return n > 0
}

// enqueue puts one record, as a one-record SNS event (which the replay of dead letters reads as
// it reads the function's own), on the overflow queue.
func (o *Overflow) enqueue(ctx context.Context, one alarm.Event, n alarm.Notification) error {
	body, err := json.Marshal(one)
	if err != nil {
		return fmt.Errorf("%q: encode for the overflow queue: %w", n.Title(), err)
	}
	if err := o.queue.Send(ctx, string(body)); err != nil {
		o.log.ErrorContext(ctx, "not delivered: the overflow queue did not take it", "alarm", n.Title(), "message_id", n.MessageID, "error", err.Error())
		return &relay.NotDeliveredError{Failed: 1, Total: 1, Err: fmt.Errorf("%q: %w", n.Title(), err)}
	}
	o.mu.Lock()
	o.until = o.now().Add(busyFor)
	o.mu.Unlock()
	attrs := []any{"alarm", n.Title(), "message_id", n.MessageID, "messenger", string(o.messenger)}
	if n.Alarm != nil {
		attrs = append(attrs, "state", string(n.Alarm.State))
	}
	o.log.InfoContext(ctx, "queued for a digest: the webhook is busy", attrs...)
	return nil
}

// remember notes an alarm change this container has shown, directly or in a digest.
func (o *Overflow) remember(n alarm.Notification) {
	key := alarmKey(n)
	if key == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.shown.add(key, changedAt(n))
}

// alreadyShown tells whether this container has shown n's alarm at n's change or a newer one.
func (o *Overflow) alreadyShown(n alarm.Notification) bool {
	key := alarmKey(n)
	if key == "" {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	seen, ok := o.shown[key]
	return ok && !changedAt(n).After(seen)
}

// shownTimes maps an alarm to the newest change of it this container has shown.
type shownTimes map[string]time.Time

const shownCapacity = 10_000

func (s shownTimes) add(key string, t time.Time) {
	if key == "" {
		return // text notifications have no state to be overtaken
	}
	if len(s) >= shownCapacity {
		clear(s) // a bounded memory; forgetting only means an old change may be shown again
	}
	if t.After(s[key]) {
		s[key] = t
	}
}
