package render

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// Each messenger's reading of its endpoint's answers. A 2xx counts only where that messenger's
// endpoint means it; a Teams failure inside HTTP 200 is a failure for every Teams shape.
func TestJudges(t *testing.T) {
	const throttled = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef"
	const forbidden = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 403 with ContextId x"
	tests := []struct {
		m      Messenger
		status int
		body   string
		want   chat.Meaning
	}{
		{Slack, 200, "ok", chat.Delivered},
		{Slack, 100, "", chat.Retryable},
		{Slack, 408, "", chat.Retryable},
		{Slack, 404, "no_service", chat.Failed},
		{Slack, 410, "channel_is_archived", chat.Failed},
		{Slack, 302, "", chat.Failed},
		// A 2xx whose body says the message was not taken.
		{Slack, 200, "invalid_payload", chat.Failed},
		{Slack, 200, "no_service", chat.Failed},
		{Slack, 200, "rate_limited", chat.Retryable},
		{Slack, 200, `{"ok":false,"error":"invalid_blocks"}`, chat.Failed},
		{Slack, 200, `{"ok":false}`, chat.Failed},
		{Slack, 200, "<html><title>Sign in – Corporate proxy</title></html>", chat.Failed},
		{Slack, 200, "<!DOCTYPE html>\n<html lang=en>…", chat.Failed},
		// Slack-compatible targets answer otherwise, and deliver.
		{Slack, 200, "", chat.Delivered},
		{Slack, 204, "", chat.Delivered},
		{Slack, 200, "success", chat.Delivered},
		{Slack, 200, `{"ok":true}`, chat.Delivered},
		{Slack, 200, `{"success":true}`, chat.Delivered},
		{Teams, 202, "", chat.Delivered},
		{Teams, 200, "1", chat.Delivered},
		{Teams, 200, `{"ok":true}`, chat.Delivered},
		{Teams, 200, "false", chat.Failed}, // JSON, but no document a flow answers with
		{Teams, 200, throttled, chat.Retryable},
		{Teams, 200, forbidden, chat.Failed},
		{Teams, 200, "Bad payload received by generic incoming webhook.", chat.Failed},
		{Teams, 101, "", chat.Retryable},
		{Teams, 400, `{"error":{"code":"TriggerInputSchemaMismatch"}}`, chat.Failed},
		{Teams, 408, "", chat.Retryable},
		{Teams, 200, `{"error":{"code":"TriggerInputSchemaMismatch","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}}`, chat.Failed},
		{Teams, 202, `{"error":{"code":"DirectApiAuthorizationRequired","message":"..."}}`, chat.Failed},
		{Teams, 200, `{"error":"flow is disabled"}`, chat.Failed},
		{Teams, 200, `{"error":null,"status":"ok"}`, chat.Delivered},
		{TeamsLegacy, 200, "1", chat.Delivered},
		{TeamsLegacy, 200, "", chat.Failed},
		{TeamsLegacy, 200, throttled, chat.Retryable},
		{TeamsLegacy, 200, "webhook message delivery failed with error: microsoft teams endpoint returned http error 502", chat.Retryable},
		{TeamsLegacy, 200, forbidden, chat.Failed},
		{TeamsLegacy, 200, "Summary or Text is required.", chat.Failed},
		{TeamsLegacy, 202, "", chat.Failed},
	}
	for _, tt := range tests {
		judge, err := JudgeFor(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		v := judge.Judge(chat.Response{Status: tt.status, Body: tt.body, Header: http.Header{}, Now: time.Unix(0, 0)})
		if v.Means != tt.want {
			t.Errorf("%s answered %d %q: %v (%s), want %v", tt.m, tt.status, tt.body, v.Means, v.Reason, tt.want)
		}
		if v.Means != chat.Delivered && v.Reason == "" {
			t.Errorf("%s answered %d %q: a failure without a reason", tt.m, tt.status, tt.body)
		}
	}
	if _, err := JudgeFor("discord"); err == nil {
		t.Error("JudgeFor(discord) succeeded")
	}
}

// The teams messenger may post its Adaptive Card to an Office 365 connector URL; the answers are
// then the connector's, so they are judged as a connector's: a 202 or an empty 200, which a
// Workflows webhook means as taken, is no delivery there. Elsewhere the messenger's judge stands.
func TestJudgeForWebhookReadsTheEndpoint(t *testing.T) {
	answers := []chat.Response{
		{Status: 200, Body: "1"},
		{Status: 200, Body: ""},
		{Status: 202, Body: ""},
		{Status: 200, Body: `{"status":"error"}`},
		{Status: 200, Body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429"},
	}
	tests := []struct {
		m       Messenger
		webhook string // "" for none
		like    Messenger
	}{
		{Teams, "https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d", TeamsLegacy},
		{Teams, "https://OUTLOOK.office.com/webhook/a", TeamsLegacy},
		{TeamsLegacy, "https://contoso.webhook.office.com/webhookb2/x", TeamsLegacy},
		{Teams, "https://prod-12.westeurope.logic.azure.com/workflows/x", Teams},
		{Teams, "https://default1.environment.api.powerplatform.com/powerautomate/x", Teams},
		{Teams, "http://127.0.0.1:8080/hook", Teams}, // an unknown host: the messenger chosen decides
		{Teams, "", Teams},
		{Slack, "https://mattermost.example.com/hooks/x", Slack}, // Slack's own host: TestSlackHookHostDeliversOnlyOK
	}
	for _, tt := range tests {
		var u *url.URL
		if tt.webhook != "" {
			var err error
			if u, err = url.Parse(tt.webhook); err != nil {
				t.Fatal(err)
			}
		}
		got, err := JudgeForWebhook(tt.m, u)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := JudgeFor(tt.like)
		for _, r := range answers {
			r.Header, r.Now = http.Header{}, time.Unix(0, 0)
			if g, w := got.Judge(r).Means, want.Judge(r).Means; g != w {
				t.Errorf("%s to %s answered %d %q: %v, want %v (as %s)", tt.m, tt.webhook, r.Status, r.Body, g, w, tt.like)
			}
		}
	}
	if _, err := JudgeForWebhook("discord", nil); err == nil {
		t.Error("JudgeForWebhook(discord) succeeded")
	}
}
