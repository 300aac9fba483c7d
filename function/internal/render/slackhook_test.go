package render

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

const corporateBlock = `<!DOCTYPE html><html><head><title>Request blocked</title></head><body><h1>Request blocked by corporate policy</h1><p>Category: Chat</p></body></html>`

// On Slack's own webhook hosts a post is delivered only when the answer is 200 "ok"; any other
// 2xx came from something in between. Slack-compatible hosts elsewhere keep the lenient rule.
func TestSlackHookHostDeliversOnlyOK(t *testing.T) {
	tests := []struct {
		host   string
		status int
		body   string
		want   chat.Meaning
		says   string // in the reason, for failures
	}{
		{"hooks.slack.com", 200, "ok", chat.Delivered, ""},
		{"hooks.slack.com", 200, "{}", chat.Failed, `a body other than "ok"`},
		{"hooks.slack.com", 200, "", chat.Failed, "an empty body"},
		{"hooks.slack.com", 200, corporateBlock, chat.Failed, "an HTML page"},
		{"hooks.slack.com", 204, "", chat.Failed, "HTTP 204"},
		{"hooks.slack.com", 200, "success", chat.Failed, `a body other than "ok"`},
		{"hooks.slack.com", 200, `{"ok":true}`, chat.Failed, `a body other than "ok"`},
		{"hooks.slack.com", 202, "ok", chat.Failed, "HTTP 202"},
		{"HOOKS.Slack.com", 200, "{}", chat.Failed, ""},
		{"hooks.slack.com.", 200, "{}", chat.Failed, ""},
		{"hooks.slack-gov.com", 200, "{}", chat.Failed, ""},
		{"hooks.slack-gov.com", 200, "ok", chat.Delivered, ""},
		// Slack's own error answers keep their meaning there.
		{"hooks.slack.com", 200, "rate_limited", chat.Retryable, ""},
		{"hooks.slack.com", 429, "rate_limited", chat.Retryable, ""},
		{"hooks.slack.com", 500, "", chat.Retryable, ""},
		{"hooks.slack.com", 404, "no_service", chat.Failed, ""},
		{"hooks.slack.com", 200, "invalid_payload", chat.Failed, ""},
		// Slack-compatible hosts (the messenger forced to slack) answer otherwise, and deliver.
		{"mattermost.example.com", 200, "{}", chat.Delivered, ""},
		{"mattermost.example.com", 200, "", chat.Delivered, ""},
		{"chat.example.com", 204, "", chat.Delivered, ""},
		{"hooks.slack.com.evil.example", 200, "{}", chat.Delivered, ""},
		{"mattermost.example.com", 200, corporateBlock, chat.Failed, ""},
	}
	for _, tt := range tests {
		judge, err := JudgeForWebhook(Slack, &url.URL{Scheme: "https", Host: tt.host})
		if err != nil {
			t.Fatal(err)
		}
		v := judge.Judge(chat.Response{Status: tt.status, Body: tt.body, Header: http.Header{}, Now: time.Unix(0, 0)})
		if v.Means != tt.want {
			t.Errorf("%s answered %d %q: %v (%s), want %v", tt.host, tt.status, tt.body, v.Means, v.Reason, tt.want)
		}
		if v.Means != chat.Delivered && (v.Reason == "" || !strings.Contains(v.Reason, tt.says)) {
			t.Errorf("%s answered %d %q: reason %q, want one saying %q", tt.host, tt.status, tt.body, v.Reason, tt.says)
		}
		if v.Means == chat.Failed && tt.body != "" && v.Detail == "" {
			t.Errorf("%s answered %d %q: the failure does not name what came back", tt.host, tt.status, tt.body)
		}
	}
}
