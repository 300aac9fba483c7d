package stack

import (
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// TestRelayReadsWhatTheStackWrites: every relay's environment is one the relay starts with, in
// the contract's canonical form, and holds no webhook.
func TestRelayReadsWhatTheStackWrites(t *testing.T) {
	dests := `[
	  {"name": "team", "webhook": "https://hooks.slack.com/services/T/B/teamSECRET", "language": " KO", "messenger": "Slack", "timezone": "Europe/Berlin", "mentions": ["@here"]},
	  {"name": "ops", "webhook": "https://x.environment.api.powerplatform.com/p/opsSECRET", "trend": false}
	]`
	m := deployWith(t, map[string]string{"webhookUrl": "", "destinations": dests, "timezone": ""}, "destinations")
	want := map[string]relayconfig.Config{
		"alarm-relay-team-function": {Messenger: "slack", Timezone: "Europe/Berlin", Language: "ko", Mentions: "@here", Trend: true, WebhookParameter: "/alarm-relay/dev/team/webhook-url:3"},
		"alarm-relay-ops-function":  {Messenger: "auto", Timezone: "UTC", Language: "en", WebhookParameter: "/alarm-relay/dev/ops/webhook-url:3"},
	}
	for name, want := range want {
		vars := object(t, object(t, m.named(t, name).Inputs, "environment"), "variables")
		env := map[string]string{}
		for k := range vars {
			env[string(k)] = str(t, vars, string(k))
		}
		got, err := relayconfig.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Errorf("%s: the relay refuses its environment %v: %v", name, env, err)
		}
		if got != want {
			t.Errorf("%s: the relay reads %#v, want %#v", name, got, want)
		}
		for k, v := range env {
			if k == relayconfig.EnvWebhookURL || strings.Contains(v, "SECRET") {
				t.Errorf("%s: environment holds the webhook in %s", name, k)
			}
		}
	}
}

// TestSameRulesAsTheRelay: what the relay refuses at start-up, `pulumi up` refuses, under the
// stack's keys; an empty value means the default on both sides.
func TestSameRulesAsTheRelay(t *testing.T) {
	for _, tt := range []struct {
		key, value, problem string
	}{
		{"timezone", "Local", `timezone: "Local" is not an IANA time zone name`},
		{"language", "jp", `language: unknown language "jp": use en or ko`},
		{"messenger", "discord", `messenger: unknown messenger "discord"`},
		{"mentions", "@everyone", `mentions: mention "@everyone" is not`},
	} {
		cfg := devConfig()
		cfg[tt.key] = tt.value
		expectRejected(t, cfg, []string{"webhookUrl"}, tt.problem)
		if _, err := relayconfig.FromEnv(func(k string) string {
			return map[string]string{"TIMEZONE": "Local", "LANGUAGE": "jp", "MESSENGER": "discord", "MENTIONS": "@everyone"}[k]
		}); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tt.problem, tt.key+": ")) {
			t.Errorf("the relay does not refuse %s %q as the stack does: %v", tt.key, tt.value, err)
		}
	}
	cfg := devConfig()
	cfg["language"], cfg["messenger"], cfg["timezone"] = "KO", "", "" // set, and empty
	m, _, err := deploy(t, cfg, []string{"webhookUrl"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	env := object(t, object(t, m.one(t, "aws:lambda/function:Function").Inputs, "environment"), "variables")
	expect(t, "LANGUAGE", str(t, env, "LANGUAGE"), "ko")
	expect(t, "MESSENGER", str(t, env, "MESSENGER"), "auto")
	expect(t, "TIMEZONE", str(t, env, "TIMEZONE"), "UTC")
}
