package relay

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
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
	if s := NewWebhook(nil).Screen(Notice{Notification: alarm.Notification{Text: "plain"}}); s.Skip {
		t.Errorf("webhook, a notification without an alarm: %+v, want shown", s)
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

// A Slack app destination takes Slack messages only: another messenger's payload is an error,
// and nothing reaches the incidents.
func TestSlackAppTakesSlackMessagesOnly(t *testing.T) {
	k := &keeper{}
	n := alarm.Notification{Subject: "x", Text: "y"}
	p, err := render.Build(render.Teams, n, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSlackApp(k).Deliver(context.Background(), Notice{Notification: n}, p); err == nil || !strings.Contains(err.Error(), "Slack messages only") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewSlackApp(k).Announce(context.Background(), "k", p); err == nil {
		t.Error("a Teams card was announced in Slack")
	}
	if len(k.changes)+len(k.posts) != 0 {
		t.Errorf("the incidents were asked: %+v %q", k.changes, k.posts)
	}
}

// TestWithoutBlanks: a Slack app call that failed before deciding logs no empty action, channel
// or ts, and keeps every other pair as it was.
func TestWithoutBlanks(t *testing.T) {
	in := []any{"action", "", "channel", "C1", "root_ts", "", "duration_ms", int64(0), "new_root", false}
	got := withoutBlanks(in)
	want := []any{"channel", "C1", "duration_ms", int64(0), "new_root", false}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("withoutBlanks(%v) = %v; want %v", in, got, want)
	}
	if len(in) != 10 || in[1] != "" {
		t.Fatalf("withoutBlanks changed its input: %v", in)
	}
}
