package relay

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
)

const (
	latencyName = "orders-api latency (alarm-relay/dev)"
	latencyARN  = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + latencyName
	errorsName  = "orders-api errors (alarm-relay/dev)"
	errorsARN   = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + errorsName
	quietName   = "payments latency (alarm-relay/dev)"
	quietARN    = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + quietName
)

// windowsFor compiles windows for a test: sunday-deploy (Sun 02:00 for 2 hours in Seoul, every
// alarm) and, if asked, others.
func windowsFor(t *testing.T, specs ...maintenance.Spec) maintenance.Set {
	t.Helper()
	specs = append([]maintenance.Spec{{Name: "sunday-deploy", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 120, Timezone: "Asia/Seoul"}}, specs...)
	set, problems := maintenance.CompileAll(specs)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return set
}

func seoul(t *testing.T, clock string) time.Time {
	t.Helper()
	if len(clock) == 5 {
		clock += ":00"
	}
	v, err := time.Parse(time.RFC3339, "2026-12-06T"+clock+"+09:00") // a Sunday
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// changedAt is the fixture with its alarm's StateChangeTime set to at.
func changedAt(t *testing.T, name string, at time.Time) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture(t, name), &ev); err != nil {
		t.Fatal(err)
	}
	sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	var msg map[string]any
	if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
		return fixture(t, name) // text: no change time
	}
	msg["StateChangeTime"] = at.UTC().Format("2006-01-02T15:04:05.000-0700")
	raw, _ := json.Marshal(msg)
	sns["Message"] = string(raw)
	out, _ := json.Marshal(ev)
	return out
}

// TestHeldInsideAWindow: an alarm notification whose change happened inside a window is held —
// not posted, logged "held" with the window, no error (nothing retried or dead-lettered); outside
// it, for an alarm the window does not hold, or for a text message, it is posted. The change
// time decides, as it does for the window's summary (a change just before a window, delivered
// inside it, was not planned work); without a believable one, the time of delivery.
func TestHeldInsideAWindow(t *testing.T) {
	others := maintenance.Spec{Name: "errors-only", Days: []string{"Sat"}, Start: "23:00", DurationMinutes: 120, Timezone: "UTC", Alarms: []string{errorsName}}
	tests := []struct {
		name, event, changed, delivered string
		posted                          bool
	}{
		{"inside", "latency-alarm", "02:30:00", "02:30:05", false},
		{"recovery inside", "latency-ok", "03:59:00", "03:59:10", false},
		{"at the start", "latency-alarm", "02:00:00", "02:00:04", false},
		{"before", "latency-alarm", "01:59:00", "01:59:05", true},
		{"changed before, delivered inside", "latency-alarm", "01:59:58", "02:00:03", true},
		{"changed inside, delivered after", "latency-alarm", "03:59:58", "04:00:03", false},
		{"at the end", "latency-alarm", "04:00:00", "04:00:04", true},
		{"a change time in the future counts as now", "latency-alarm", "09:00:00", "02:30:00", false},
		{"text is never held", "plain-text", "02:30:00", "02:30:05", true},
		{"another alarm's window", "latency-alarm", "08:30:00", "08:30:05", true}, // errors-only holds 08:00-10:00 KST, not latency
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c, logs := setup(t, 200, "ok")
			r.SetWindows(windowsFor(t, others))
			r.SetClock(func() time.Time { return seoul(t, tt.delivered) })
			if err := r.HandleJSON(context.Background(), changedAt(t, tt.event, seoul(t, tt.changed))); err != nil {
				t.Fatalf("err = %v: a held notification is no failure", err)
			}
			if posted := c.received() > 0; posted != tt.posted {
				t.Errorf("posted = %v, want %v", posted, tt.posted)
			}
			held := strings.Contains(logs.String(), `"msg":"held"`)
			if held != !tt.posted || held && !strings.Contains(logs.String(), `"window":"sunday-deploy","changed_at":"`) {
				t.Errorf("log does not say held by sunday-deploy:\n%s", logs)
			}
			if held && strings.Contains(logs.String(), `"msg":"delivered"`) {
				t.Errorf("a held notification logged as delivered:\n%s", logs)
			}
		})
	}
}

func TestRemindersPauseInsideAWindow(t *testing.T) {
	now := seoul(t, "03:00")
	r, c, logs := setup(t, 200, "ok")
	r.SetWindows(windowsFor(t))
	r.SetClock(func() time.Time { return now })
	var asked []string
	r.SetAlarms(alarmStates(now, &asked))
	if err := r.HandleJSON(context.Background(), []byte(reminderEvent)); err != nil {
		t.Fatal(err)
	}
	if c.received() != 0 || !strings.Contains(logs.String(), `"msg":"reminder held","alarm":"orders-api latency","window":"sunday-deploy"`) {
		t.Errorf("%d reminders posted inside the window; log:\n%s", c.received(), logs)
	}
}

const endEvent = `{"alarmRelay":"windowEnd","window":"sunday-deploy","alarmArns":["` + latencyARN + `","` + errorsARN + `","` + quietARN + `"]}`

// states answers DescribeAlarms with the given alarms.
func states(alarms ...cwalarms.Alarm) AlarmsFunc {
	return func(context.Context, []string) ([]cwalarms.Alarm, error) { return alarms, nil }
}

// TestWindowEnd: the end event posts one summary of what changed inside the window and where each
// alarm is now, then the usual alert of each alarm that changed inside and is still in ALARM.
func TestWindowEnd(t *testing.T) {
	end := seoul(t, "04:00").Add(20 * time.Second) // the schedule runs within the minute
	tests := []struct {
		name    string
		alarms  []cwalarms.Alarm
		summary string // the Slack text fallback of the first post; "" for none
		alerts  []string
	}{
		{"quiet and all OK: nothing", []cwalarms.Alarm{
			{Name: latencyName, ARN: latencyARN, State: "OK", Since: seoul(t, "01:00")},
			{Name: quietName, ARN: quietARN, State: "OK", Since: seoul(t, "04:00").Add(10 * time.Second)}, // after the end: posted as usual already
		}, "", nil},
		{"one still in ALARM, two back to OK (one flapped)", []cwalarms.Alarm{
			{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14"), Reason: "Threshold Crossed: 1 datapoint [812.0] was greater than the threshold (300.0)."},
			{Name: errorsName, ARN: errorsARN, State: "OK", Since: seoul(t, "03:10")},
			{Name: quietName, ARN: quietARN, State: "OK", Since: seoul(t, "02:00")},
		}, "🔴 Maintenance window sunday-deploy ended: 3 alarms changed while their notifications were held.",
			[]string{"🔴 ALARM: " + latencyName}},
		{"all back to OK", []cwalarms.Alarm{
			{Name: latencyName, ARN: latencyARN, State: "OK", Since: seoul(t, "03:59")},
		}, "✅ Maintenance window sunday-deploy ended: 1 alarm changed while its notifications were held.", nil},
		{"in ALARM since before the window: told, not alerted again", []cwalarms.Alarm{
			{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "01:00")},
		}, "🔴 Maintenance window sunday-deploy ended: No alarm changed during the window.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c, logs := setup(t, 200, "ok")
			r.SetWindows(windowsFor(t))
			r.SetClock(func() time.Time { return end })
			r.SetAlarms(states(tt.alarms...))
			if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
				t.Fatal(err)
			}
			want := 0
			if tt.summary != "" {
				want = 1 + len(tt.alerts)
			}
			if c.received() != want {
				t.Fatalf("%d posts, want %d; log:\n%s", c.received(), want, logs)
			}
			if want == 0 {
				if !strings.Contains(logs.String(), "window ended quietly") {
					t.Errorf("log:\n%s", logs)
				}
				return
			}
			if text, _ := c.payloads[0]["text"].(string); text != tt.summary {
				t.Errorf("summary %q, want %q", text, tt.summary)
			}
			for i, a := range tt.alerts {
				if text, _ := c.payloads[1+i]["text"].(string); !strings.HasPrefix(text, a) {
					t.Errorf("alert %d = %q, want %q", i, text, a)
				}
			}
		})
	}
}

func TestWindowEndSlackApp(t *testing.T) {
	end := seoul(t, "04:00").Add(20 * time.Second)
	k := &keeper{}
	r, _ := slackAppRelay(t, k)
	r.SetWindows(windowsFor(t))
	r.SetClock(func() time.Time { return end })
	r.SetAlarms(states(
		cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14")},
		cwalarms.Alarm{Name: errorsName, ARN: errorsARN, State: "OK", Since: seoul(t, "03:10")},
		cwalarms.Alarm{Name: quietName, ARN: quietARN, State: "OK", Since: seoul(t, "01:00")},
	))
	if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
		t.Fatal(err)
	}
	if len(k.posts) != 1 || !strings.Contains(string(k.posts[0]), "Maintenance window sunday-deploy ended") {
		t.Fatalf("posts %q, want the summary on its own", k.posts)
	}
	// The ALARM opens (or updates) its incident; the recovery goes to an open incident only.
	if len(k.changes) != 2 || k.changes[0].AlarmARN != latencyARN || k.changes[0].State != alarm.StateAlarm || k.changes[0].Settling ||
		!k.changes[0].At.Equal(seoul(t, "02:14")) || k.changes[1].AlarmARN != errorsARN || k.changes[1].State != alarm.StateOK || !k.changes[1].Settling {
		t.Errorf("changes %+v", k.changes)
	}
}

// TestWindowEndOverlapping: an alarm another window still holds is left to that window's end,
// which then counts its changes since the first window began.
func TestWindowEndOverlapping(t *testing.T) {
	later := maintenance.Spec{Name: "late-checks", Days: []string{"Sun"}, Start: "03:30", DurationMinutes: 60, Timezone: "Asia/Seoul", Alarms: []string{latencyName}}
	alarms := states(
		cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14")},
		cwalarms.Alarm{Name: errorsName, ARN: errorsARN, State: "OK", Since: seoul(t, "03:10")},
	)
	r, c, logs := setup(t, 200, "ok")
	r.SetWindows(windowsFor(t, later))
	r.SetClock(func() time.Time { return seoul(t, "04:00") })
	r.SetAlarms(alarms)
	if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
		t.Fatal(err)
	}
	if c.received() != 1 || !strings.Contains(c.payloads[0]["text"].(string), "1 alarm changed") || !strings.Contains(logs.String(), `"held_by":"late-checks"`) {
		t.Fatalf("%d posts %v; log:\n%s", c.received(), c.payloads, logs)
	}
	r2, c2, _ := setup(t, 200, "ok")
	r2.SetWindows(windowsFor(t, later))
	r2.SetClock(func() time.Time { return seoul(t, "04:30") })
	r2.SetAlarms(alarms)
	ev := `{"alarmRelay":"windowEnd","window":"late-checks","alarmArns":["` + latencyARN + `"]}`
	if err := r2.HandleJSON(context.Background(), []byte(ev)); err != nil {
		t.Fatal(err)
	}
	// The latency alarm changed at 02:14, inside sunday-deploy, which held it into late-checks.
	if c2.received() != 2 || !strings.Contains(c2.payloads[0]["text"].(string), "late-checks ended: 1 alarm changed") {
		t.Fatalf("%d posts %v", c2.received(), c2.payloads)
	}
}

func TestWindowEndFailures(t *testing.T) {
	end := seoul(t, "04:00")
	t.Run("unknown window: a bad event", func(t *testing.T) {
		r, _, _ := setup(t, 200, "ok")
		r.SetWindows(windowsFor(t))
		r.SetClock(func() time.Time { return end })
		r.SetAlarms(states())
		err := r.HandleJSON(context.Background(), []byte(strings.Replace(endEvent, "sunday-deploy", "gone", 1)))
		var invalid *InvalidEventError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), `"gone" is not one of this relay's windows`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("malformed: a bad event", func(t *testing.T) {
		r, _, _ := setup(t, 200, "ok")
		err := r.HandleJSON(context.Background(), []byte(`{"alarmRelay":"windowEnd","window":"sunday-deploy","alarmArns":["nope"]}`))
		var invalid *InvalidEventError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "not a CloudWatch alarm ARN") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("CloudWatch failing: not delivered", func(t *testing.T) {
		r, _, _ := setup(t, 200, "ok")
		r.SetWindows(windowsFor(t))
		r.SetClock(func() time.Time { return end })
		r.SetAlarms(func(context.Context, []string) ([]cwalarms.Alarm, error) {
			return nil, errors.New("AccessDenied")
		})
		var nd *NotDeliveredError
		if err := r.HandleJSON(context.Background(), []byte(endEvent)); !errors.As(err, &nd) || !strings.Contains(err.Error(), "AccessDenied") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("webhook failing: not delivered", func(t *testing.T) {
		r, _, logs := setup(t, 404, "no_service")
		r.SetWindows(windowsFor(t))
		r.SetClock(func() time.Time { return end })
		r.SetAlarms(states(cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14")}))
		var nd *NotDeliveredError
		if err := r.HandleJSON(context.Background(), []byte(endEvent)); !errors.As(err, &nd) || !strings.Contains(err.Error(), "2 of 2 window summaries and alerts not delivered") {
			t.Errorf("err = %v", err)
		}
		if strings.Contains(logs.String(), "window summary delivered") {
			t.Errorf("a failed summary logged as delivered:\n%s", logs)
		}
		noWebhookURL(t, "log", logs.String())
	})
}

// TestWindowEndRepeatedSlackApp: EventBridge Scheduler delivers at least once and Lambda retries
// a failed invocation whole: a Slack app destination posts a window's summary once per end, by
// asking the lifecycle to post it under a key naming the window and its occurrence's end (the
// alerts after it are the lifecycle's, which recognises a change already shown).
func TestWindowEndRepeatedSlackApp(t *testing.T) {
	k := &keeper{}
	r := New(render.SlackApp, render.Options{}, NewSlackApp(k), slog.New(slog.DiscardHandler))
	now := seoul(t, "04:00").Add(20 * time.Second)
	r.SetWindows(windowsFor(t))
	r.SetClock(func() time.Time { return now })
	r.SetAlarms(states(
		cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14")},
	))
	for range 2 {
		if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(3 * time.Minute) // Lambda's second retry
	if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
		t.Fatal(err)
	}
	// The lifecycle posts once per key (TestFaults' non-alarm cases): every delivery of one end
	// must ask under the same key, and next week's under another.
	if len(k.messageIDs) != 3 || k.messageIDs[0] == "" || k.messageIDs[1] != k.messageIDs[0] || k.messageIDs[2] != k.messageIDs[0] {
		t.Fatalf("keys of three deliveries of one window's end: %q, want one key", k.messageIDs)
	}
	now = now.AddDate(0, 0, 7)
	if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
		t.Fatal(err)
	}
	if len(k.messageIDs) != 4 || k.messageIDs[3] == k.messageIDs[0] {
		t.Errorf("next week's end asked under %q, want a key of its own", k.messageIDs)
	}
}

// TestWindowEndEarly: a schedule that fires a moment before the end it stands for (clocks differ
// by a few seconds) sums up this occurrence, not last week's: with last week's, every alarm would
// look still held and the window would end without a word.
func TestWindowEndEarly(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	r.SetWindows(windowsFor(t))
	r.SetClock(func() time.Time { return seoul(t, "03:59:58") })
	r.SetAlarms(states(
		cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14")},
	))
	if err := r.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
		t.Fatal(err)
	}
	if c.received() != 2 || !strings.Contains(c.payloads[0]["text"].(string), "sunday-deploy ended: 1 alarm changed") {
		t.Fatalf("%d posts %v; log:\n%s", c.received(), c.payloads, logs)
	}
	// An end event in the middle of the window (a hand-made one) is no end: it sums up last
	// week's and leaves the alarms it still holds alone.
	r2, c2, _ := setup(t, 200, "ok")
	r2.SetWindows(windowsFor(t))
	r2.SetClock(func() time.Time { return seoul(t, "03:00") })
	r2.SetAlarms(states(
		cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "02:14")},
	))
	if err := r2.HandleJSON(context.Background(), []byte(endEvent)); err != nil {
		t.Fatal(err)
	}
	if c2.received() != 0 {
		t.Errorf("%d posts in the middle of the window: %v", c2.received(), c2.payloads)
	}
}

// TestWindowEndSameEnd: two overlapping windows that end at the same moment both have an end
// schedule; an alarm both hold is summed up once, by the first of them in the configuration, and
// the other says nothing of it (and nothing at all when it held nothing else).
func TestWindowEndSameEnd(t *testing.T) {
	second := maintenance.Spec{Name: "late-checks", Days: []string{"Sun"}, Start: "03:00", DurationMinutes: 60, Timezone: "Asia/Seoul", Alarms: []string{latencyName}}
	alarms := states(cwalarms.Alarm{Name: latencyName, ARN: latencyARN, State: "ALARM", Since: seoul(t, "03:14")})
	r, c, logs := setup(t, 200, "ok")
	r.SetWindows(windowsFor(t, second))
	r.SetClock(func() time.Time { return seoul(t, "04:00") })
	r.SetAlarms(alarms)
	for _, ev := range []string{endEvent, `{"alarmRelay":"windowEnd","window":"late-checks","alarmArns":["` + latencyARN + `"]}`} {
		if err := r.HandleJSON(context.Background(), []byte(ev)); err != nil {
			t.Fatal(err)
		}
	}
	var summaries []string
	for _, p := range c.payloads {
		if text := p["text"].(string); strings.Contains(text, "ended:") {
			summaries = append(summaries, text)
		}
	}
	if len(summaries) != 1 || !strings.Contains(summaries[0], "sunday-deploy ended: 1 alarm changed") || c.received() != 2 {
		t.Fatalf("summaries %q of %d posts; log:\n%s", summaries, c.received(), logs)
	}
}
