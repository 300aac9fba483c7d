package overflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
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
// state, as many posts as the lines need (up to maxPosts, each after the webhook's rate allows).
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
	for _, e := range o.post(ctx, entries) {
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

// post sends entries as digests and returns the entries not posted.
func (o *Overflow) post(ctx context.Context, entries []Entry) []Entry {
	for posts := 0; len(entries) > 0 && posts < maxPosts; posts++ {
		d := render.Digest{}
		for _, e := range entries {
			d.Entries = append(d.Entries, e.DigestEntry)
			d.Changes += 1 + e.Folded
		}
		out, err := render.RenderDigest(o.messenger, d, o.options)
		if err != nil {
			o.log.ErrorContext(ctx, "digest not rendered", "entries", len(entries), "error", err.Error())
			return entries
		}
		res, err := o.digests.Post(ctx, out.Payload)
		attrs := []any{"messenger", string(o.messenger), "changes", d.Changes, "lines", len(entries) - out.Omitted(), "left_for_next", out.Omitted(),
			"status", res.Status, "attempts", res.Attempts, "duration_ms", res.Duration.Milliseconds(), "bytes", len(out.Payload)}
		if err != nil {
			o.log.ErrorContext(ctx, "digest not delivered; its messages come back from the queue", append(attrs, "error", err.Error())...)
			return entries
		}
		o.log.InfoContext(ctx, "digest delivered", attrs...)
		var rest []Entry
		o.mu.Lock()
		for i, e := range entries {
			if out.Shown[i] {
				o.shown.add(alarmKey(e.Notification), changedAt(e.Notification))
			} else {
				rest = append(rest, e)
			}
		}
		o.mu.Unlock()
		if len(rest) == len(entries) {
			return rest // nothing fits a post: no point in another
		}
		entries = rest
	}
	return entries
}
