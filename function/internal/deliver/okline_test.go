package deliver

import (
	"context"
	"net/url"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// Slack's "ok" may come with a line end (a proxy or a server that writes lines): that is still
// Slack's "ok", and the post is delivered, once.
func TestSlackHostOKWithLineEnd(t *testing.T) {
	judge, err := render.JudgeForWebhook(render.Slack, &url.URL{Scheme: "https", Host: "hooks.slack.com", Path: "/services"})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"ok\n", "ok\r\n", " ok"} {
		w, s, _ := newWebhook(t, render.Slack, step{status: 200, body: body})
		w.Judge = judge
		if _, err := w.Post(context.Background(), []byte("{}")); err != nil || s.count() != 1 {
			t.Errorf("answer %q: err = %v after %d posts, want delivered once", body, err, s.count())
		}
	}
}
