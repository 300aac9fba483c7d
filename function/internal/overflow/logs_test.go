package overflow

import (
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
)

// TestQueuedIsNeverLoggedAsAnError: a notification the webhook pushed back on and the queue took
// leaves no error line (the relay logs the push-back at info, the overflow where it went); one
// the queue refused too is an error, naming it.
func TestQueuedIsNeverLoggedAsAnError(t *testing.T) {
	for _, tt := range []struct {
		name      string
		sendErr   error
		wantError bool
	}{
		{"queued", nil, false},
		{"the queue refuses too", errors.New("SQS says no"), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, q := &webhookServer{status: 429, body: "rate_limited", retryAfter: "1"}, &fakeQueue{sendErr: tt.sendErr}
			srv := httptest.NewServer(c)
			t.Cleanup(srv.Close)
			u, err := webhook.Parse(srv.URL + secretPath)
			if err != nil {
				t.Fatal(err)
			}
			judge, _ := render.JudgeFor(render.Slack)
			hook := &deliver.Webhook{URL: u, Messenger: render.Slack, Judge: judge, Client: srv.Client(), Policy: retry.DefaultPolicy}
			logs := &lockedBuffer{}
			h, err := Handler(relay.New(render.Slack, render.Options{}, relay.NewWebhook(hook), slog.New(slog.NewJSONHandler(logs, nil))), q)
			if err != nil {
				t.Fatal(err)
			}
			_, err = invoke(t, h, stormtest.Event(change(1, "ALARM", 0)))
			if (err != nil) != tt.wantError {
				t.Fatalf("invocation: %v; want an error: %v", err, tt.wantError)
			}
			var errorLines []string
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) {
					errorLines = append(errorLines, line)
				}
			}
			switch {
			case !tt.wantError && len(errorLines) > 0:
				t.Errorf("a queued notification logged as an error:\n%s", strings.Join(errorLines, "\n"))
			case !tt.wantError && !strings.Contains(logs.String(), "queued for a digest"):
				t.Errorf("no line says it was queued:\n%s", logs.String())
			case tt.wantError && (len(errorLines) == 0 || !strings.Contains(strings.Join(errorLines, "\n"), "overflow queue did not take it")):
				t.Errorf("not delivered, not queued, but no error line says so:\n%s", logs.String())
			}
		})
	}
}
