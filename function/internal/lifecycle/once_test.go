package lifecycle

import (
	"context"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestPostOnce: a window's summary delivered twice (a redelivered end event, a retried
// invocation) is posted once; the next occurrence's is posted again; a post Slack refused is not
// remembered, so the retry posts it.
func TestPostOnce(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	ctx := context.Background()
	end := time.Date(2026, 12, 5, 19, 0, 0, 0, time.UTC)
	summary := []byte(`{"text":"Maintenance window sunday-deploy ended"}`)

	t.Run("redelivered", func(t *testing.T) {
		e := setup(t, moto)
		for i, want := range []bool{true, false, false} {
			posted, err := e.x.PostOnce(ctx, "window-summary:sunday-deploy", end, summary)
			if err != nil || posted != want {
				t.Fatalf("delivery %d: posted %v, %v; want %v", i+1, posted, err, want)
			}
		}
		if n := len(e.slack.Roots(channel)); n != 1 {
			t.Fatalf("%d messages for one window's end, want 1", n)
		}
		// Next week's end, and another window's, are other occasions.
		for _, c := range []struct {
			key string
			at  time.Time
		}{{"window-summary:sunday-deploy", end.AddDate(0, 0, 7)}, {"window-summary:db-migration", end}} {
			if posted, err := e.x.PostOnce(ctx, c.key, c.at, summary); err != nil || !posted {
				t.Errorf("%s at %s: posted %v, %v", c.key, c.at, posted, err)
			}
		}
		if n := len(e.slack.Roots(channel)); n != 3 {
			t.Errorf("%d messages, want 3", n)
		}
	})

	t.Run("refused, then retried", func(t *testing.T) {
		e := setup(t, moto)
		e.slack.Fail("chat.postMessage", slacktest.Failure{Code: "channel_not_found"})
		if posted, err := e.x.PostOnce(ctx, "window-summary:sunday-deploy", end, summary); err == nil || posted {
			t.Fatalf("posted %v, err %v; want Slack's refusal", posted, err)
		}
		if posted, err := e.x.PostOnce(ctx, "window-summary:sunday-deploy", end, summary); err != nil || !posted {
			t.Fatalf("retry: posted %v, %v", posted, err)
		}
		if n := len(e.slack.Roots(channel)); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
	})
}
