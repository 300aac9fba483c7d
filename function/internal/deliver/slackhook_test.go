package deliver

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// A webhook on hooks.slack.com that answers 200 with anything but "ok" (a corporate proxy's block
// page, "{}", nothing) delivered nothing: the post fails at once, and the error names what came
// back, redacted and clipped.
func TestPostToSlackHostNeedsOK(t *testing.T) {
	block := "<html><body><h1>Request blocked by corporate policy</h1><p>URL: https://hooks.slack.com" + secretPath + "</p>" + strings.Repeat("<p>Contact the service desk.</p>", 40) + "</body></html>"
	judge, err := render.JudgeForWebhook(render.Slack, &url.URL{Scheme: "https", Host: "hooks.slack.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ body, says string }{
		{block, "Request blocked by corporate policy"},
		{"{}", `"{}"`},
		{"", "an empty body"},
	} {
		w, s, _ := newWebhook(t, render.Slack, step{status: 200, body: tt.body})
		w.Judge = judge // the test server stands in for hooks.slack.com
		_, err := w.Post(context.Background(), []byte("{}"))
		var derr *Error
		if !errors.As(err, &derr) || derr.Status != 200 || s.count() != 1 {
			t.Fatalf("answer %.40q: err = %v after %d posts, want a final failure", tt.body, err, s.count())
		}
		msg := err.Error()
		assertNoSecret(t, msg)
		if !strings.Contains(msg, tt.says) || len(msg) > 700 {
			t.Errorf("answer %.40q: error %q (%d bytes) does not say what came back, clipped", tt.body, msg, len(msg))
		}
	}
	// The lenient judge on another host still takes the same answers.
	w, _, _ := newWebhook(t, render.Slack, step{status: 200, body: "{}"})
	if _, err := w.Post(context.Background(), []byte("{}")); err != nil {
		t.Errorf("a Slack-compatible host answering {}: %v", err)
	}
}
