package overflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
)

// sqsEvent is what Lambda's SQS event source mapping delivers.
type sqsEvent struct {
	Records []sqsRecord `json:"Records"`
}

type sqsRecord struct {
	MessageID   string `json:"messageId"`
	Body        string `json:"body"`
	EventSource string `json:"eventSource"`
	Attributes  struct {
		SentTimestamp string `json:"SentTimestamp"` // milliseconds since the epoch
	} `json:"attributes"`
}

// BatchResponse is the answer to an SQS batch with ReportBatchItemFailures: the messages not
// delivered, which SQS makes visible again (and at last redrives to the dead-letter queue); the
// others are deleted.
type BatchResponse struct {
	BatchItemFailures []BatchItemFailure `json:"batchItemFailures"`
}

// BatchItemFailure names one message not delivered.
type BatchItemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

// IsSQSEvent tells an SQS batch from the other events the function receives (SNS, reminders),
// by its records' event source. Go's JSON field matching ignores case, so SNS's "EventSource"
// is read as well: its value, aws:sns, tells it apart.
func IsSQSEvent(raw []byte) bool {
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
	}
	return json.Unmarshal(raw, &probe) == nil && len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:sqs"
}

// HandleSQS posts a batch of the overflow queue as digests: one line per alarm at its newest
// state, as many posts as the lines need (up to maxPosts, each after the webhook's rate allows);
// for a Slack app, the lines go into the storm's shared digest roots (showInDigests).
// Messages whose lines were not posted are the batch item failures. Only an event that is no SQS
// batch at all is an error.
func (o *Overflow) HandleSQS(ctx context.Context, raw []byte) (BatchResponse, error) {
	var ev sqsEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return BatchResponse{}, &relay.InvalidEventError{Err: fmt.Errorf("SQS event: %w", err)}
	}
	if len(ev.Records) == 0 {
		return BatchResponse{}, &relay.InvalidEventError{Err: errors.New("SQS event without records")}
	}
	var (
		items  []Item
		failed = map[string]bool{}
		order  []string // message ids in the batch's order
	)
	for _, rec := range ev.Records {
		order = append(order, rec.MessageID)
		ns, err := readBody(rec.Body)
		if err != nil {
			// It will never read better: after its receives it goes to the dead-letter queue,
			// where the replay reports it as unreadable.
			o.log.ErrorContext(ctx, "overflow message unreadable; left for the dead-letter queue", "sqs_message_id", rec.MessageID, "error", err.Error())
			failed[rec.MessageID] = true
			continue
		}
		sent := sentTime(rec.Attributes.SentTimestamp)
		for _, n := range ns {
			if n.Alarm != nil && n.Alarm.Settling() {
				o.log.InfoContext(ctx, "alarm settling after a configuration change; not posted", "alarm", n.Title(), "message_id", n.MessageID)
				continue
			}
			items = append(items, Item{ID: rec.MessageID, Notification: n, Sent: sent})
		}
	}
	entries, _ := Reconcile(items)
	entries = o.dropShown(ctx, entries)
	show := o.post
	if o.app != nil {
		show = o.showInDigests
	}
	for _, e := range show(ctx, entries) {
		for _, id := range e.IDs {
			failed[id] = true
		}
	}
	var resp BatchResponse
	resp.BatchItemFailures = []BatchItemFailure{}
	for _, id := range order {
		if failed[id] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, BatchItemFailure{ItemIdentifier: id})
			delete(failed, id) // a message id once, whatever it held
		}
	}
	return resp, nil
}

// readBody reads an overflow message: the one-record SNS event HandleSNS queued.
func readBody(body string) ([]alarm.Notification, error) {
	var ev alarm.Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, fmt.Errorf("the body is not an SNS event: %w", err)
	}
	return alarm.Parse(ev)
}

func sentTime(ms string) time.Time {
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

// dropShown leaves out the lines this container has already shown at the same or a newer change:
// a batch delivered again after its answer was lost, or an old change that came back after a
// failure while the alarm's newer state is already in chat.
func (o *Overflow) dropShown(ctx context.Context, entries []Entry) []Entry {
	o.mu.Lock()
	defer o.mu.Unlock()
	kept := entries[:0]
	for _, e := range entries {
		key := alarmKey(e.Notification)
		if seen, ok := o.shown[key]; ok && key != "" && !changedAt(e.Notification).After(seen) {
			o.log.InfoContext(ctx, "already shown at this or a newer state; not posted again", "alarm", e.Notification.Title(), "message_id", e.Notification.MessageID)
			continue
		}
		kept = append(kept, e)
	}
	return kept
}

// post sends entries as digests and returns the entries not posted (nor superseded).
func (o *Overflow) post(ctx context.Context, entries []Entry) []Entry {
	for posts := 0; len(entries) > 0 && posts < maxPosts; posts++ {
		sent, out, d, res, err := o.postOne(ctx, entries)
		if len(sent) == 0 {
			return nil // every line superseded by a newer change of its alarm
		}
		if out.Payload == nil {
			return sent // not rendered: logged
		}
		attrs := []any{"messenger", string(o.messenger), "changes", d.Changes, "lines", len(sent) - out.Omitted(), "left_for_next", out.Omitted(),
			"status", res.Status, "attempts", res.Attempts, "duration_ms", res.Duration.Milliseconds(), "bytes", len(out.Payload)}
		if err != nil {
			o.log.ErrorContext(ctx, "digest not delivered; its messages come back from the queue", append(attrs, "error", err.Error())...)
			return sent
		}
		o.log.InfoContext(ctx, "digest delivered", attrs...)
		var rest []Entry
		o.mu.Lock()
		for i, e := range sent {
			if out.Shown[i] {
				o.shown.add(alarmKey(e.Notification), changedAt(e.Notification))
			} else {
				rest = append(rest, e)
			}
		}
		o.mu.Unlock()
		if len(rest) == len(sent) {
			return rest // nothing fits a post: no point in another
		}
		entries = rest
	}
	return entries
}

// postOne renders entries at the alarms' current states (see toCurrent) and posts them as one
// digest; at a push-back it waits as the webhook asks, then renders and posts again, while the
// deadline allows. Made again right before each try, a digest that lands after another one shows
// states at least as new as that one's. It returns the entries the digest holds (the superseded
// ones left out), in the order of out.Shown.
func (o *Overflow) postOne(ctx context.Context, entries []Entry) ([]Entry, render.RenderedDigest, render.Digest, deliver.Result, error) {
	for {
		entries, _ = o.toCurrent(ctx, entries)
		if len(entries) == 0 {
			return nil, render.RenderedDigest{}, render.Digest{}, deliver.Result{}, nil
		}
		d := render.Digest{}
		for _, e := range entries {
			d.Entries = append(d.Entries, e.DigestEntry)
			d.Changes += 1 + e.Folded
		}
		out, err := render.RenderDigest(o.messenger, d, o.options)
		if err != nil {
			o.log.ErrorContext(ctx, "digest not rendered", "entries", len(entries), "error", err.Error())
			return entries, render.RenderedDigest{}, d, deliver.Result{}, err
		}
		res, err := o.digests.Post(ctx, out.Payload)
		wait, throttled := throttledFor(err)
		if !throttled {
			return entries, out, d, res, err
		}
		wait = max(wait, time.Second) + time.Duration(rand.Int64N(int64(250*time.Millisecond))) // two digests do not meet again
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait+pushBackReserve {
			return entries, out, d, res, err
		}
		if err := retry.Sleep(ctx, wait); err != nil {
			return entries, out, d, res, err
		}
	}
}

// pushBackReserve is the time a digest keeps after its last wait for a push-back: one post and
// the invocation's answer.
const pushBackReserve = 3 * time.Second
