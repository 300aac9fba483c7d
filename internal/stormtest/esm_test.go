package stormtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flakySQS is the in-memory SQS with its first failReceives ReceiveMessage calls (and the
// failAt-th, when set) answered HTTP 500 (as moto does when overloaded), and beforeReceive, when
// set, run before the n-th (1-based) ReceiveMessage call that is passed on.
type flakySQS struct {
	*MemSQS
	failReceives  int64
	failAt        int64
	failDeletes   int64 // the first failDeletes DeleteMessageBatch calls answered HTTP 500
	deletes       atomic.Int64
	receives      atomic.Int64 // every ReceiveMessage call
	beforeReceive func(n int64)
}

func (f *flakySQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "AmazonSQS.DeleteMessageBatch" && f.deletes.Add(1) <= f.failDeletes {
		http.Error(w, `{"__type":"InternalError","message":"overloaded"}`, http.StatusInternalServerError)
		return
	}
	if r.Header.Get("X-Amz-Target") == "AmazonSQS.ReceiveMessage" {
		n := f.receives.Add(1)
		if n <= f.failReceives || n == f.failAt {
			http.Error(w, `{"__type":"InternalError","message":"overloaded"}`, http.StatusInternalServerError)
			return
		}
		if f.beforeReceive != nil {
			f.beforeReceive(n - f.failReceives)
		}
	}
	f.MemSQS.ServeHTTP(w, r)
}

// queueFixture is an overflow queue (visibility timeout 1 s: a failed message comes back soon)
// redriving to its dead-letter queue after maxReceives, behind a loopback server.
type queueFixture struct {
	sqs      SQS
	flaky    *flakySQS
	url, dlq string
	sentBody []string
}

func newQueue(t *testing.T, failReceives int64, maxReceives int) *queueFixture {
	t.Helper()
	return newQueueHiding(t, failReceives, maxReceives, time.Second)
}

// newQueueHiding is newQueue with the visibility timeout given.
func newQueueHiding(t *testing.T, failReceives int64, maxReceives int, visibility time.Duration) *queueFixture {
	t.Helper()
	f := &flakySQS{MemSQS: NewMemSQS(), failReceives: failReceives}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	q := &queueFixture{sqs: SQS{Endpoint: srv.URL}, flaky: f}
	var err error
	if q.url, q.dlq, err = q.sqs.Queues(context.Background(), "overflow", visibility, maxReceives); err != nil {
		t.Fatal(err)
	}
	return q
}

func (q *queueFixture) send(t *testing.T, n int) {
	t.Helper()
	for range n {
		body := fmt.Sprintf("message %d", len(q.sentBody)+1)
		if err := q.sqs.Call(context.Background(), "SendMessage", map[string]any{"QueueUrl": q.url, "MessageBody": body}, nil); err != nil {
			t.Fatal(err)
		}
		q.sentBody = append(q.sentBody, body)
	}
}

// received collects what the function was handed, and ends the mapping (cancel) once every
// message is done.
type received struct {
	mu      sync.Mutex
	bodies  map[string]int // body → times handed
	ids     map[string]string
	batches []int
}

func (r *received) take(t *testing.T, event []byte) []string {
	t.Helper()
	var ev struct {
		Records []struct {
			MessageID string `json:"messageId"`
			Body      string `json:"body"`
		}
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Errorf("the event is not an SQS event: %v", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bodies == nil {
		r.bodies, r.ids = map[string]int{}, map[string]string{}
	}
	r.batches = append(r.batches, len(ev.Records))
	var ids []string
	for _, rec := range ev.Records {
		r.bodies[rec.Body]++
		r.ids[rec.Body] = rec.MessageID
		ids = append(ids, rec.MessageID)
	}
	return ids
}

// run runs m until stop is closed (or 30 s, a hang), and returns Run's error.
func run(t *testing.T, m *Mapping, stop <-chan struct{}) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-stop:
		cancel()
		return <-done
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		cancel()
		<-done
		t.Fatal("the mapping did not finish within 30 s")
		return nil
	}
}

// doneWhen gives a channel that check closes once cond holds.
func doneWhen(cond func() bool) (stop chan struct{}, check func()) {
	stop = make(chan struct{})
	var once sync.Once
	return stop, func() {
		if cond() {
			once.Do(func() { close(stop) })
		}
	}
}

// TestMappingRetriesFailedPolls: ReceiveMessage calls that fail are retried (counted in
// PollErrors) and every message still reaches the function once; maxFailedPolls failures in a
// row end the mapping with the error.
func TestMappingRetriesFailedPolls(t *testing.T) {
	t.Run("failed polls are retried; nothing is lost", func(t *testing.T) {
		const failures, messages = 3, 12
		q := newQueue(t, failures, 5)
		q.send(t, messages)
		var got received
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 5, MaxConcurrency: 1, PollBackoff: time.Millisecond}
		stop, check := doneWhen(func() bool { return m.Delivered.Load() == messages })
		m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
			got.take(t, event)
			return nil, false, nil
		}
		watch(stop, check)
		if err := run(t, m, stop); err != nil {
			t.Fatalf("Run: %v; want the failed polls retried", err)
		}
		if n := m.PollErrors.Load(); n != failures {
			t.Errorf("PollErrors %d; want %d", n, failures)
		}
		for _, body := range q.sentBody {
			if got.bodies[body] != 1 {
				t.Errorf("%q handed %d times; want once", body, got.bodies[body])
			}
		}
		if n, _ := q.sqs.Count(context.Background(), q.url); n != 0 {
			t.Errorf("%d messages left in the queue; want none", n)
		}
	})

	t.Run("a poll failing while a batch is gathered hands over what was gathered", func(t *testing.T) {
		// A visibility timeout no test waits for: dropped, the gathered messages would not come
		// back (the stack's is minutes, longer than a storm test waits).
		q := newQueueHiding(t, 0, 5, time.Hour)
		q.send(t, 3)
		q.flaky.failAt = 2 // the first receive takes the three; the next one, in the window, fails
		var got received
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 5, Window: time.Hour, MaxConcurrency: 1, PollBackoff: time.Millisecond}
		stop, check := doneWhen(func() bool { return m.Delivered.Load() == 3 })
		m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
			got.take(t, event)
			return nil, false, nil
		}
		watch(stop, check)
		if err := run(t, m, stop); err != nil {
			t.Fatalf("Run: %v; want the failed poll retried", err)
		}
		if fmt.Sprint(got.batches) != "[3]" || m.PollErrors.Load() != 1 {
			t.Errorf("batches %v, %d poll errors; want one batch of the 3 gathered, 1 poll error", got.batches, m.PollErrors.Load())
		}
		for _, body := range q.sentBody {
			if got.bodies[body] != 1 {
				t.Errorf("%q handed %d times; want once", body, got.bodies[body])
			}
		}
	})

	t.Run("a failed DeleteMessageBatch is made again; the messages are not handed twice", func(t *testing.T) {
		q := newQueueHiding(t, 0, 5, time.Hour)
		q.flaky.failDeletes = deleteAttempts - 1
		q.send(t, 3)
		var got received
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 5, Window: time.Millisecond, MaxConcurrency: 1, PollBackoff: time.Millisecond}
		stop, check := doneWhen(func() bool { return m.Delivered.Load() == 3 })
		m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
			got.take(t, event)
			return nil, false, nil
		}
		watch(stop, check)
		if err := run(t, m, stop); err != nil {
			t.Fatalf("Run: %v; want the failed deletes made again", err)
		}
		if n := m.DeleteErrors.Load(); n != deleteAttempts-1 {
			t.Errorf("DeleteErrors %d; want %d", n, deleteAttempts-1)
		}
		if n, _ := q.sqs.Count(context.Background(), q.url); n != 0 || m.Again.Load() != 0 {
			t.Errorf("%d messages left in the queue, %d handed again; want none", n, m.Again.Load())
		}
	})

	t.Run("maxFailedPolls failures in a row end the mapping", func(t *testing.T) {
		q := newQueue(t, 1<<40, 5)
		q.send(t, 1)
		var invoked atomic.Int64
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 5, MaxConcurrency: 1, PollBackoff: time.Millisecond,
			Invoke: func(context.Context, []byte) ([]byte, bool, error) { invoked.Add(1); return nil, false, nil }}
		err := run(t, m, nil)
		var poll *pollError
		if !errors.As(err, &poll) || !strings.Contains(err.Error(), "HTTP 500") {
			t.Errorf("Run: %v; want the ReceiveMessage error", err)
		}
		if n := m.PollErrors.Load(); n != maxFailedPolls {
			t.Errorf("PollErrors %d; want %d (then the error)", n, maxFailedPolls)
		}
		if n := q.flaky.receives.Load(); n != maxFailedPolls+1 {
			t.Errorf("%d ReceiveMessage calls; want %d", n, maxFailedPolls+1)
		}
		if invoked.Load() != 0 {
			t.Errorf("the function was invoked %d times; want never", invoked.Load())
		}
	})
}

// TestMappingBatches: a batch holds at most BatchSize messages, gathered across receives while
// the window is open (messages sent after the first one's receive join it), and ends as soon as
// it is full, without waiting out the window.
func TestMappingBatches(t *testing.T) {
	t.Run("at most BatchSize, the rest in the next batches", func(t *testing.T) {
		q := newQueue(t, 0, 5)
		q.send(t, 12)
		var got received
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 5, Window: 50 * time.Millisecond, MaxConcurrency: 1}
		stop, check := doneWhen(func() bool { return m.Delivered.Load() == 12 })
		m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
			got.take(t, event)
			return nil, false, nil
		}
		watch(stop, check)
		if err := run(t, m, stop); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.batches) != "[5 5 2]" || m.Invocations.Load() != 3 {
			t.Errorf("batches %v in %d invocations; want [5 5 2] in 3", got.batches, m.Invocations.Load())
		}
	})

	t.Run("messages sent within the window join the batch; a full batch does not wait", func(t *testing.T) {
		q := newQueue(t, 0, 5)
		q.send(t, 3)
		q.flaky.beforeReceive = func(n int64) {
			if n == 2 { // the second receive of the first batch: two more arrive meanwhile
				for i := range 2 {
					body := fmt.Sprintf("late %d", i)
					_ = q.sqs.Call(context.Background(), "SendMessage", map[string]any{"QueueUrl": q.url, "MessageBody": body}, nil)
				}
			}
		}
		var got received
		// A window no test waits for: the batch must end because it is full.
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 5, Window: time.Hour, MaxConcurrency: 1}
		stop := make(chan struct{})
		m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
			got.take(t, event)
			close(stop)
			return nil, false, nil
		}
		if err := run(t, m, stop); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.batches) != "[5]" || got.bodies["late 0"] != 1 || got.bodies["late 1"] != 1 {
			t.Errorf("batches %v, handed %v; want one batch of 5 with the two late messages", got.batches, got.bodies)
		}
		if n := q.flaky.receives.Load(); n != 2 {
			t.Errorf("%d ReceiveMessage calls; want 2 (the batch full after the second)", n)
		}
	})
}

// watch calls check every few milliseconds until stop is closed: the tests end on counts, not on
// a time.
func watch(stop <-chan struct{}, check func()) {
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				check()
			}
		}
	}()
}

// TestMappingPartialBatchFailures: as Lambda's mapping with ReportBatchItemFailures does, the
// items a function reports failed come back (and go to the dead-letter queue after
// maxReceiveCount receives), the others are deleted; a function error, or an answer naming an id
// not in the batch, fails the whole batch.
func TestMappingPartialBatchFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		// answer is the function's answer to the first invocation with ids (its batch).
		answer     func(ids []string) (resp []byte, fnErr bool)
		wantFailed int64
	}{
		{"named items come back", func(ids []string) ([]byte, bool) {
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifier":%q},{"itemIdentifier":%q}]}`, ids[0], ids[3]), false
		}, 2},
		{"a function error fails the batch", func([]string) ([]byte, bool) { return []byte(`{"errorMessage":"boom"}`), true }, 4},
		{"an unknown id fails the batch", func([]string) ([]byte, bool) {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"not-in-the-batch"}]}`), false
		}, 4},
		{"an empty id fails the batch", func([]string) ([]byte, bool) {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`), false
		}, 4},
		{"an unreadable answer fails the batch", func([]string) ([]byte, bool) { return []byte(`{"batchItemFailures":`), false }, 4},
		{"an empty answer deletes the batch", func([]string) ([]byte, bool) { return nil, false }, 0},
		{"an empty list deletes the batch", func([]string) ([]byte, bool) { return []byte(`{"batchItemFailures":[]}`), false }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newQueue(t, 0, 5)
			q.send(t, 4)
			var got received
			var calls atomic.Int64
			m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 4, Window: 20 * time.Millisecond, MaxConcurrency: 1}
			stop, check := doneWhen(func() bool { return m.Delivered.Load() == 4 })
			m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
				ids := got.take(t, event)
				if calls.Add(1) == 1 {
					resp, fnErr := tc.answer(ids)
					return resp, fnErr, nil
				}
				return nil, false, nil
			}
			watch(stop, check)
			if err := run(t, m, stop); err != nil {
				t.Fatal(err)
			}
			if n := m.Failed.Load(); n != tc.wantFailed {
				t.Errorf("Failed %d; want %d", n, tc.wantFailed)
			}
			handed := 0
			for _, body := range q.sentBody {
				handed += got.bodies[body]
			}
			if handed != 4+int(tc.wantFailed) || m.Delivered.Load() != 4 {
				t.Errorf("handed %d times in batches %v, %d deleted; want %d, 4 deleted (the failed ones again)", handed, got.batches, m.Delivered.Load(), 4+tc.wantFailed)
			}
			if m.Again.Load() != 0 {
				t.Errorf("Again %d; want 0 (a failed message handed again is no duplicate)", m.Again.Load())
			}
		})
	}

	t.Run("an item failed maxReceiveCount times goes to the dead-letter queue", func(t *testing.T) {
		const maxReceives = 3
		q := newQueue(t, 0, maxReceives)
		q.send(t, 2)
		var got received
		var poison atomic.Value
		m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 2, Window: 20 * time.Millisecond, MaxConcurrency: 1}
		stop, check := doneWhen(func() bool {
			n, _ := q.sqs.Count(context.Background(), q.dlq)
			return m.Delivered.Load() == 1 && n == 1
		})
		m.Invoke = func(_ context.Context, event []byte) ([]byte, bool, error) {
			got.take(t, event)
			got.mu.Lock()
			id := got.ids["message 1"]
			got.mu.Unlock()
			poison.CompareAndSwap(nil, id)
			if slices.Contains(idsOf(event), poison.Load().(string)) {
				return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifier":%q}]}`, poison.Load()), false, nil
			}
			return nil, false, nil
		}
		watch(stop, check)
		if err := run(t, m, stop); err != nil {
			t.Fatal(err)
		}
		if got.bodies["message 1"] != maxReceives || got.bodies["message 2"] != 1 {
			t.Errorf("handed %v; want message 1 %d times (then dead-lettered), message 2 once", got.bodies, maxReceives)
		}
	})
}

func idsOf(event []byte) []string {
	var ev struct {
		Records []struct {
			MessageID string `json:"messageId"`
		}
	}
	_ = json.Unmarshal(event, &ev)
	var ids []string
	for _, r := range ev.Records {
		ids = append(ids, r.MessageID)
	}
	return ids
}
