package replay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
)

// Messages received by another consumer (or hidden by a replay that was killed) are invisible:
// no receive returns them. A replay that delivered everything it could see must not call the
// queue empty and succeed while they are in flight.
func TestReplayReportsMessagesInFlight(t *testing.T) {
	client, queueURL := newQueue(t)
	for range 3 {
		send(t, client, queueURL, readFixture(t, "testdata/on-failure-record.json"), nil)
	}
	// Another consumer takes two and keeps them invisible for five minutes.
	ctx := context.Background()
	var taken []Message
	for len(taken) < 2 {
		got, err := client.Receive(ctx, queueURL, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		taken = append(taken, got...)
	}
	for _, m := range taken[2:] { // hand back any extra
		if err := client.ChangeVisibility(ctx, queueURL, m.ReceiptHandle, 0); err != nil {
			t.Fatal(err)
		}
	}

	posts := 0
	handle := func(context.Context, alarm.Event) error { posts++; return nil }
	s, err := Run(ctx, client, queueURL, handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	var inFlight *InFlightError
	if !errors.As(err, &inFlight) || inFlight.InFlight != 2 {
		t.Fatalf("err = %v, want an InFlightError for 2 messages", err)
	}
	for _, want := range []string{"not empty", "2 in flight", "received by another consumer", "run the replay again once their visibility timeout", "the queue's default is 30s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not say %q", err, want)
		}
	}
	want := "1 delivered, 0 still failing, 0 unreadable; 2 more in flight (invisible to this run, not replayed)"
	if posts != 1 || s.Delivered != 1 || s.InFlight != 2 || s.Unfinished || s.String() != want {
		t.Errorf("%d posts, summary %+v (%s); want %q", posts, s, s, want)
	}

	// Once the other consumer lets them go, the next replay delivers them and the queue is empty.
	for _, m := range taken[:2] {
		if err := client.ChangeVisibility(ctx, queueURL, m.ReceiptHandle, 0); err != nil {
			t.Fatal(err)
		}
	}
	s, err = Run(ctx, client, queueURL, handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil || s.String() != "2 delivered, 0 still failing, 0 unreadable; the queue is empty" {
		t.Errorf("second run: %v, summary %s", err, s)
	}
}

// Messages this run leaves behind (still failing) are invisible while it runs: they are not
// counted as someone else's.
func TestReplayDoesNotCountItsOwnMessagesInFlight(t *testing.T) {
	client, queueURL := newQueue(t)
	for range 2 {
		send(t, client, queueURL, readFixture(t, "testdata/on-failure-record.json"), nil)
	}
	handle := func(context.Context, alarm.Event) error { return errors.New("slack answered HTTP 500") }
	s, err := Run(context.Background(), client, queueURL, handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil || s.InFlight != 0 || s.String() != "0 delivered, 2 still failing, 0 unreadable; 2 left in the queue" {
		t.Errorf("err %v, summary %+v (%s)", err, s, s)
	}
}

// countless is a queue whose counts cannot be read (no sqs:GetQueueAttributes).
type countless struct{ *Client }

func (countless) Counts(context.Context, string) (Counts, error) {
	return Counts{}, errors.New("GetQueueAttributes answered HTTP 403 AccessDenied")
}

func TestReplayWithoutCountsIsNotEmpty(t *testing.T) {
	client, queueURL := newQueue(t)
	send(t, client, queueURL, readFixture(t, "testdata/on-failure-record.json"), nil)
	handle := func(context.Context, alarm.Event) error { return nil }
	s, err := Run(context.Background(), countless{client}, queueURL, handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err == nil || !strings.Contains(err.Error(), "whether others are in flight is unknown") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err = %v", err)
	}
	if s.Delivered != 1 || strings.Contains(s.String(), "empty") {
		t.Errorf("summary %s", s)
	}
}

func TestQueueLocation(t *testing.T) {
	tests := []struct{ url, region, endpoint string }{
		{"https://sqs.eu-west-1.amazonaws.com/123456789012/q", "eu-west-1", "https://sqs.eu-west-1.amazonaws.com"},
		{"https://SQS.ap-northeast-2.amazonaws.com./123456789012/q", "ap-northeast-2", "https://sqs.ap-northeast-2.amazonaws.com"},
		{"https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/q", "us-gov-west-1", "https://sqs-fips.us-gov-west-1.amazonaws.com"},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "cn-north-1", "https://sqs.cn-north-1.amazonaws.com.cn"},
		{"https://eu-central-1.queue.amazonaws.com/123456789012/q", "eu-central-1", ""}, // legacy: called at sqs.<region>
		{"https://vpce-0a1b2c3d-abcd1234.sqs.us-east-2.vpce.amazonaws.com/123456789012/q", "us-east-2", "https://vpce-0a1b2c3d-abcd1234.sqs.us-east-2.vpce.amazonaws.com"},
		{"http://127.0.0.1:5000/123456789012/q", "", ""},
		{"https://sqs.eu-west-1.amazonaws.com.evil.example/123456789012/q", "", ""},
		{"https://queue.amazonaws.com/123456789012/q", "", ""},
	}
	for _, tt := range tests {
		region, endpoint := queueLocation(tt.url)
		if region != tt.region || endpoint != tt.endpoint {
			t.Errorf("queueLocation(%q) = %q, %q; want %q, %q", tt.url, region, endpoint, tt.region, tt.endpoint)
		}
	}
}

// The queue's region comes from its URL: the calls are signed for it even when AWS_REGION names
// another, and the replay says so. A URL that names none takes AWS_REGION.
func TestClientSignsForTheQueuesRegion(t *testing.T) {
	var scopes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scopes = append(scopes, r.Header.Get("Authorization"))
		io.WriteString(w, `{"Attributes":{"ApproximateNumberOfMessages":"0","ApproximateNumberOfMessagesNotVisible":"0","ApproximateNumberOfMessagesDelayed":"0","VisibilityTimeout":"30"}}`)
	}))
	defer srv.Close()
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL_SQS": srv.URL}
	client, err := NewClient(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for queueURL, region := range map[string]string{
		"https://sqs.eu-west-1.amazonaws.com/123456789012/q":    "eu-west-1",
		"https://ap-south-1.queue.amazonaws.com/123456789012/q": "ap-south-1",
		"http://127.0.0.1:5000/123456789012/q":                  "us-east-1",
	} {
		scopes = nil
		if _, err := client.Counts(context.Background(), queueURL); err != nil {
			t.Fatal(err)
		}
		if len(scopes) != 1 || !strings.Contains(scopes[0], "/"+region+"/sqs/aws4_request") {
			t.Errorf("%s: signed as %q, want region %s", queueURL, scopes, region)
		}
	}
	var logs bytes.Buffer
	queueURL := "https://sqs.eu-west-1.amazonaws.com/123456789012/q"
	handle := func(context.Context, alarm.Event) error { return nil }
	if _, err := Run(context.Background(), &receiveNothing{client}, queueURL, handle, slog.New(slog.NewTextHandler(&logs, nil)), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "the queue URL names region eu-west-1 and AWS_REGION is us-east-1: calling the queue in eu-west-1") {
		t.Errorf("the region mismatch is not reported:\n%s", logs.String())
	}

	_, err = (&Client{credentials: client.credentials, apis: map[string]*awsapi.Client{}}).api("http://127.0.0.1:5000/1/q")
	if err == nil || !strings.Contains(err.Error(), "names no region") || !strings.Contains(err.Error(), "AWS_REGION is not set") {
		t.Errorf("no region anywhere: err = %v", err)
	}
}

// receiveNothing is a queue that returns no messages (the test server above answers counts only).
type receiveNothing struct{ *Client }

func (*receiveNothing) Receive(context.Context, string, time.Duration) ([]Message, error) {
	return nil, nil
}
