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
