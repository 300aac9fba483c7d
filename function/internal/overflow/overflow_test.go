package overflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/replay"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func TestMain(m *testing.M) { testsupport.Main(m) }

const secretPath = "/services/T0/B0/overflowSECRET"

// fakeQueue is the overflow queue in memory, for the relay's decisions; the SQS calls themselves
// are tested against moto (TestSQSAgainstMoto).
type fakeQueue struct {
	mu       sync.Mutex
	bodies   []string
	waiting  int
	asked    int
	sendErr  error
	checkErr error
}

func (q *fakeQueue) Send(_ context.Context, body string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.sendErr != nil {
		return q.sendErr
	}
	q.bodies = append(q.bodies, body)
	return nil
}

func (q *fakeQueue) Waiting(context.Context) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked++
	return q.waiting, q.checkErr
}

// webhookServer is a webhook answering every post with one scripted answer, keeping the posts.
type webhookServer struct {
	mu         sync.Mutex
	status     int
	body       string
	retryAfter string
	posts      []string
}

func (c *webhookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = append(c.posts, string(raw))
	if c.retryAfter != "" {
		w.Header().Set("Retry-After", c.retryAfter)
	}
	w.WriteHeader(c.status)
	io.WriteString(w, c.body)
}

func (c *webhookServer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.posts)
}

// setup is a Slack webhook relay with an overflow queue, wired as the function wires it.
func setup(t *testing.T, m render.Messenger, c *webhookServer, q Queue) func(context.Context, json.RawMessage) (any, error) {
	t.Helper()
	return setupWith(t, m, c, q, nil)
}

// setupWith is setup with a relay that reads alarms' current states with alarms.
func setupWith(t *testing.T, m render.Messenger, c *webhookServer, q Queue, alarms relay.AlarmsFunc) func(context.Context, json.RawMessage) (any, error) {
	t.Helper()
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	u, err := webhook.Parse(srv.URL + secretPath)
	if err != nil {
		t.Fatal(err)
	}
	judge, err := render.JudgeFor(m)
	if err != nil {
		t.Fatal(err)
	}
	hook := &deliver.Webhook{URL: u, Messenger: m, Judge: judge, Client: srv.Client(), Policy: retry.DefaultPolicy}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	r := relay.New(m, render.Options{}, relay.NewWebhook(hook), log)
	if alarms != nil {
		r.SetAlarms(alarms)
	}
	h, err := Handler(r, q)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func change(i int, state string, minute int) stormtest.Change {
	prev := "OK"
	if state == "OK" {
		prev = "ALARM"
	}
	return stormtest.Change{Alarm: stormtest.AlarmName(i), State: state, Previous: prev,
		At: time.Date(2026, 12, 3, 9, minute, 0, 0, time.UTC), MessageID: fmt.Sprintf("sns-%d-%s", i, state)}
}

func invoke(t *testing.T, h func(context.Context, json.RawMessage) (any, error), event []byte) (any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h(ctx, event)
}

// TestIsolatedChangePostedAtOnce: with nothing waiting, a change is posted directly, once.
func TestIsolatedChangePostedAtOnce(t *testing.T) {
	c, q := &webhookServer{status: 200, body: "ok"}, &fakeQueue{}
	h := setup(t, render.Slack, c, q)
	if _, err := invoke(t, h, stormtest.Event(change(1, "ALARM", 0))); err != nil {
		t.Fatal(err)
	}
	if c.count() != 1 || len(q.bodies) != 0 || q.asked != 1 {
		t.Errorf("posts %d, queued %d, queue asked %d; want 1 post, nothing queued, the queue asked once", c.count(), len(q.bodies), q.asked)
	}
}

// TestPushedBackGoesToTheQueue: every way a messenger says "too many posts" ends the post at once
// (no wait for Retry-After) and puts the notification on the queue, as an SNS event the replay of
// dead letters reads; the invocation succeeds. The next notification goes straight to the queue.
func TestPushedBackGoesToTheQueue(t *testing.T) {
	tests := []struct {
		name      string
		messenger render.Messenger
		status    int
		body      string
	}{
		{"HTTP 429", render.Slack, 429, "rate_limited"},
		{"Slack ratelimited in a 200", render.Slack, 200, `{"ok":false,"error":"ratelimited"}`},
		{"Teams Workflows 429", render.Teams, 429, ""},
		{"connector's HTTP error 429 in a 200", render.TeamsLegacy, 200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, q := &webhookServer{status: tt.status, body: tt.body, retryAfter: "30"}, &fakeQueue{}
			h := setup(t, tt.messenger, c, q)
			start := time.Now()
			if _, err := invoke(t, h, stormtest.Event(change(1, "ALARM", 0))); err != nil {
				t.Fatalf("invocation failed: %v", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v: the post waited for Retry-After instead of going to the queue", took)
			}
			if c.count() != 1 || len(q.bodies) != 1 {
				t.Fatalf("posts %d, queued %d; want 1 post and 1 queued", c.count(), len(q.bodies))
			}
			letter, err := replay.Decode(q.bodies[0])
			if err != nil || letter.Shape != replay.SNSEvent || len(letter.Event.Records) != 1 || letter.Event.Records[0].SNS.MessageID != "sns-1-ALARM" {
				t.Fatalf("queued body is not the SNS event the replay reads: %+v, %v", letter, err)
			}
			// Others wait now: the next change is queued without a post.
			if _, err := invoke(t, h, stormtest.Event(change(2, "ALARM", 0))); err != nil {
				t.Fatal(err)
			}
			if c.count() != 1 || len(q.bodies) != 2 {
				t.Errorf("after the push-back: posts %d, queued %d; want no new post and 2 queued", c.count(), len(q.bodies))
			}
		})
	}
}

// TestWaitingInTheQueueIsNotOvertaken: while SQS counts messages in the queue, a change goes
// behind them without a post.
func TestWaitingInTheQueueIsNotOvertaken(t *testing.T) {
	c, q := &webhookServer{status: 200, body: "ok"}, &fakeQueue{waiting: 3}
	h := setup(t, render.Slack, c, q)
	if _, err := invoke(t, h, stormtest.Event(change(1, "OK", 5))); err != nil {
		t.Fatal(err)
	}
	if c.count() != 0 || len(q.bodies) != 1 {
		t.Errorf("posts %d, queued %d; want no post and 1 queued", c.count(), len(q.bodies))
	}
}

// TestQueueUnreadablePostsDirectly: when SQS cannot say whether anything waits, the change is
// posted (the webhook's answer then decides), never held.
func TestQueueUnreadablePostsDirectly(t *testing.T) {
	c, q := &webhookServer{status: 200, body: "ok"}, &fakeQueue{checkErr: errors.New("GetQueueAttributes answered HTTP 403 AccessDenied")}
	h := setup(t, render.Slack, c, q)
	if _, err := invoke(t, h, stormtest.Event(change(1, "ALARM", 0))); err != nil {
		t.Fatal(err)
	}
	if c.count() != 1 || len(q.bodies) != 0 {
		t.Errorf("posts %d, queued %d; want 1 post", c.count(), len(q.bodies))
	}
}

// TestNotQueuedIsNotDelivered: pushed back and refused by the queue, or rejected by the webhook
// (not a rate limit): the invocation fails, so Lambda retries it and keeps it in the dead-letter
// queue. Nothing is logged as a success.
func TestNotQueuedIsNotDelivered(t *testing.T) {
	t.Run("queue refuses", func(t *testing.T) {
		c, q := &webhookServer{status: 429, retryAfter: "1"}, &fakeQueue{sendErr: errors.New("SendMessage answered HTTP 403 AccessDenied")}
		h := setup(t, render.Slack, c, q)
		_, err := invoke(t, h, stormtest.Event(change(1, "ALARM", 0)))
		var nd *relay.NotDeliveredError
		if !errors.As(err, &nd) || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("error %v; want a NotDeliveredError naming the queue's answer", err)
		}
	})
	t.Run("webhook rejects", func(t *testing.T) {
		c, q := &webhookServer{status: 404, body: "no_service"}, &fakeQueue{}
		h := setup(t, render.Slack, c, q)
		_, err := invoke(t, h, stormtest.Event(change(1, "ALARM", 0)))
		if err == nil || Throttled(err) || len(q.bodies) != 0 {
			t.Fatalf("error %v, queued %d; want a failure and nothing queued", err, len(q.bodies))
		}
		if strings.Contains(err.Error(), "overflowSECRET") {
			t.Fatalf("error shows the webhook: %v", err)
		}
	})
}

// sqsBatch is the event Lambda's SQS event source mapping sends for these bodies.
func sqsBatch(bodies ...[]byte) []byte {
	var records []map[string]any
	for i, b := range bodies {
		records = append(records, map[string]any{
			"messageId": fmt.Sprintf("m%d", i+1), "receiptHandle": fmt.Sprintf("rh%d", i+1), "body": string(b),
			"attributes":     map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": fmt.Sprint(1764752400000 + int64(i)), "SenderId": "AROA", "ApproximateFirstReceiveTimestamp": "1764752400500"},
			"eventSource":    "aws:sqs",
			"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:overflow", "awsRegion": "us-east-1", "messageAttributes": map[string]any{}, "md5OfBody": "x",
		})
	}
	data, _ := json.Marshal(map[string]any{"Records": records})
	return data
}

func failures(t *testing.T, resp any) []string {
	t.Helper()
	r, ok := resp.(BatchResponse)
	if !ok {
		t.Fatalf("answer %T, want a BatchResponse", resp)
	}
	ids := []string{}
	for _, f := range r.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// TestBatchIsOneDigestAtNewestStates: a batch is one post; an alarm that changed twice shows its
// newest state even when the newer change came first; nothing fails.
func TestBatchIsOneDigestAtNewestStates(t *testing.T) {
	c := &webhookServer{status: 200, body: "ok"}
	h := setup(t, render.Slack, c, &fakeQueue{})
	resp, err := invoke(t, h, sqsBatch(
		stormtest.Event(change(1, "OK", 7)), // newer, first in the batch
		stormtest.Event(change(2, "ALARM", 1)),
		stormtest.Event(change(1, "ALARM", 2)),
		stormtest.Event(change(3, "ALARM", 3)),
	))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failures(t, resp); len(ids) != 0 {
		t.Fatalf("failures %v", ids)
	}
	if c.count() != 1 {
		t.Fatalf("%d posts, want 1 digest", c.count())
	}
	shown := stormtest.ReadSlack([]byte(c.posts[0]))
	want := map[string]string{stormtest.AlarmName(1): "OK", stormtest.AlarmName(2): "ALARM", stormtest.AlarmName(3): "ALARM"}
	if fmt.Sprint(shown) != fmt.Sprint(want) {
		t.Errorf("digest shows %v, want %v", shown, want)
	}
	if !strings.Contains(c.posts[0], "4 alarm changes") {
		t.Errorf("digest headline does not count 4 changes: %s", c.posts[0])
	}
}

// TestBatchFailures: a digest the webhook rejects fails every message in it; an unreadable
// message fails alone; a batch delivered again after its answer was lost is not posted twice.
func TestBatchFailures(t *testing.T) {
	t.Run("rejected digest", func(t *testing.T) {
		c := &webhookServer{status: 400, body: "invalid_blocks"}
		h := setup(t, render.Slack, c, &fakeQueue{})
		resp, err := invoke(t, h, sqsBatch(stormtest.Event(change(1, "ALARM", 1)), stormtest.Event(change(2, "ALARM", 1))))
		if err != nil {
			t.Fatal(err)
		}
		if ids := failures(t, resp); strings.Join(ids, ",") != "m1,m2" {
			t.Errorf("failures %v, want m1,m2", ids)
		}
	})
	t.Run("unreadable message", func(t *testing.T) {
		c := &webhookServer{status: 200, body: "ok"}
		h := setup(t, render.Slack, c, &fakeQueue{})
		resp, err := invoke(t, h, sqsBatch(stormtest.Event(change(1, "ALARM", 1)), []byte("not json"), []byte(`{"Records":[]}`)))
		if err != nil {
			t.Fatal(err)
		}
		if ids := failures(t, resp); strings.Join(ids, ",") != "m2,m3" || c.count() != 1 {
			t.Errorf("failures %v, posts %d; want m2,m3 and the readable one posted", ids, c.count())
		}
	})
	t.Run("delivered again", func(t *testing.T) {
		c := &webhookServer{status: 200, body: "ok"}
		h := setup(t, render.Slack, c, &fakeQueue{})
		batch := sqsBatch(stormtest.Event(change(1, "ALARM", 1)), stormtest.Event(change(2, "ALARM", 1)))
		for range 2 {
			resp, err := invoke(t, h, batch)
			if err != nil || len(failures(t, resp)) != 0 {
				t.Fatalf("%v %v", resp, err)
			}
		}
		if c.count() != 1 {
			t.Errorf("%d posts for one batch delivered twice, want 1", c.count())
		}
		// An older change that comes back after the newer one was shown is not shown either.
		resp, err := invoke(t, h, sqsBatch(stormtest.Event(change(1, "OK", 0))))
		if err != nil || len(failures(t, resp)) != 0 || c.count() != 1 {
			t.Errorf("an older change after a newer one: posts %d, %v %v; want no post", c.count(), resp, err)
		}
	})
}

// TestSQSEventWithoutRecordsIsRejected: no records is an invalid event, not an empty digest.
func TestSQSEventWithoutRecordsIsRejected(t *testing.T) {
	c := &webhookServer{status: 200, body: "ok"}
	o := New(&fakeQueue{}, nil, render.Slack, render.Options{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	_, err := o.HandleSQS(context.Background(), []byte(`{"Records":[]}`))
	var invalid *relay.InvalidEventError
	if !errors.As(err, &invalid) || c.count() != 0 {
		t.Fatalf("error %v; want an InvalidEventError", err)
	}
}

// TestBatchShowsTheAlarmsCurrentState: a line whose alarm has changed since (another state in
// CloudWatch, entered later) is left out when the newer change is ALARM or OK (its own
// notification shows it) and shows INSUFFICIENT_DATA (which a filter may keep from the
// destination), so that a batch posted after a newer one never ends the alarm on an older state;
// CloudWatch unavailable, the batch's own state shows.
func TestBatchShowsTheAlarmsCurrentState(t *testing.T) {
	arn := func(i int) string { return "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + stormtest.AlarmName(i) }
	at := func(minute int) time.Time { return time.Date(2026, 12, 3, 9, minute, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		states []cwalarms.Alarm
		err    error
		want   map[string]string
	}{
		{"changed to OK since: posted on its own", []cwalarms.Alarm{{ARN: arn(1), State: "OK", Since: at(5)}, {ARN: arn(2), State: "ALARM", Since: at(1)}},
			nil, map[string]string{stormtest.AlarmName(2): "ALARM"}},
		{"changed to INSUFFICIENT_DATA since: shown", []cwalarms.Alarm{{ARN: arn(1), State: "INSUFFICIENT_DATA", Since: at(5)}},
			nil, map[string]string{stormtest.AlarmName(1): "INSUFFICIENT_DATA", stormtest.AlarmName(2): "ALARM"}},
		{"older state in CloudWatch is no news", []cwalarms.Alarm{{ARN: arn(1), State: "OK", Since: at(0)}},
			nil, map[string]string{stormtest.AlarmName(1): "ALARM", stormtest.AlarmName(2): "ALARM"}},
		{"CloudWatch unavailable", nil, errors.New("DescribeAlarms answered HTTP 403 AccessDenied"),
			map[string]string{stormtest.AlarmName(1): "ALARM", stormtest.AlarmName(2): "ALARM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &webhookServer{status: 200, body: "ok"}
			asked := 0
			h := setupWith(t, render.Slack, c, &fakeQueue{}, func(_ context.Context, arns []string) ([]cwalarms.Alarm, error) {
				asked++
				return tt.states, tt.err
			})
			resp, err := invoke(t, h, sqsBatch(stormtest.Event(change(1, "ALARM", 2)), stormtest.Event(change(2, "ALARM", 1))))
			if err != nil || len(failures(t, resp)) != 0 {
				t.Fatalf("%v %v", resp, err)
			}
			if got := stormtest.ReadSlack([]byte(c.posts[0])); fmt.Sprint(got) != fmt.Sprint(tt.want) || asked != 1 {
				t.Errorf("digest shows %v (CloudWatch asked %d times), want %v (asked once)", got, asked, tt.want)
			}
		})
	}
}

// TestBatchAllSuperseded: a batch whose every line has a newer change posts nothing and fails
// nothing.
func TestBatchAllSuperseded(t *testing.T) {
	c := &webhookServer{status: 200, body: "ok"}
	h := setupWith(t, render.Slack, c, &fakeQueue{}, func(_ context.Context, arns []string) ([]cwalarms.Alarm, error) {
		return []cwalarms.Alarm{{ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + stormtest.AlarmName(1), State: "OK", Since: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}}, nil
	})
	resp, err := invoke(t, h, sqsBatch(stormtest.Event(change(1, "ALARM", 2))))
	if err != nil || len(failures(t, resp)) != 0 || c.count() != 0 {
		t.Fatalf("posts %d, %v %v; want no post and no failure", c.count(), resp, err)
	}
}

// TestRedeliveredChangeIsNotQueuedAgain: SNS delivers at least once; a change this container
// posted is not queued again when it comes back while others wait.
func TestRedeliveredChangeIsNotQueuedAgain(t *testing.T) {
	c, q := &webhookServer{status: 200, body: "ok"}, &fakeQueue{}
	h := setup(t, render.Slack, c, q)
	event := stormtest.Event(change(1, "ALARM", 0))
	if _, err := invoke(t, h, event); err != nil {
		t.Fatal(err)
	}
	q.mu.Lock()
	q.waiting = 5
	q.mu.Unlock()
	if _, err := invoke(t, h, event); err != nil {
		t.Fatal(err)
	}
	if _, err := invoke(t, h, stormtest.Event(change(1, "OK", 3))); err != nil {
		t.Fatal(err)
	}
	if c.count() != 1 || len(q.bodies) != 1 || !strings.Contains(q.bodies[0], "sns-1-OK") {
		t.Errorf("posts %d, queued %d; want the ALARM posted once and only the newer OK queued", c.count(), len(q.bodies))
	}
}
