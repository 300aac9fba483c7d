package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
)

const secretPath = "/services/T0/B0/SECRETtoken"

// chat is a webhook that records what it receives and answers with status and body.
type chat struct {
	mu       sync.Mutex
	status   int
	body     string
	payloads []map[string]any
}

func (c *chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var p map[string]any
	_ = json.Unmarshal(raw, &p)
	c.mu.Lock()
	c.payloads = append(c.payloads, p)
	status, body := c.status, c.body
	c.mu.Unlock()
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (c *chat) received() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.payloads)
}

func setup(t *testing.T, status int, body string) (*Relay, *chat, *bytes.Buffer) {
	t.Helper()
	c := &chat{status: status, body: body}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	u, err := webhook.Parse(srv.URL + secretPath)
	if err != nil {
		t.Fatal(err)
	}
	judge, _ := render.JudgeFor(render.Slack)
	hook := &deliver.Webhook{
		URL: u, Messenger: render.Slack, Judge: judge, Client: deliver.NewHTTPClient(),
		Policy: retry.Policy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, AttemptTimeout: 5 * time.Second},
	}
	r := New(render.Slack, render.Options{}, NewWebhook(hook), slog.New(slog.NewJSONHandler(&logs, nil)))
	return r, c, &logs
}

// noWebhookURL fails the test when text (the relay's logs or an error it returned) shows the
// webhook URL or any part of its secret path.
func noWebhookURL(t *testing.T, what, text string) {
	t.Helper()
	for _, secret := range []string{"SECRET", secretPath, "http://127.0.0.1"} {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows %q, part of the webhook URL:\n%s", what, secret, text)
		}
	}
}

func loadEvent(t *testing.T, name string) alarm.Event {
	t.Helper()
	data, err := os.ReadFile("../../testdata/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var ev alarm.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestHandleDeliversEveryRecordOnce(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	ev := loadEvent(t, "multi-record")
	if err := r.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if c.received() != 2 {
		t.Fatalf("webhook received %d posts, want 2", c.received())
	}
	for i, want := range []string{"🔴 ALARM", "✅ OK"} {
		if text, _ := c.payloads[i]["text"].(string); !strings.HasPrefix(text, want) {
			t.Errorf("post %d text = %q, want prefix %q", i+1, text, want)
		}
	}
	// Lambda retries a failed invocation with the same event: what was delivered is not posted again.
	if err := r.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if c.received() != 2 {
		t.Errorf("a redelivered event was posted again: %d posts", c.received())
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 log lines, got %d:\n%s", len(lines), logs)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"msg": "delivered", "alarm": "orders-api latency (alarm-relay/dev)", "state": "ALARM", "messenger": "slack", "status": 200.0, "attempts": 1.0} {
		if first[key] != want {
			t.Errorf("log %s = %v, want %v", key, first[key], want)
		}
	}
	if _, ok := first["duration_ms"]; !ok {
		t.Error("log lacks duration_ms")
	}
	noWebhookURL(t, "logs", logs.String())
}

func TestHandleFailsWhenNotDelivered(t *testing.T) {
	r, c, logs := setup(t, 400, "invalid_payload")
	err := r.Handle(context.Background(), loadEvent(t, "latency-alarm"))
	var notDelivered *NotDeliveredError
	if !errors.As(err, &notDelivered) || notDelivered.Failed != 1 || notDelivered.Total != 1 {
		t.Fatalf("err = %v, want a NotDeliveredError for 1 of 1", err)
	}
	noWebhookURL(t, "the error", err.Error())
	for _, want := range []string{"1 of 1 notifications not delivered", `"orders-api latency (alarm-relay/dev)"`, "HTTP 400", "invalid_payload"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if c.received() != 1 {
		t.Errorf("a 400 was retried: %d posts", c.received())
	}
	if !strings.Contains(logs.String(), `"msg":"not delivered"`) || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("failure not logged as an error:\n%s", logs)
	}
	// Not delivered means not remembered: Lambda's retry posts it again.
	c.status, c.body = 200, "ok"
	if err := r.Handle(context.Background(), loadEvent(t, "latency-alarm")); err != nil || c.received() != 2 {
		t.Errorf("retry after failure: err %v, posts %d", err, c.received())
	}
	noWebhookURL(t, "logs", logs.String())
}

func TestHandleRejectsEventsWithoutSNS(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	for _, ev := range []alarm.Event{{}, {Records: []alarm.Record{{EventSource: "aws:sqs"}}}} {
		err := r.Handle(context.Background(), ev)
		var invalid *InvalidEventError
		if !errors.As(err, &invalid) || !strings.HasPrefix(err.Error(), "reject event: ") {
			t.Errorf("err = %v, want an InvalidEventError", err)
		}
	}
	if c.received() != 0 {
		t.Errorf("posted %d messages for invalid events", c.received())
	}
	noWebhookURL(t, "logs", logs.String())
}

func TestRecentSetForgetsOldest(t *testing.T) {
	s := newRecentSet(2)
	s.Add("a")
	s.Add("b")
	s.Add("b")
	s.Add("c")
	if s.Contains("a") || !s.Contains("b") || !s.Contains("c") {
		t.Errorf("set holds a=%v b=%v c=%v, want only b and c", s.Contains("a"), s.Contains("b"), s.Contains("c"))
	}
}

func TestHandleShowsTheTrend(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	var asked alarm.MetricQuery
	r.SetTrend(func(_ context.Context, q alarm.MetricQuery, end time.Time) ([]float64, error) {
		asked = q
		if !end.Equal(time.Date(2026, 11, 20, 9, 15, 42, 318e6, time.UTC)) {
			t.Errorf("trend ends at %v, want the state change time", end)
		}
		return []float64{120, 250, 412.53}, nil
	})
	if err := r.Handle(context.Background(), loadEvent(t, "latency-alarm")); err != nil {
		t.Fatal(err)
	}
	if asked.Name != "Latency" || asked.Stat != "Average" || asked.Period != 300 {
		t.Errorf("trend asked for %+v", asked)
	}
	body, _ := json.Marshal(c.payloads[0])
	if !strings.Contains(string(body), "Last hour: ▁▄█ 412.53 ms") {
		t.Errorf("no trend line in %s", body)
	}
	if strings.Contains(logs.String(), "trend unavailable") {
		t.Errorf("unexpected warning:\n%s", logs)
	}
	noWebhookURL(t, "logs", logs.String())
}

func TestHandleDeliversWithoutAFailedTrend(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	calls := 0
	r.SetTrend(func(context.Context, alarm.MetricQuery, time.Time) ([]float64, error) {
		calls++
		return nil, errors.New("trend: GetMetricData answered HTTP 403 AccessDenied")
	})
	// A metric-math alarm has no single series: no call. The latency alarm's call fails: no line.
	if err := r.Handle(context.Background(), loadEvent(t, "metric-math")); err != nil {
		t.Fatal(err)
	}
	if err := r.Handle(context.Background(), loadEvent(t, "latency-alarm")); err != nil {
		t.Fatalf("a failed trend failed the alert: %v", err)
	}
	if calls != 1 || c.received() != 2 {
		t.Errorf("trend calls %d, posts %d; want 1 and 2", calls, c.received())
	}
	if !strings.Contains(logs.String(), `"msg":"trend unavailable; delivering without it"`) || !strings.Contains(logs.String(), "AccessDenied") {
		t.Errorf("the failed trend is not logged with its reason:\n%s", logs)
	}
	noWebhookURL(t, "logs", logs.String())
}

// An alarm that was just created or changed goes INSUFFICIENT_DATA → OK: logged, not posted, and
// not an error. A recovery is posted as always.
func TestHandleSkipsASettlingAlarm(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	if err := r.Handle(context.Background(), loadEvent(t, "settling-ok")); err != nil {
		t.Fatalf("a settling alarm failed the invocation: %v", err)
	}
	if c.received() != 0 {
		t.Errorf("a settling alarm was posted %d times", c.received())
	}
	if !strings.Contains(logs.String(), `"msg":"alarm settling after a configuration change; not posted"`) || !strings.Contains(logs.String(), `"level":"INFO"`) {
		t.Errorf("settling not logged:\n%s", logs)
	}
	if err := r.Handle(context.Background(), loadEvent(t, "latency-ok")); err != nil || c.received() != 1 {
		t.Errorf("a recovery from ALARM: err %v, %d posts; want it posted", err, c.received())
	}
	noWebhookURL(t, "logs", logs.String())
}

// An alarm that went ALARM soon after its configuration change, lost its data and came back
// within the settling window: the OK looks like settling by the SNS message alone (the state
// before it was INSUFFICIENT_DATA), but this container posted the ALARM since the change, so the
// OK is the recovery and is posted. An ALARM from before the change does not count.
func TestHandlePostsARecoveryThatLooksLikeSettling(t *testing.T) {
	msg := loadEvent(t, "settling-ok").Records[0].SNS.Message
	event := func(id, state, changed string) alarm.Event {
		ev := loadEvent(t, "settling-ok")
		ev.Records[0].SNS.MessageID = id
		ev.Records[0].SNS.Message = strings.NewReplacer(`"NewStateValue":"OK"`, `"NewStateValue":"`+state+`"`,
			`2026-11-20T09:42:31.207+0000`, changed).Replace(msg)
		return ev
	}
	tests := []struct {
		name     string
		alarmAt  string // when the ALARM before the OK changed state; "" for none
		wantPost int    // posts of the OK
	}{
		{"ALARM after the change", "2026-11-20T09:45:00.000+0000", 1},
		{"ALARM before the change", "2026-11-20T09:30:00.000+0000", 0},
		{"no ALARM seen", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c, logs := setup(t, 200, "ok")
			if tt.alarmAt != "" {
				if err := r.Handle(context.Background(), event("alarm-1", "ALARM", tt.alarmAt)); err != nil {
					t.Fatal(err)
				}
			}
			before := c.received()
			if err := r.Handle(context.Background(), event("ok-1", "OK", "2026-11-20T09:52:00.000+0000")); err != nil {
				t.Fatal(err)
			}
			if got := c.received() - before; got != tt.wantPost {
				t.Errorf("the OK was posted %d times, want %d\nlogs: %s", got, tt.wantPost, logs)
			}
		})
	}
}

// Trend fetches must leave the post its time: once little is left before the deadline, the
// remaining records of an event go out without a trend, and all of them are delivered.
func TestHandleSkipsTheTrendWhenTimeIsShort(t *testing.T) {
	r, c, logs := setup(t, 200, "ok")
	now := time.Now() // the relay's clock, moved by the fake fetches; the post uses the real one
	r.now = func() time.Time { return now }
	calls := 0
	r.SetTrend(func(context.Context, alarm.MetricQuery, time.Time) ([]float64, error) {
		calls++
		now = now.Add(4 * time.Second) // a slow CloudWatch
		return []float64{1, 2}, nil
	})
	// Three latency alarms in one event, 12 s before the deadline: after two slow fetches, 4 s are left.
	ev := loadEvent(t, "latency-alarm")
	for i := 0; i < 2; i++ {
		rec := ev.Records[0]
		sns := *rec.SNS
		sns.MessageID = fmt.Sprint("copy-", i)
		rec.SNS = &sns
		ev.Records = append(ev.Records, rec)
	}
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(12*time.Second)) // real time: the posts have their 12 s
	defer cancel()
	if err := r.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || c.received() != 3 {
		t.Errorf("trend calls %d, posts %d; want 2 and 3", calls, c.received())
	}
	if !strings.Contains(logs.String(), `"msg":"trend skipped: little time left before the deadline"`) {
		t.Errorf("the skipped trend is not logged:\n%s", logs)
	}
	noWebhookURL(t, "logs", logs.String())
}
