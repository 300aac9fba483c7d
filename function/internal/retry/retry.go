// Package retry is what the relay's HTTP clients share when a failed attempt may pass later: the
// bounds of their retries, a jittered backoff, a wait that ends with its context, and the loop
// itself (Do, on a Clock that tests replace). What counts as worth retrying stays with each client
// (a messenger's judge, Slack's error codes, AWS's).
package retry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Policy bounds the retries. The zero value is not useful; start from DefaultPolicy.
type Policy struct {
	MaxAttempts    int           // attempts in all, the first included
	BaseDelay      time.Duration // first backoff; doubles each retry, with full jitter
	MaxDelay       time.Duration // cap of one backoff
	AttemptTimeout time.Duration // cap of one HTTP attempt
	// Reserve is kept free before the context's deadline, so the invocation can still report
	// the failure (and Lambda can retry it) instead of being killed mid-attempt.
	Reserve time.Duration
}

// DefaultPolicy suits a Lambda timeout of 30 s or more; a shorter deadline simply means fewer attempts.
var DefaultPolicy = Policy{
	MaxAttempts:    6,
	BaseDelay:      250 * time.Millisecond,
	MaxDelay:       8 * time.Second,
	AttemptTimeout: 10 * time.Second,
	Reserve:        500 * time.Millisecond,
}

// Backoff is "full jitter" after the given failed attempt (1 for the first): a random wait in
// (0, BaseDelay·2^(attempt-1)], capped at MaxDelay; 0 when both delays are 0.
func (p Policy) Backoff(attempt int) time.Duration {
	ceiling := p.BaseDelay << min(max(attempt-1, 0), 20)
	if ceiling <= 0 || ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling))) + 1
}

// Timeout bounds the next attempt: AttemptTimeout, or less when ctx's deadline (less the Reserve)
// comes first. Zero or less means there is no time for another attempt.
func (p Policy) Timeout(ctx context.Context, now time.Time) time.Duration {
	timeout := p.AttemptTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, deadline.Sub(now)-p.Reserve)
	}
	return timeout
}

// Wait is how long to wait after a failed attempt (1 for the first) before the next: the server's
// retryAfter when it gave one, else the backoff. The error says so when that wait would not end
// before ctx's deadline less the Reserve: then there is no point in waiting.
func (p Policy) Wait(ctx context.Context, now time.Time, attempt int, retryAfter time.Duration) (time.Duration, error) {
	wait := retryAfter
	if wait <= 0 {
		wait = p.Backoff(attempt)
	}
	if deadline, ok := ctx.Deadline(); ok && wait >= deadline.Sub(now)-p.Reserve {
		return wait, fmt.Errorf("no time left to retry after %s before the deadline", wait.Round(time.Millisecond))
	}
	return wait, nil
}

// Describe words a request that failed after its attempts, the same way for every client:
// `<what> answered HTTP <status> "<said>" (<detail>): <reason> (<n> attempts)`, leaving out what is
// empty (status 0: no answer came). Callers pass only text that is already redacted.
func Describe(what string, status int, said, detail, reason string, attempts int) string {
	var b strings.Builder
	b.WriteString(what)
	if status != 0 {
		fmt.Fprintf(&b, " answered HTTP %d", status)
	}
	if said != "" {
		fmt.Fprintf(&b, " %q", said)
	}
	if detail != "" {
		fmt.Fprintf(&b, " (%s)", detail)
	}
	if reason != "" {
		b.WriteString(": " + reason)
	}
	fmt.Fprintf(&b, " (%d attempt", attempts)
	if attempts != 1 {
		b.WriteByte('s')
	}
	b.WriteByte(')')
	return b.String()
}

// Sleep waits d, or less when ctx ends first (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Clock is the time a retry loop reads and waits on. A nil Now or Sleep is the real one
// (time.Now, Sleep); tests give a clock that records the waits without waiting (retrytest).
type Clock struct {
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Time is the clock's current time.
func (c Clock) Time() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Wait waits d on the clock, or less when ctx ends first (then it returns ctx's error).
func (c Clock) Wait(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// Outcome is what one attempt tells the loop: done, or worth another try (and after how long).
type Outcome struct {
	Done       bool          // the request did what it was for: stop
	Retry      bool          // not done, but the same request may pass later
	RetryAfter time.Duration // the server's own wait before a retry; 0: the backoff decides
}

// Do makes attempts until one is done, one fails for good, p.MaxAttempts were made, or the next
// wait would not end before ctx's deadline less p.Reserve (or ctx ends during it). attempt gets
// the attempt's number, 1 for the first; each attempt bounds itself (p.Timeout). Do returns the
// number of attempts and, when it stopped while a retry was still worth making, why (e.g. "no
// time left to retry after 30s before the deadline"); that is "" when the last attempt was done,
// final, or the last one allowed. What the attempts found is the caller's, kept by attempt.
func Do(ctx context.Context, p Policy, clock Clock, attempt func(ctx context.Context, n int) Outcome) (attempts int, stopped string) {
	for n := 1; ; n++ {
		o := attempt(ctx, n)
		if o.Done || !o.Retry || n >= p.MaxAttempts {
			return n, ""
		}
		wait, err := p.Wait(ctx, clock.Time(), n, o.RetryAfter)
		if err != nil {
			return n, err.Error()
		}
		if err := clock.Wait(ctx, wait); err != nil {
			return n, "stopped waiting to retry: " + err.Error()
		}
	}
}

// JoinReason joins two parts of a failure's reason with "; ", leaving out an empty one.
func JoinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
