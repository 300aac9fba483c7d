package wiring

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// TestLambdaHandlerOverflowWiring: without OVERFLOW_QUEUE_URL an SQS batch is rejected as an
// invalid event (nothing posted) and SNS events are relayed as before; with it, a relay that
// neither posts to a webhook nor keeps Slack app incidents stops at start-up, naming the
// variable, and a Slack app relay gets its storm digests.
func TestLambdaHandlerOverflowWiring(t *testing.T) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	var out bytes.Buffer
	r := relay.New(render.Slack, render.Options{}, relay.NewWebhook(printer{&out}), log)
	none := func(string) string { return "" }
	h, err := LambdaHandler(r, none, log)
	if err != nil {
		t.Fatal(err)
	}
	sqsBatch := []byte(`{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{}"}]}`)
	_, err = h(context.Background(), sqsBatch)
	var invalid *relay.InvalidEventError
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), relayconfig.EnvOverflowQueueURL) || out.Len() != 0 {
		t.Fatalf("SQS batch without an overflow queue: %v (printed %d bytes); want an InvalidEventError naming %s", err, out.Len(), relayconfig.EnvOverflowQueueURL)
	}
	if resp, err := h(context.Background(), latencyAlarm(t)); err != nil || resp != nil || !strings.Contains(out.String(), "orders-api latency") {
		t.Fatalf("SNS event: %v, %v; want it relayed as before", resp, err)
	}

	app := relay.New(render.SlackApp, render.Options{}, relay.NewSlackApp(nil), log)
	env := map[string]string{relayconfig.EnvOverflowQueueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/q", "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
	if _, err := LambdaHandler(app, func(k string) string { return env[k] }, log); err == nil || !strings.Contains(err.Error(), relayconfig.EnvOverflowQueueURL) {
		t.Fatalf("overflow on a Slack app relay: %v; want a start-up error naming %s", err, relayconfig.EnvOverflowQueueURL)
	}

	getenv := func(k string) string { return env[k] }
	tok, err := slackapi.ParseToken("xoxb-1111111111-2222222222222-TestTestTestTest")
	if err != nil {
		t.Fatal(err)
	}
	judge, _ := render.JudgeFor(render.SlackApp)
	client, err := slackapi.New(getenv, tok, judge, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	store, err := incident.New("alarm-relay-dev-incidents", getenv, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	x, err := lifecycle.New(client, store, "C0123ABCDEF", "oncall", render.NewIncidentLines(render.English, nil))
	if err != nil {
		t.Fatal(err)
	}
	dest := relay.NewSlackApp(x)
	withIncidents := relay.New(render.SlackApp, render.Options{}, dest, log)
	if _, err := LambdaHandler(withIncidents, getenv, log); err != nil {
		t.Fatalf("overflow on a Slack app relay with its incidents: %v", err)
	}
	if direct, ok := dest.Tracker().(*lifecycle.Tracker); !ok || direct == x || direct.Slack() == lifecycle.Slack(client) {
		t.Errorf("the Slack app relay's direct path does not have a Web API client of its own (one that gives up at the first ratelimited)")
	}
}

func latencyAlarm(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "latency-alarm.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
