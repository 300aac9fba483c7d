package overflow

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
)

// countingPoster accepts every digest and counts them.
type countingPoster struct{ posts int }

func (p *countingPoster) Post(context.Context, []byte) (deliver.Result, error) {
	p.posts++
	return deliver.Result{Status: 200, Attempts: 1}, nil
}

// FuzzHandleSQS: whatever an SQS event holds, the handler answers without panicking; its
// failures name only messages of the batch, and a message is either failed or posted.
func FuzzHandleSQS(f *testing.F) {
	f.Add(sqsBatch(stormtest.Event(change(1, "ALARM", 1)), stormtest.Event(change(1, "OK", 2))))
	f.Add(sqsBatch([]byte(`{"Records":[{"Sns":null}]}`), []byte(`{"Records":[{"Sns":{"Message":"{\"AlarmName\":\"x\",\"NewStateValue\":\"ALARM\"}"}}]}`)))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"","body":""}]}`))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"a","body":"{\"Records\":[{\"Sns\":{\"MessageId\":\"s\",\"Message\":\"\\u0000\"}}]}"}]}`))
	f.Fuzz(func(t *testing.T, event []byte) {
		p := &countingPoster{}
		o := New(&fakeQueue{}, p, render.Slack, render.Options{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		resp, err := o.HandleSQS(context.Background(), event)
		if err != nil {
			return
		}
		var ev sqsEvent
		if json.Unmarshal(event, &ev) != nil {
			t.Fatalf("undecodable event accepted: %q", event)
		}
		ids := map[string]bool{}
		for _, r := range ev.Records {
			ids[r.MessageID] = true
		}
		for _, f := range resp.BatchItemFailures {
			if !ids[f.ItemIdentifier] {
				t.Fatalf("failure %q names no message of the batch", f.ItemIdentifier)
			}
		}
		if len(resp.BatchItemFailures) < len(ids) && p.posts == 0 {
			// Every message not failed was posted, or had nothing to post (settling, superseded).
			for _, r := range ev.Records {
				if ns, err := readBody(r.Body); err == nil && len(ns) > 0 && !(ns[0].Alarm != nil && ns[0].Alarm.Settling()) {
					t.Fatalf("message %q neither failed nor posted", r.MessageID)
				}
			}
		}
	})
}

// TestSendTrustsOnlyAMessageID: an SQS (or proxy) answering 200 without a MessageId has not
// shown that it took the message: Send fails, so the invocation fails and nothing is lost.
func TestSendTrustsOnlyAMessageID(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_ENDPOINT_URL_SQS": srv.URL}
	q, err := NewSQS(func(k string) string { return env[k] }, srv.URL+"/123456789012/overflow", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(context.Background(), "x"); err == nil || !strings.Contains(err.Error(), "may not be there") {
		t.Fatalf("Send = %v; want an error saying the message may not be there", err)
	}
}
