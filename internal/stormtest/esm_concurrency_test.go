package stormtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMappingMaxConcurrency: never more invocations at once than MaxConcurrency, and that many
// when the queue has the messages. The first MaxConcurrency invocations are held while the
// queue still has messages: a poller too many would invoke beside them meanwhile. (The hold is no
// timing assertion: a right mapping passes however long it lasts.)
func TestMappingMaxConcurrency(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			const messages = 24
			q := newQueue(t, 0, 5)
			q.send(t, messages)
			var inFlight, most atomic.Int64
			full, over := make(chan struct{}), make(chan struct{})
			var fullOnce, overOnce sync.Once
			m := &Mapping{SQS: q.sqs, QueueURL: q.url, BatchSize: 2, MaxConcurrency: limit}
			stop, check := doneWhen(func() bool { return m.Delivered.Load() == messages })
			m.Invoke = func(ctx context.Context, event []byte) ([]byte, bool, error) {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for {
					old := most.Load()
					if n <= old || most.CompareAndSwap(old, n) {
						break
					}
				}
				if n > int64(limit) {
					overOnce.Do(func() { close(over) })
				}
				if n == int64(limit) {
					fullOnce.Do(func() { close(full) })
				}
				select { // the first wave: all of them at once, then a while for one too many
				case <-full:
				case <-ctx.Done():
				}
				select {
				case <-over:
				case <-ctx.Done():
				case <-time.After(200 * time.Millisecond):
				}
				return nil, false, nil
			}
			watch(stop, check)
			if err := run(t, m, stop); err != nil {
				t.Fatal(err)
			}
			if n := most.Load(); n != int64(limit) {
				t.Errorf("at most %d invocations at once; want exactly MaxConcurrency %d", n, limit)
			}
			if n := m.Delivered.Load(); n != messages {
				t.Errorf("%d delivered; want %d", n, messages)
			}
		})
	}
}
