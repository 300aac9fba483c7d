// Package replay delivers what waits in a relay's dead-letter queue: every message is decoded
// (Lambda's on-failure record or a plain SNS event), relayed with the same relay the Lambda
// function uses, and deleted only once it was delivered. Whatever cannot be delivered stays in the
// queue, visible again, for the next try.
//
// Only the local command uses this package; the Lambda start path never builds an SQS client.
package replay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
)

// Queue is the SQS calls a replay makes; *Client is the real one.
type Queue interface {
	Receive(ctx context.Context, queueURL string, visibility time.Duration) ([]Message, error)
	Delete(ctx context.Context, queueURL, receiptHandle string) error
	ChangeVisibility(ctx context.Context, queueURL, receiptHandle string, visibility time.Duration) error
	// Counts tells what the queue holds beyond what a receive returns: messages in flight
	// (received by another consumer, or hidden by a replay that was stopped) and delayed ones.
	Counts(ctx context.Context, queueURL string) (Counts, error)
}

// Handler relays one SNS event, failing when anything in it was not delivered
// ((*relay.Relay).Handle is the real one).
type Handler func(ctx context.Context, ev alarm.Event) error

// Options tune a replay; the zero value uses the defaults.
type Options struct {
	// Timeout bounds the delivery of one message, as the Lambda deadline bounds an invocation.
	Timeout time.Duration
	// Visibility hides a received message from this run's next receives while it works through
	// the queue. Messages left behind are made visible again when the run ends.
	Visibility time.Duration
	// Remind runs a dead-lettered reminder tick ((*relay.Relay).HandleJSON is the real one); nil
	// leaves such letters in the queue as unreadable.
	Remind func(ctx context.Context, event []byte) error
}

// Defaults.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultVisibility = 15 * time.Minute
)

// Summary counts what a replay did with each message it read.
type Summary struct {
	Delivered    int  // delivered, then deleted from the queue
	StillFailing int  // not delivered: left in the queue
	Unreadable   int  // neither record, SNS event nor reminder tick, or an event the relay rejects: left in the queue
	NotDeleted   int  // delivered, but the delete failed: left in the queue (a next replay posts it again)
	NotTried     int  // received, but the run was interrupted before its turn: left in the queue
	Unfinished   bool // the queue could not be read to the end (an error, or an interrupt)
	// InFlight counts messages this run could not receive because they were invisible: received
	// by another consumer, or hidden by a replay that was stopped. Delayed counts messages not
	// yet delivered to any consumer. Both are SQS's approximate counts; neither was replayed.
	InFlight, Delayed int
	// CountsUnknown: the queue returned nothing more, but its counts could not be read, so it
	// is not known to be empty.
	CountsUnknown bool
}

// Left is the number of messages this replay left in the queue.
func (s Summary) Left() int { return s.StillFailing + s.Unreadable + s.NotDeleted + s.NotTried }

func (s Summary) String() string {
	out := fmt.Sprintf("%d delivered, %d still failing, %d unreadable", s.Delivered, s.StillFailing, s.Unreadable)
	if s.NotDeleted > 0 {
		out += fmt.Sprintf(", %d delivered but not deleted", s.NotDeleted)
	}
	if s.NotTried > 0 {
		out += fmt.Sprintf(", %d not tried", s.NotTried)
	}
	if s.Unfinished {
		return out + fmt.Sprintf("; %d left behind, and the queue was not read to the end", s.Left())
	}
	if s.Left() == 0 && s.InFlight == 0 && s.Delayed == 0 && !s.CountsUnknown {
		return out + "; the queue is empty"
	}
	if s.Left() > 0 {
		out += fmt.Sprintf("; %d left in the queue", s.Left())
	}
	if s.InFlight > 0 {
		out += fmt.Sprintf("; %d more in flight (invisible to this run, not replayed)", s.InFlight)
	}
	if s.Delayed > 0 {
		out += fmt.Sprintf("; %d more delayed (not replayed)", s.Delayed)
	}
	if s.CountsUnknown {
		out += "; whether more messages are in flight is unknown"
	}
	return out
}

// InFlightError is a replay that found the queue holding messages it could not receive: they
// are invisible until their visibility timeout ends (or delayed), so the queue is not empty and
// the replay has to run again.
type InFlightError struct {
	InFlight, Delayed int
	Visibility        time.Duration // the queue's default visibility timeout; 0 when unknown
	ReplayVisibility  time.Duration // what a replay hides its messages for
}

func (e *InFlightError) Error() string {
	var parts []string
	if e.InFlight > 0 {
		parts = append(parts, fmt.Sprintf("%d in flight (received by another consumer, or hidden by a replay that was stopped)", e.InFlight))
	}
	if e.Delayed > 0 {
		parts = append(parts, fmt.Sprintf("%d delayed", e.Delayed))
	}
	wait := "their visibility timeout"
	if e.Visibility > 0 {
		wait += fmt.Sprintf(" (the queue's default is %s; a replay hides messages for %s)", e.Visibility, e.ReplayVisibility)
	}
	return fmt.Sprintf("the dead-letter queue is not empty: %s, so this run could not replay them; run the replay again once %s has passed",
		strings.Join(parts, " and "), wait)
}

// Run reads every message in the queue once. It returns an error when the queue could not be
// read (or the run was interrupted); the summary then counts what was done until then. It
// returns an *InFlightError when the queue holds messages no receive could return (in flight
// elsewhere, or delayed): the queue is then not empty, and the replay must run again later.
func Run(ctx context.Context, q Queue, queueURL string, handle Handler, log *slog.Logger, opts Options) (Summary, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Visibility <= 0 {
		opts.Visibility = DefaultVisibility
	}
	r := run{q: q, queueURL: queueURL, handle: handle, log: log, opts: opts, left: map[string]string{}, seen: map[string]bool{}}
	if note, ok := q.(interface{ Notes(string) string }); ok {
		if n := note.Notes(queueURL); n != "" {
			log.InfoContext(ctx, n)
		}
	}
	// Messages already invisible when the run starts are others'; counted first, because the
	// approximate counts after the run may still include messages this run has just deleted.
	before, beforeErr := q.Counts(ctx, queueURL)
	err := r.drain(ctx)
	r.summary.Unfinished = err != nil
	if err == nil {
		err = r.checkInFlight(ctx, before, beforeErr)
	}
	// Whatever stays must be visible again at once: for the next replay, and for the dead-letter
	// alarm, which counts visible messages only. An interrupted run restores it too.
	r.restoreVisibility(context.WithoutCancel(ctx))
	return r.summary, err
}

// checkInFlight is asked once a receive returned nothing new: a receive does not return
// invisible or delayed messages, so "nothing new" means empty only when the counts say so.
// In flight are the messages invisible both before the run and now, less those this run holds.
func (r *run) checkInFlight(ctx context.Context, before Counts, beforeErr error) error {
	after, err := r.q.Counts(ctx, r.queueURL)
	if err == nil {
		err = beforeErr
	}
	if err != nil {
		r.summary.CountsUnknown = true
		return fmt.Errorf("the queue returned no more messages, but whether others are in flight is unknown (sqs:GetQueueAttributes): %w", err)
	}
	r.summary.InFlight = max(0, min(before.NotVisible, after.NotVisible-len(r.left)))
	r.summary.Delayed = after.Delayed
	if r.summary.InFlight == 0 && r.summary.Delayed == 0 {
		return nil
	}
	return &InFlightError{InFlight: r.summary.InFlight, Delayed: r.summary.Delayed, Visibility: after.Visibility, ReplayVisibility: r.opts.Visibility}
}

type run struct {
	q        Queue
	queueURL string
	handle   Handler
	log      *slog.Logger
	opts     Options
	summary  Summary
	left     map[string]string // SQS MessageId → latest receipt handle, for messages left behind
	seen     map[string]bool   // SQS MessageIds read in this run
}

func (r *run) drain(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("replay interrupted: %w", err)
		}
		messages, err := r.q.Receive(ctx, r.queueURL, r.opts.Visibility)
		if err != nil {
			return fmt.Errorf("read the dead-letter queue: %w", err)
		}
		fresh := 0
		for _, m := range messages {
			id := m.MessageID
			if r.seen[id] { // its visibility ran out during a long run: handled once already
				if _, ok := r.left[id]; ok {
					r.left[id] = m.ReceiptHandle
				}
				continue
			}
			r.seen[id] = true
			fresh++
			if ctx.Err() != nil {
				// Interrupted: the messages already received go back untried, with no attempt
				// logged for them (nothing was posted).
				r.summary.NotTried++
				r.left[id] = m.ReceiptHandle
				continue
			}
			r.one(ctx, m)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("replay interrupted: %w", err)
		}
		if fresh == 0 {
			return nil
		}
	}
}

// one replays a single message and deletes it once delivered.
func (r *run) one(ctx context.Context, m Message) {
	id := m.MessageID
	attrs := []any{"sqs_message_id", id}
	letter, err := Decode(m.Body)
	if err != nil {
		r.summary.Unreadable++
		r.left[id] = m.ReceiptHandle
		r.log.ErrorContext(ctx, "dead letter unreadable; left in the queue", append(attrs, "reason", err.Error())...)
		return
	}
	attrs = append(attrs, "shape", string(letter.Shape))
	if letter.Condition != "" {
		attrs = append(attrs, "condition", letter.Condition)
	}
	if last := lastErrorOf(letter, m); last != "" {
		attrs = append(attrs, "last_error", last)
	}

	// An interrupt stops the replay between messages: the message in flight finishes (within
	// its timeout), so that it is not cut off half-posted and then counted as failing.
	deliverCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.Timeout)
	switch {
	case letter.Reminder == nil:
		err = r.handle(deliverCtx, letter.Event)
	case r.opts.Remind != nil:
		err = r.opts.Remind(deliverCtx, letter.Reminder)
	default:
		err = &relay.InvalidEventError{Err: errors.New("a reminder tick, and this replay runs no reminders")}
	}
	cancel()
	if err != nil {
		r.left[id] = m.ReceiptHandle
		var invalid *relay.InvalidEventError
		if errors.As(err, &invalid) {
			r.summary.Unreadable++
			r.log.ErrorContext(ctx, "dead letter unreadable; left in the queue", append(attrs, "reason", err.Error())...)
			return
		}
		r.summary.StillFailing++
		r.log.WarnContext(ctx, "dead letter still not delivered; left in the queue", append(attrs, "error", err.Error())...)
		return
	}
	// Delivered: delete it even if the run is being interrupted, or it would be posted again.
	delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.q.Delete(delCtx, r.queueURL, m.ReceiptHandle); err != nil {
		r.summary.NotDeleted++
		r.left[id] = m.ReceiptHandle
		r.log.ErrorContext(ctx, "dead letter delivered but not deleted; a next replay posts it again", append(attrs, "error", err.Error())...)
		return
	}
	r.summary.Delivered++
	r.log.InfoContext(ctx, "dead letter delivered and deleted", attrs...)
}

// lastErrorOf is the failure Lambda recorded for the message: in the on-failure record, or in the
// ErrorMessage attribute a DeadLetterConfig queue gets.
func lastErrorOf(l Letter, m Message) string {
	if l.LastError != "" {
		return l.LastError
	}
	return m.MessageAttributes["ErrorMessage"].StringValue
}

func (r *run) restoreVisibility(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for id, handle := range r.left {
		if err := r.q.ChangeVisibility(ctx, r.queueURL, handle, 0); err != nil {
			r.log.WarnContext(ctx, "could not make a message left in the queue visible again; it reappears when its visibility timeout ends",
				"sqs_message_id", id, "visibility_timeout_s", int(r.opts.Visibility/time.Second), "error", err.Error())
		}
	}
}
