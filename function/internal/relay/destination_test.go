package relay

import (
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// One type per kind of destination, each the whole Destination.
var (
	_ Destination = (*Webhook)(nil)
	_ Destination = (*SlackApp)(nil)
)

// The settling memory is the webhook's alone: a Slack app destination screens nothing out (its
// incident decides), and after a window a webhook shows only alarms still in ALARM.
func TestScreen(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	settling := &alarm.Alarm{ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a", State: alarm.StateOK, PreviousState: alarm.StateInsufficientData,
		ChangedAt: at, ConfigUpdatedAt: at.Add(-time.Minute)}
	if !settling.Settling() {
		t.Fatal("fixture is not settling")
	}
	n := Notice{Notification: alarm.Notification{Alarm: settling}, Now: at}
	if s := NewWebhook(nil).Screen(n); !s.Skip || s.Why == "" {
		t.Errorf("webhook: %+v, want a settling alarm skipped with a reason", s)
	}
	if s := NewSlackApp(nil).Screen(n); s.Skip {
		t.Errorf("slack app: %+v, want nothing screened out", s)
	}
	after := Notice{Notification: alarm.Notification{Alarm: &alarm.Alarm{State: alarm.StateOK}}, AfterWindow: true}
	if s := NewWebhook(nil).Screen(after); !s.Skip || s.Why != "" {
		t.Errorf("webhook after a window, OK: %+v, want skipped silently", s)
	}
	after.Alarm.State = alarm.StateAlarm
	if s := NewWebhook(nil).Screen(after); s.Skip {
		t.Errorf("webhook after a window, ALARM: %+v, want shown", s)
	}
}
