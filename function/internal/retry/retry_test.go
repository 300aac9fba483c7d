package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoffStaysWithinItsCeiling(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for _, tt := range []struct {
		attempt int
		ceiling time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second}, // 1.6 s capped
		{64, time.Second},
		{1 << 30, time.Second}, // no overflow of the shift
	} {
		for range 200 {
			if d := p.Backoff(tt.attempt); d <= 0 || d > tt.ceiling {
				t.Fatalf("Backoff(%d) = %v, want within (0, %v]", tt.attempt, d, tt.ceiling)
			}
		}
	}
}

func TestBackoffOfZeroDelaysIsZero(t *testing.T) {
	if d := (Policy{}).Backoff(3); d != 0 {
		t.Errorf("zero policy: Backoff = %v, want 0", d)
	}
	// MaxDelay caps every wait, so a base without a cap waits nothing.
	if d := (Policy{BaseDelay: time.Millisecond}).Backoff(1); d != 0 {
		t.Errorf("no MaxDelay: Backoff = %v, want 0", d)
	}
}

func TestDefaultPolicyLeavesRoomForAFailureReport(t *testing.T) {
	p := DefaultPolicy
	if p.MaxAttempts < 2 || p.BaseDelay <= 0 || p.MaxDelay < p.BaseDelay || p.AttemptTimeout <= 0 || p.Reserve <= 0 {
		t.Fatalf("DefaultPolicy = %+v: every bound must be set", p)
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
}

func TestTimeoutLeavesTheReserve(t *testing.T) {
	p := Policy{AttemptTimeout: 10 * time.Second, Reserve: 500 * time.Millisecond}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if got := p.Timeout(context.Background(), now); got != 10*time.Second {
		t.Errorf("without a deadline: Timeout = %v, want AttemptTimeout", got)
	}
	for _, tt := range []struct {
		left, want time.Duration
	}{
		{time.Minute, 10 * time.Second},
		{3 * time.Second, 2500 * time.Millisecond},
		{500 * time.Millisecond, 0},
		{-time.Second, -1500 * time.Millisecond},
	} {
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(tt.left))
		if got := p.Timeout(ctx, now); got != tt.want {
			t.Errorf("%v before the deadline: Timeout = %v, want %v", tt.left, got, tt.want)
		}
		cancel()
	}
}

func TestWaitHonoursRetryAfterUntilTheDeadline(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, Reserve: 500 * time.Millisecond}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

	if wait, err := p.Wait(context.Background(), now, 1, 30*time.Second); err != nil || wait != 30*time.Second {
		t.Errorf("no deadline, Retry-After 30s: Wait = %v, %v; want 30s", wait, err)
	}
	if wait, err := p.Wait(context.Background(), now, 1, 0); err != nil || wait <= 0 || wait > p.BaseDelay {
		t.Errorf("no Retry-After: Wait = %v, %v; want the first backoff", wait, err)
	}

	ctx, cancel := context.WithDeadline(context.Background(), now.Add(2*time.Second))
	defer cancel()
	if wait, err := p.Wait(ctx, now, 1, time.Second); err != nil || wait != time.Second {
		t.Errorf("1s wait, 2s left: Wait = %v, %v; want 1s", wait, err)
	}
	// 1.5 s wait + 0.5 s reserve reaches the deadline exactly: too late.
	if _, err := p.Wait(ctx, now, 1, 1500*time.Millisecond); err == nil || err.Error() != "no time left to retry after 1.5s before the deadline" {
		t.Errorf("1.5s wait, 2s left with 0.5s reserve: err = %v, want no time left", err)
	}
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct {
		what, said, detail, reason string
		status, attempts           int
		want                       string
	}{
		{"slack webhook", "invalid_payload", "", "rejected; not retried", 400, 1, `slack webhook answered HTTP 400 "invalid_payload": rejected; not retried (1 attempt)`},
		{"slack chat.update", "msg_too_long", "see docs", "the message is too long", 200, 2, `slack chat.update answered HTTP 200 "msg_too_long" (see docs): the message is too long (2 attempts)`},
		{"teams webhook", "", "", "post webhook: timed out", 0, 6, `teams webhook: post webhook: timed out (6 attempts)`},
		{"teams webhook", "", "", "", 503, 3, `teams webhook answered HTTP 503 (3 attempts)`},
	} {
		if got := Describe(tt.what, tt.status, tt.said, tt.detail, tt.reason, tt.attempts); got != tt.want {
			t.Errorf("Describe = %s\nwant       %s", got, tt.want)
		}
	}
}
