// Package retry is what the relay's HTTP clients share when a failed attempt may pass later: the
// bounds of their retries, a jittered backoff, and a wait that ends with its context. What counts
// as worth retrying stays with each client (a messenger's judge, Slack's error codes, AWS's).
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
