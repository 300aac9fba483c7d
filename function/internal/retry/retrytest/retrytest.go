// Package retrytest is a retry.Clock for tests: it records the waits a retry loop asks for and
// moves its own time on by them, without waiting, so that no test sleeps.
package retrytest

import (
	"context"
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/retry"
)

// Clock is a fake clock starting at a given time.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

// New starts a clock at start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time: its start plus every wait so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep records d and moves the clock on by it, at once.
func (c *Clock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

// Waits are the waits asked for so far, in order.
func (c *Clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// Retry is the clock for a retry loop: its time and its waits.
func (c *Clock) Retry() retry.Clock { return retry.Clock{Now: c.Now, Sleep: c.Sleep} }

// Waiting is the clock with only its waits: the loop reads real time (for contexts whose
// deadlines are real), and no wait happens.
func (c *Clock) Waiting() retry.Clock { return retry.Clock{Sleep: c.Sleep} }
