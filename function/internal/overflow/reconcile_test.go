package overflow

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/replay"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func item(id, name string, state alarm.State, prev alarm.State, minute int, sns string) Item {
	return Item{ID: id, Sent: time.Unix(int64(len(id)), 0), Notification: alarm.Notification{MessageID: sns, Alarm: &alarm.Alarm{
		Name: name, ARN: "arn:aws:cloudwatch:us-east-1:1:alarm:" + name, State: state, PreviousState: prev,
		ChangedAt: time.Date(2026, 12, 3, 9, minute, 0, 0, time.UTC)}}}
}

// TestReconcile: one line per alarm at its newest StateChangeTime, whatever the batch's order;
// "was" is the state before the oldest change; an SNS message delivered twice counts once; text
// keeps a line each.
func TestReconcile(t *testing.T) {
	text := Item{ID: "t", Notification: alarm.Notification{MessageID: "sns-t", Subject: "deploy", Text: "done"}}
	tests := []struct {
		name    string
		items   []Item
		want    string // per entry: name state was folded [ids]
		changes int
	}{
		{"newest first in the batch", []Item{item("m1", "a", "OK", "ALARM", 9, "s2"), item("m2", "a", "ALARM", "OK", 1, "s1")},
			"a OK was OK folded 1 [m1 m2]", 2},
		{"three changes, middle newest", []Item{item("m1", "a", "ALARM", "OK", 1, "s1"), item("m2", "a", "INSUFFICIENT_DATA", "OK", 5, "s3"), item("m3", "a", "OK", "ALARM", 3, "s2")},
			"a INSUFFICIENT_DATA was OK folded 2 [m1 m2 m3]", 3},
		{"same SNS message twice", []Item{item("m1", "a", "ALARM", "OK", 1, "s1"), item("m2", "a", "ALARM", "OK", 1, "s1")},
			"a ALARM was OK folded 0 [m1 m2]", 1},
		{"two alarms and text", []Item{item("m1", "a", "ALARM", "OK", 1, "s1"), text, item("m2", "b", "ALARM", "OK", 1, "s2")},
			"a ALARM was OK folded 0 [m1]; deploy  was  folded 0 [t]; b ALARM was OK folded 0 [m2]", 3},
		{"equal times: the one sent last", []Item{item("m1", "a", "OK", "ALARM", 1, "s1"), item("m22", "a", "ALARM", "OK", 1, "s2")},
			"a ALARM was ALARM folded 1 [m1 m22]", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, changes := Reconcile(tt.items)
			var got []string
			for _, e := range entries {
				state := ""
				if e.Notification.Alarm != nil {
					state = string(e.Notification.Alarm.State)
				}
				got = append(got, fmt.Sprintf("%s %s was %s folded %d %v", e.Notification.Title(), state, e.Was, e.Folded, e.IDs))
			}
			if strings.Join(got, "; ") != tt.want || changes != tt.changes {
				t.Errorf("got %q (%d changes)\nwant %q (%d changes)", strings.Join(got, "; "), changes, tt.want, tt.changes)
			}
		})
	}
}

// TestSQSAgainstMoto: Send puts a message on a real SQS API, Waiting counts it while visible and
// while in flight.
func TestSQSAgainstMoto(t *testing.T) {
	env := map[string]string{}
	for _, kv := range testsupport.AWSEnv(testsupport.StartMoto(t)) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	api, err := awsapi.SQS.NewFromEnv(getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	api.HTTP = testHTTPClient
	var created struct{ QueueUrl string }
	if err := api.JSON(ctx, "AmazonSQS.CreateQueue", map[string]string{"QueueName": "overflow"}, &created); err != nil {
		t.Fatal(err)
	}
	q, err := NewSQS(getenv, created.QueueUrl, testHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := q.Waiting(ctx); err != nil || n != 0 {
		t.Fatalf("empty queue: waiting %d, %v", n, err)
	}
	if err := q.Send(ctx, `{"Records":[]}`); err != nil {
		t.Fatal(err)
	}
	if n, err := q.Waiting(ctx); err != nil || n != 1 {
		t.Fatalf("after a send: waiting %d, %v; want 1", n, err)
	}
	if err := api.JSON(ctx, "AmazonSQS.ReceiveMessage", map[string]any{"QueueUrl": created.QueueUrl, "VisibilityTimeout": 60}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := q.Waiting(ctx); err != nil || n != 1 {
		t.Fatalf("in flight: waiting %d, %v; want 1 (a digest being posted still holds back newer changes)", n, err)
	}
	bad, _ := NewSQS(getenv, created.QueueUrl+"-missing", testHTTPClient)
	if err := bad.Send(ctx, "x"); err == nil || !strings.Contains(err.Error(), "overflow queue") {
		t.Fatalf("send to a missing queue: %v; want an error naming the overflow queue", err)
	}
}

var testHTTPClient = &http.Client{Timeout: 10 * time.Second}

// TestReplayReadsOverflowDeadLetters: what the overflow queue redrives to the dead-letter queue
// (the one-record SNS event HandleSNS queued) is replayed by the dead-letter replay as it is.
func TestReplayReadsOverflowDeadLetters(t *testing.T) {
	env := map[string]string{}
	for _, kv := range testsupport.AWSEnv(testsupport.StartMoto(t)) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()

	// The body as the overflow queue holds it: queued by a relay the webhook pushed back on.
	pushedBack, q := &webhookServer{status: 429, retryAfter: "1"}, &fakeQueue{}
	if _, err := invoke(t, setup(t, render.Slack, pushedBack, q), stormtest.Event(change(7, "ALARM", 3))); err != nil || len(q.bodies) != 1 {
		t.Fatalf("queued %d, %v", len(q.bodies), err)
	}
	client, err := replay.NewClient(getenv)
	if err != nil {
		t.Fatal(err)
	}
	dlq, err := NewSQS(getenv, "", testHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ QueueUrl string }
	if err := dlq.api.JSON(ctx, "AmazonSQS.CreateQueue", map[string]string{"QueueName": "dead-letters"}, &created); err != nil {
		t.Fatal(err)
	}
	dlq.url = created.QueueUrl
	if err := dlq.Send(ctx, q.bodies[0]); err != nil {
		t.Fatal(err)
	}

	chat := &webhookServer{status: 200, body: "ok"}
	srv := httptest.NewServer(chat)
	defer srv.Close()
	u, _ := webhook.Parse(srv.URL + secretPath)
	judge, _ := render.JudgeFor(render.Slack)
	r := relay.New(render.Slack, render.Options{}, relay.NewWebhook(&deliver.Webhook{URL: u, Messenger: render.Slack, Judge: judge, Client: srv.Client(), Policy: retry.DefaultPolicy}),
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
	summary, err := replay.Run(ctx, client, created.QueueUrl, r.Handle, slog.New(slog.NewJSONHandler(io.Discard, nil)), replay.Options{Timeout: 10 * time.Second})
	if err != nil || summary.Delivered != 1 || summary.Left() != 0 {
		t.Fatalf("replay: %v, %v; want the overflow dead letter delivered", summary, err)
	}
	if got := stormtest.ReadSlack([]byte(chat.posts[0])); got[stormtest.AlarmName(7)] != "ALARM" {
		t.Errorf("replayed post shows %v", got)
	}
}
