package replay

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func TestMain(m *testing.M) { testsupport.Main(m) }

const secretPath = "/services/T0/B0/replaySECRET"

// chat is a Slack webhook that answers every post with status and body, and counts the posts.
type chat struct {
	mu     sync.Mutex
	status int
	body   string
	posts  []string
}

func (c *chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = append(c.posts, string(raw))
	w.WriteHeader(c.status)
	io.WriteString(w, c.body)
}

func (c *chat) answer(status int, body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.body, c.posts = status, body, nil
}

// newQueue starts moto_server and creates a queue in it, returning the client and queue URL.
func newQueue(t *testing.T) (*Client, string) {
	t.Helper()
	env := map[string]string{}
	for _, kv := range testsupport.AWSEnv(testsupport.StartMoto(t)) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	client, err := NewClient(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ QueueUrl string }
	if err := client.call(context.Background(), "", "AmazonSQS.CreateQueue", map[string]string{"QueueName": "alarm-relay-dead-letters"}, &out); err != nil {
		t.Fatal(err)
	}
	return client, out.QueueUrl
}

func send(t *testing.T, client *Client, queueURL, body string, attrs map[string]string) {
	t.Helper()
	in := map[string]any{"QueueUrl": queueURL, "MessageBody": body}
	if len(attrs) > 0 {
		values := map[string]MessageAttribute{}
		for k, v := range attrs {
			values[k] = MessageAttribute{DataType: "String", StringValue: v}
		}
		in["MessageAttributes"] = values
	}
	if err := client.call(context.Background(), queueURL, "AmazonSQS.SendMessage", in, nil); err != nil {
		t.Fatal(err)
	}
}

// visible receives (and at once releases) what the queue holds now, as the message bodies.
func visible(t *testing.T, client *Client, queueURL string) []string {
	t.Helper()
	ctx := context.Background()
	messages, err := client.Receive(ctx, queueURL, 0)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range messages {
		bodies = append(bodies, m.Body)
		if err := client.ChangeVisibility(ctx, queueURL, m.ReceiptHandle, 0); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(bodies)
	return bodies
}

// TestReplayAgainstMoto: a revoked webhook leaves every message in the queue, visible; once the
// webhook works again, a replay delivers the readable ones, deletes them, and leaves the rest.
func TestReplayAgainstMoto(t *testing.T) {
	client, queueURL := newQueue(t)
	record := readFixture(t, "testdata/on-failure-record.json")
	event := readFixture(t, "../../testdata/multi-record.json") // two notifications in one event
	send(t, client, queueURL, record, nil)
	send(t, client, queueURL, event, map[string]string{"RequestID": "r-1", "ErrorCode": "200", "ErrorMessage": "NotDeliveredError: slack answered HTTP 500"})
	send(t, client, queueURL, "not json", nil)
	send(t, client, queueURL, `{"requestContext":{"condition":"RetriesExhausted"}}`, nil)

	hook := &chat{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	var logs bytes.Buffer
	replay := func() Summary {
		t.Helper()
		log := slog.New(slog.NewJSONHandler(&logs, nil))
		u, err := webhook.Parse(srv.URL + secretPath)
		if err != nil {
			t.Fatal(err)
		}
		judge, err := render.JudgeFor(messenger.Slack)
		if err != nil {
			t.Fatal(err)
		}
		r := relay.New(messenger.Slack, render.Options{Location: time.UTC},
			relay.NewWebhook(&deliver.Webhook{URL: u, Messenger: messenger.Slack, Judge: judge, Client: deliver.NewHTTPClient(), Policy: retry.DefaultPolicy}), log)
		s, err := Run(context.Background(), client, queueURL, r.Handle, log, Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	hook.answer(http.StatusNotFound, "no_service") // the webhook was revoked
	s := replay()
	if s != (Summary{StillFailing: 2, Unreadable: 2}) || s.String() != "0 delivered, 2 still failing, 2 unreadable; 4 left in the queue" {
		t.Errorf("revoked webhook: summary %+v (%s)", s, s)
	}
	if len(hook.posts) != 3 { // one per notification; a 404 is final, not retried
		t.Errorf("revoked webhook got %d posts, want 3", len(hook.posts))
	}
	if got := visible(t, client, queueURL); len(got) != 4 {
		t.Fatalf("after a failed replay %d messages are visible, want all 4 back at once", len(got))
	}

	hook.answer(http.StatusOK, "ok")
	s = replay()
	if s != (Summary{Delivered: 2, Unreadable: 2}) || s.Left() != 2 {
		t.Errorf("working webhook: summary %+v (%s)", s, s)
	}
	if len(hook.posts) != 3 || !strings.Contains(strings.Join(hook.posts, "\n"), "orders-api latency") {
		t.Errorf("working webhook got %d posts, want the record's alarm and the event's two notifications", len(hook.posts))
	}
	if got := visible(t, client, queueURL); len(got) != 2 || got[0] != "not json" || got[1] != `{"requestContext":{"condition":"RetriesExhausted"}}` {
		t.Errorf("left in the queue: %q, want exactly the two unreadable messages", got)
	}

	for _, want := range []string{
		`"msg":"dead letter still not delivered; left in the queue"`, `"last_error":"NotDeliveredError: slack answered HTTP 500"`,
		`"condition":"RetriesExhausted"`, `"msg":"dead letter delivered and deleted"`, `"shape":"on-failure record"`, `"shape":"SNS event"`,
		`"reason":"the message body is not a JSON object`, `"reason":"the on-failure record carries no requestPayload`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "replaySECRET") || strings.Contains(logs.String(), srv.URL) {
		t.Errorf("logs leak the webhook:\n%s", logs.String())
	}
}

// TestReplayEmptiesTheQueue: when everything is delivered the summary says the queue is empty.
func TestReplayEmptiesTheQueue(t *testing.T) {
	client, queueURL := newQueue(t)
	for range 12 { // more than one receive's worth
		send(t, client, queueURL, readFixture(t, "testdata/on-failure-record.json"), nil)
	}
	posts := 0
	handle := func(context.Context, alarm.Event) error { posts++; return nil }
	s, err := Run(context.Background(), client, queueURL, handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s != (Summary{Delivered: 12}) || posts != 12 || s.String() != "12 delivered, 0 still failing, 0 unreadable; the queue is empty" {
		t.Errorf("summary %+v (%s), %d posts", s, s, posts)
	}
	if got := visible(t, client, queueURL); len(got) != 0 {
		t.Errorf("%d messages left", len(got))
	}
}

func TestReplayStopsWhenTheQueueCannotBeRead(t *testing.T) {
	client, _ := newQueue(t)
	handle := func(context.Context, alarm.Event) error { t.Error("nothing may be relayed"); return nil }
	s, err := Run(context.Background(), client, "http://127.0.0.1:1/123456789012/missing", handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err == nil || !strings.Contains(err.Error(), "read the dead-letter queue") {
		t.Errorf("err = %v", err)
	}
	// A queue nobody could read is not "empty".
	if want := "0 delivered, 0 still failing, 0 unreadable; 0 left behind, and the queue was not read to the end"; s.String() != want {
		t.Errorf("summary %q, want %q", s, want)
	}
}

func TestCheckQueueURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-dead-letters-1a2b": true,
		"http://127.0.0.1:5000/123456789012/q":                                           true,
		"alarm-relay-dead-letters":                                                       false,
		"arn:aws:sqs:us-east-1:123456789012:q":                                           false,
		"https://sqs.us-east-1.amazonaws.com/":                                           false,
		"https://sqs.us-east-1.amazonaws.com/q":                                          false,
	} {
		if err := CheckQueueURL(raw); (err == nil) != ok {
			t.Errorf("CheckQueueURL(%q) = %v", raw, err)
		}
	}
}

func TestNewClientNamesWhatIsMissing(t *testing.T) {
	_, err := NewClient(func(k string) string { return map[string]string{"AWS_REGION": "us-east-1"}[k] })
	if err == nil || !strings.Contains(err.Error(), "aws configure export-credentials") {
		t.Errorf("err = %v, want the hint for profiles", err)
	}
	_, err = NewClient(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "AWS credentials are not set") {
		t.Errorf("err = %v", err)
	}
}

// A dead-lettered reminder tick (Slack was down at that tick) runs again as a reminder; without a
// way to remind it stays in the queue, counted unreadable.
func TestReplayRunsReminderTicks(t *testing.T) {
	client, queueURL := newQueue(t)
	tick := `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"]}`
	send(t, client, queueURL, `{"requestContext":{"condition":"RetriesExhausted"},"requestPayload":`+tick+`}`, nil)
	handle := func(context.Context, alarm.Event) error {
		t.Error("a reminder tick was relayed as an SNS event")
		return nil
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	s, err := Run(context.Background(), client, queueURL, handle, quiet, Options{})
	if err != nil || s != (Summary{Unreadable: 1}) {
		t.Fatalf("without Remind: summary %+v, %v; want it left as unreadable", s, err)
	}
	var got []string
	remind := func(_ context.Context, event []byte) error { got = append(got, string(event)); return nil }
	s, err = Run(context.Background(), client, queueURL, handle, quiet, Options{Remind: remind})
	if err != nil || s != (Summary{Delivered: 1}) || len(got) != 1 || got[0] != tick {
		t.Errorf("summary %+v, %v, reminded with %q", s, err, got)
	}
	if left := visible(t, client, queueURL); len(left) != 0 {
		t.Errorf("%d messages left", len(left))
	}
}

// An interrupt stops the replay between messages: the message in flight is delivered (its
// context is not cancelled), the others are not tried, not logged as failing, and are visible
// in the queue again.
func TestReplayInterruptStopsBetweenMessages(t *testing.T) {
	client, queueURL := newQueue(t)
	for range 3 {
		send(t, client, queueURL, readFixture(t, "testdata/on-failure-record.json"), nil)
	}
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	calls := 0
	handle := func(ctx context.Context, _ alarm.Event) error {
		calls++
		interrupt() // Ctrl-C while the first message is being posted
		return ctx.Err()
	}
	var logs bytes.Buffer
	s, err := Run(ctx, client, queueURL, handle, slog.New(slog.NewJSONHandler(&logs, nil)), Options{})
	if err == nil || !strings.Contains(err.Error(), "replay interrupted") {
		t.Errorf("err = %v, want the interrupt reported", err)
	}
	want := "1 delivered, 0 still failing, 0 unreadable, 2 not tried; 2 left behind, and the queue was not read to the end"
	if calls != 1 || s.Delivered != 1 || s.NotTried != 2 || s.String() != want {
		t.Errorf("%d calls, summary %+v (%s); want %q", calls, s, s, want)
	}
	if strings.Contains(logs.String(), "still not delivered") {
		t.Errorf("a message never tried is logged as failing:\n%s", logs.String())
	}
	if got := visible(t, client, queueURL); len(got) != 2 {
		t.Errorf("%d messages visible after the interrupt, want the 2 untried back", len(got))
	}
}
