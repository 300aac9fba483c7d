package render

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// A Slack app destination shows exactly what a Slack webhook shows, for every fixture.
func TestSlackAppRendersTheSlackPayload(t *testing.T) {
	opts := seoul(t)
	for name, ns := range fixtures(t) {
		for _, n := range ns {
			webhook, err := Render(Slack, n, opts)
			if err != nil {
				t.Fatal(err)
			}
			app, err := Render(SlackApp, n, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(webhook, app) {
				t.Errorf("%s: slack-app payload differs from the Slack webhook's:\n%s\n%s", name, app, webhook)
			}
		}
	}
}

// The Web API answers HTTP 200 for most failures: only {"ok":true} with a ts is a post.
func TestJudgeSlackWebAPI(t *testing.T) {
	tests := []struct {
		status     int
		body       string
		retryAfter string
		want       chat.Meaning
		wait       time.Duration
		detail     string
	}{
		{200, `{"ok":true,"channel":"C0123ABCDEF","ts":"1700000000.000100"}`, "", chat.Delivered, 0, ""},
		{200, `{"ok":true}`, "", chat.Failed, 0, ""},
		{200, `ok`, "", chat.Failed, 0, "ok"}, // a webhook's answer is not the Web API's
		{200, `{"ok":false,"error":"channel_not_found"}`, "", chat.Failed, 0, "channel_not_found"},
		{200, `{"ok":false,"error":"not_in_channel"}`, "", chat.Failed, 0, "not_in_channel"},
		{200, `{"ok":false,"error":"invalid_auth"}`, "", chat.Failed, 0, "invalid_auth"},
		{200, `{"ok":false,"error":"msg_too_long"}`, "", chat.Failed, 0, "msg_too_long"},
		{200, `{"ok":false,"error":"message_not_found"}`, "", chat.Failed, 0, "message_not_found"},
		{200, `{"ok":false,"error":"something_new"}`, "", chat.Failed, 0, "something_new"},
		{200, `{"ok":false,"error":"rate_limited"}`, "2", chat.Retryable, 2 * time.Second, "rate_limited"},
		{200, `{"ok":false,"error":"internal_error"}`, "", chat.Retryable, 0, "internal_error"},
		{429, `{"ok":false,"error":"ratelimited"}`, "30", chat.Retryable, 30 * time.Second, "ratelimited"},
		{503, `upstream connect error`, "", chat.Retryable, 0, "upstream connect error"},
		{404, `not found`, "", chat.Failed, 0, "not found"},
		{302, ``, "", chat.Failed, 0, ""},
	}
	judge, err := JudgeFor(SlackApp)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		v := judge.Judge(chat.Response{Status: tt.status, Body: tt.body, Header: http.Header{"Retry-After": {tt.retryAfter}}, Now: time.Unix(0, 0)})
		if v.Means != tt.want || v.RetryAfter != tt.wait || v.Detail != tt.detail {
			t.Errorf("HTTP %d %s: %v after %v detail %q (%s), want %v after %v detail %q", tt.status, tt.body, v.Means, v.RetryAfter, v.Detail, v.Reason, tt.want, tt.wait, tt.detail)
		}
		if v.Means != chat.Delivered && v.Reason == "" {
			t.Errorf("HTTP %d %s: a failure without a reason", tt.status, tt.body)
		}
	}
}
