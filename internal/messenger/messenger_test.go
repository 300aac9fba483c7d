package messenger

import (
	"net/url"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		url  string
		want Messenger
	}{
		{"https://hooks.slack.com/services/T000/B000/XXXX", Slack},
		{"https://HOOKS.SLACK.COM/services/T000/B000/XXXX", Slack},
		{"https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456", TeamsLegacy},
		{"https://outlook.office.com/webhook/abc", TeamsLegacy},
		{"https://default0123.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1", Teams},
		{"https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=secret", Teams},
		{"https://example.com/hook", ""},
		{"https://hooks.slack.com.evil.example/services/x", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Detect(u)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("Detect(%s) = %q, %v; want %q", tt.url, got, err, tt.want)
		}
		if err != nil && (strings.Contains(err.Error(), "/hook") || strings.Contains(err.Error(), "/services")) {
			t.Errorf("error leaks the webhook path: %v", err)
		}
	}
}

func TestParse(t *testing.T) {
	for _, ok := range []string{"slack", "Teams", " teams-legacy ", "slack-app"} {
		if _, err := Parse(ok); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
	if _, err := Parse("discord"); err == nil || !strings.Contains(err.Error(), `"discord"`) {
		t.Errorf("Parse(discord) = %v, want an error naming the value", err)
	}
}

// A Slack app has a bot token, not a webhook: no host ever selects it.
func TestSlackAppIsNoWebhook(t *testing.T) {
	if SlackApp.Webhook() {
		t.Error("slack-app counts as a webhook messenger")
	}
	for _, m := range []Messenger{Slack, Teams, TeamsLegacy} {
		if !m.Webhook() {
			t.Errorf("%s does not count as a webhook messenger", m)
		}
	}
	for _, host := range []string{"https://slack.com/api/", "https://hooks.slack.com/services/T/B/X"} {
		u, _ := url.Parse(host)
		if m, _ := Detect(u); m == SlackApp {
			t.Errorf("Detect(%s) = slack-app", host)
		}
	}
}
