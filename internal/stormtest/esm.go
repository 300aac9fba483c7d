package stormtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Mapping hands an SQS queue to a function as Lambda's SQS event source mapping does:
//   - MaxConcurrency pollers, each invoking the function with one batch at a time (Lambda's
//     ScalingConfig.MaximumConcurrency);
//   - a batch is gathered until it holds BatchSize messages or Window has passed since its first
//     message (MaximumBatchingWindowInSeconds), receiving at most 10 a call with long polling;
//   - received messages are invisible for the queue's visibility timeout; the function's
//     batchItemFailures stay (and come back after it, and to the dead-letter queue after
//     maxReceiveCount receives, which SQS itself does), the others are deleted; a function error,
//     or an answer naming an id not in the batch, fails the whole batch (ReportBatchItemFailures).
type Mapping struct {
	SQS            SQS
	QueueURL       string
	BatchSize      int
	Window         time.Duration
	MaxConcurrency int
	// Invoke runs the function with an SQS event; functionError is an error the function returned.
	Invoke func(ctx context.Context, event []byte) (response []byte, functionError bool, err error)
	// Trace, when set, hears of each invocation's batch size.
	Trace func(size int)
	// PollBackoff is the wait after a failed ReceiveMessage, times the failures in a row (0:
	// 100 ms, about what Lambda's pollers wait).
	PollBackoff time.Duration

	Invocations atomic.Int64
	Delivered   atomic.Int64 // messages deleted after an invocation
	Failed      atomic.Int64 // messages reported failed (they come back)
	// Again counts messages handed to the function while another invocation held them, or after
	// they were posted: SQS delivers at least once (and moto's receive is not atomic under
	// concurrent pollers), so a second copy can reach the other execution environment, which has
	// not seen it. A message handed again after its invocation failed it is not counted.
	Again atomic.Int64
	// PollErrors counts ReceiveMessage calls that failed (moto answers 500 when overloaded):
	// Lambda's pollers back off and poll again, and so does the mapping; a message received by
	// a call whose answer was lost comes back after the visibility timeout, as in SQS.
	PollErrors atomic.Int64
	// DeleteErrors counts DeleteMessageBatch calls that failed and were made again.
	DeleteErrors atomic.Int64

	errs   chan error
	mu     sync.Mutex
	handed map[string]string // message id → "held", "done" or "failed"
}

// Run polls until ctx ends; errors of the harness itself (not the function's) are returned.
func (m *Mapping) Run(ctx context.Context) error {
	m.errs = make(chan error, m.MaxConcurrency)
	var wg sync.WaitGroup
	for range m.MaxConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			failedPolls := 0
			backoff := m.PollBackoff
			if backoff <= 0 {
				backoff = 100 * time.Millisecond
			}
			for ctx.Err() == nil {
				err := m.once(ctx)
				var poll *pollError
				switch {
				case err == nil || ctx.Err() != nil:
					failedPolls = 0
				case errors.As(err, &poll) && failedPolls < maxFailedPolls:
					failedPolls++
					m.PollErrors.Add(1)
					select { // back off as Lambda's pollers do
					case <-ctx.Done():
					case <-time.After(time.Duration(failedPolls) * backoff):
					}
				default:
					m.errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(m.errs)
	return <-m.errs
}

// maxFailedPolls is how many ReceiveMessage calls in a row may fail before the mapping gives up
// (the queue is gone, or the endpoint is down for good).
const maxFailedPolls = 20

// pollError is a ReceiveMessage call that failed: the poller backs off and polls again.
type pollError struct{ err error }

func (e *pollError) Error() string { return e.err.Error() }
func (e *pollError) Unwrap() error { return e.err }

type message struct {
	MessageID     string `json:"MessageId"`
	ReceiptHandle string
	Body          string
	MD5OfBody     string
	Attributes    map[string]string
}

func (m *Mapping) once(ctx context.Context) error {
	batch, err := m.gather(ctx)
	if len(batch) == 0 {
		return err
	}
	if err != nil { // a poll failed after others had gathered these: they are handed over all the same
		if ierr := m.invoke(ctx, batch); ierr != nil {
			return ierr
		}
		return err // then the poller backs off
	}
	return m.invoke(ctx, batch)
}

// invoke hands batch to the function and deletes what it did not fail.
func (m *Mapping) invoke(ctx context.Context, batch []message) error {
	event, err := sqsEvent(m.QueueURL, batch)
	if err != nil {
		return err
	}
	m.Invocations.Add(1)
	m.mu.Lock()
	if m.handed == nil {
		m.handed = map[string]string{}
	}
	for _, msg := range batch {
		if st := m.handed[msg.MessageID]; st == "held" || st == "done" {
			m.Again.Add(1)
		}
		m.handed[msg.MessageID] = "held"
	}
	m.mu.Unlock()
	if m.Trace != nil {
		m.Trace(len(batch))
	}
	resp, fnErr, err := m.Invoke(ctx, event)
	if err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	failed := map[string]bool{}
	if fnErr {
		for _, msg := range batch {
			failed[msg.MessageID] = true
		}
	} else {
		var r struct {
			BatchItemFailures []struct {
				ItemIdentifier string `json:"itemIdentifier"`
			} `json:"batchItemFailures"`
		}
		ids := map[string]bool{}
		for _, msg := range batch {
			ids[msg.MessageID] = true
		}
		if len(resp) > 0 && string(resp) != "null" {
			if err := json.Unmarshal(resp, &r); err != nil {
				r.BatchItemFailures = nil
				for id := range ids {
					failed[id] = true
				}
			}
		}
		for _, f := range r.BatchItemFailures {
			if !ids[f.ItemIdentifier] { // Lambda: an unknown or empty id fails the whole batch
				for id := range ids {
					failed[id] = true
				}
				break
			}
			failed[f.ItemIdentifier] = true
		}
	}
	// The rest is deleted, ten at a time, as the mapping does.
	var done []map[string]string
	for _, msg := range batch {
		m.mu.Lock()
		if failed[msg.MessageID] {
			m.handed[msg.MessageID] = "failed"
		} else {
			m.handed[msg.MessageID] = "done"
		}
		m.mu.Unlock()
		if failed[msg.MessageID] {
			m.Failed.Add(1)
			continue
		}
		done = append(done, map[string]string{"Id": fmt.Sprint(len(done)), "ReceiptHandle": msg.ReceiptHandle})
	}
	for len(done) > 0 {
		chunk := done[:min(10, len(done))]
		done = done[len(chunk):]
		if err := m.delete(context.WithoutCancel(ctx), chunk); err != nil {
			return err
		}
		m.Delivered.Add(int64(len(chunk)))
	}
	return nil
}

// deleteAttempts is how many times a DeleteMessageBatch call that failed (moto answers 500 when
// overloaded) is made before the harness gives up: the mapping retries it, as AWS's clients do,
// instead of leaving done messages to come back after the visibility timeout.
const deleteAttempts = 4

// delete deletes up to ten messages, retrying a failed call (counted in DeleteErrors).
func (m *Mapping) delete(ctx context.Context, entries []map[string]string) error {
	backoff := m.PollBackoff
	if backoff <= 0 {
		backoff = 100 * time.Millisecond
	}
	for attempt := 1; ; attempt++ {
		var out struct{ Failed []any }
		err := m.SQS.Call(ctx, "DeleteMessageBatch", map[string]any{"QueueUrl": m.QueueURL, "Entries": entries}, &out)
		if err == nil && len(out.Failed) > 0 {
			return fmt.Errorf("DeleteMessageBatch: %d not deleted: %v", len(out.Failed), out.Failed)
		}
		if err == nil || attempt == deleteAttempts {
			return err
		}
		m.DeleteErrors.Add(1)
		time.Sleep(time.Duration(attempt) * backoff)
	}
}

// gather receives one batch: up to BatchSize messages, until Window after the first one.
func (m *Mapping) gather(ctx context.Context) ([]message, error) {
	var (
		batch    []message
		deadline time.Time
	)
	for len(batch) < m.BatchSize && ctx.Err() == nil {
		wait := 1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			if left < time.Second {
				wait = 0 // SQS waits in whole seconds: take what is there
			}
		}
		var out struct{ Messages []message }
		err := m.SQS.Call(ctx, "ReceiveMessage", map[string]any{"QueueUrl": m.QueueURL, "MaxNumberOfMessages": min(10, m.BatchSize-len(batch)),
			"WaitTimeSeconds": wait, "MessageSystemAttributeNames": []string{"All"}}, &out)
		if err != nil {
			if ctx.Err() != nil {
				return batch, nil
			}
			// The messages gathered so far are in the poller's hands: they are handed over (a
			// poller that dropped them would leave them invisible for the visibility timeout,
			// minutes). Messages the failed call itself took, if any, come back after it, as in SQS.
			return batch, &pollError{err}
		}
		if len(out.Messages) > 0 && deadline.IsZero() {
			deadline = time.Now().Add(m.Window)
		}
		batch = append(batch, out.Messages...)
		if wait == 0 && len(out.Messages) == 0 {
			time.Sleep(min(time.Until(deadline), 50*time.Millisecond)) // a short poll found nothing: let the window run
		}
	}
	return batch, nil
}

// sqsEvent is the event Lambda builds for a batch.
func sqsEvent(queueURL string, batch []message) ([]byte, error) {
	records := make([]map[string]any, 0, len(batch))
	for _, msg := range batch {
		records = append(records, map[string]any{
			"messageId": msg.MessageID, "receiptHandle": msg.ReceiptHandle, "body": msg.Body, "attributes": msg.Attributes,
			"messageAttributes": map[string]any{}, "md5OfBody": msg.MD5OfBody, "eventSource": "aws:sqs",
			"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:overflow", "awsRegion": "us-east-1",
		})
	}
	return json.Marshal(map[string]any{"Records": records})
}
