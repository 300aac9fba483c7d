package render

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// Slack's workflow webhooks (hooks.slack.com/triggers/…, /workflows/…) answer a taken post with
// an empty 200 or {"ok":true}, not "ok": holding them to the incoming webhooks' rule would fail
// every delivered alert, and Lambda's retries would run the workflow three times. Only Slack's
// incoming webhooks (/services/…, or a URL whose path is not known) need "ok". The host may come
// in any case, with a port or a trailing dot.
func TestSlackHookRuleByService(t *testing.T) {
	tests := []struct {
		url    string
		status int
		body   string
		want   chat.Meaning
	}{
		{"https://hooks.slack.com/triggers", 200, "", chat.Delivered},
		{"https://hooks.slack.com/triggers", 200, `{"ok":true}`, chat.Delivered},
		{"https://hooks.slack.com/workflows", 200, `{"ok":true}`, chat.Delivered},
		{"https://hooks.slack.com/triggers", 400, `{"ok":false,"error":"invalid_workflow_input"}`, chat.Failed},
		{"https://hooks.slack.com/triggers", 200, corporateBlock, chat.Failed},
		{"https://hooks.slack.com/services", 200, "", chat.Failed},
		{"https://hooks.slack.com/services", 200, `{"ok":true}`, chat.Failed},
		{"https://hooks.slack.com/services", 200, "ok", chat.Delivered},
		{"https://hooks.slack.com", 200, "{}", chat.Failed},
		{"https://HOOKS.SLACK.COM:443/services", 200, "{}", chat.Failed},
		{"https://HOOKS.SLACK.COM:443/services", 200, "ok", chat.Delivered},
		{"https://hooks.slack.com.:443", 200, "", chat.Failed},
		{"https://hooks.slack-gov.com/triggers", 200, "", chat.Delivered},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		judge, err := JudgeForWebhook(Slack, u)
		if err != nil {
			t.Fatal(err)
		}
		v := judge.Judge(chat.Response{Status: tt.status, Body: tt.body, Header: http.Header{}, Now: time.Unix(0, 0)})
		if v.Means != tt.want {
			t.Errorf("%s answered %d %q: %v (%s), want %v", tt.url, tt.status, tt.body, v.Means, v.Reason, tt.want)
		}
	}
}
