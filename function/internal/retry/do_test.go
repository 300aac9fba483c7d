package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/retry/retrytest"
)

// Do's decisions, each from a script of attempt outcomes: when it stops, after how many attempts,
// what it waited, and why it says it stopped.
func TestDo(t *testing.T) {
	policy := retry.Policy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, AttemptTimeout: time.Second, Reserve: time.Second}
	retryIn := func(d time.Duration) retry.Outcome { return retry.Outcome{Retry: true, RetryAfter: d} }
	done, final := retry.Outcome{Done: true}, retry.Outcome{}
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		script   []retry.Outcome
		deadline time.Duration // from start; 0: none
		attempts int
		waits    string
		stopped  string
	}{
		{"done at once", []retry.Outcome{done}, 0, 1, "[]", ""},
		{"retried after the server's wait", []retry.Outcome{retryIn(3 * time.Second), done}, 0, 2, "[3s]", ""},
		{"final failure", []retry.Outcome{final, done}, 0, 1, "[]", ""},
		{"out of attempts", []retry.Outcome{retryIn(time.Second), retryIn(time.Second), retryIn(time.Second), done}, 0, 3, "[1s 1s]", ""},
		{"no time to wait", []retry.Outcome{retryIn(30 * time.Second), done}, 10 * time.Second, 1, "[]", "no time left to retry after 30s before the deadline"},
		{"the reserve counts", []retry.Outcome{retryIn(9 * time.Second), done}, 10 * time.Second, 1, "[]", "no time left to retry after 9s before the deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := retrytest.New(start)
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, start.Add(tt.deadline))
				defer cancel()
			}
			var numbers []int
			attempts, stopped := retry.Do(ctx, policy, clk.Retry(), func(_ context.Context, n int) retry.Outcome {
				numbers = append(numbers, n)
				return tt.script[n-1]
			})
			if attempts != tt.attempts || fmt.Sprint(clk.Waits()) != tt.waits || stopped != tt.stopped {
				t.Errorf("attempts %d, waits %v, stopped %q; want %d, %s, %q", attempts, clk.Waits(), stopped, tt.attempts, tt.waits, tt.stopped)
			}
			if fmt.Sprint(numbers) != fmt.Sprint(seq(attempts)) {
				t.Errorf("attempts numbered %v", numbers)
			}
		})
	}
}

// A wait cut short (the invocation is cancelled) ends the loop and says so.
func TestDoStopsWhenTheWaitIsCut(t *testing.T) {
	clock := retry.Clock{Sleep: func(context.Context, time.Duration) error { return context.Canceled }}
	policy := retry.Policy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, AttemptTimeout: time.Second}
	attempts, stopped := retry.Do(context.Background(), policy, clock, func(context.Context, int) retry.Outcome {
		return retry.Outcome{Retry: true}
	})
	if attempts != 1 || stopped != "stopped waiting to retry: "+context.Canceled.Error() {
		t.Errorf("attempts %d, stopped %q", attempts, stopped)
	}
}

// The zero Clock is the real one: its wait ends with its context.
func TestZeroClockIsReal(t *testing.T) {
	var c retry.Clock
	if d := time.Since(c.Time()); d < 0 || d > time.Minute {
		t.Errorf("Time() is %v away from now", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Wait(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want the context's end", err)
	}
}

func TestJoinReason(t *testing.T) {
	for _, tt := range [][3]string{{"", "", ""}, {"a", "", "a"}, {"", "b", "b"}, {"a", "b", "a; b"}} {
		if got := retry.JoinReason(tt[0], tt[1]); got != tt[2] {
			t.Errorf("JoinReason(%q, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}
