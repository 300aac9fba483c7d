package webhook

import (
	"net/url"
	"testing"
)

// Service tells what a URL addresses on its host (Slack's incoming webhooks at /services, its
// workflow triggers at /triggers and /workflows) and nothing of the secret after it.
func TestService(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/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": "https://hooks.slack.com/services",
		"https://hooks.slack.com/triggers/T0AB12CD3/123456789/0a1b2c3d4e5f":             "https://hooks.slack.com/triggers",
		"https://HOOKS.slack.com:443/workflows/T0AB12CD3/A0/1/abc":                      "https://HOOKS.slack.com:443/workflows",
		// a first segment that is not a plain word may be the secret itself: left out
		"https://gateway.example/Xy9secretToken/post":   "https://gateway.example",
		"https://gateway.example/0123456789abcdef/x":    "https://gateway.example",
		"https://gateway.example/averyveryverylongword": "https://gateway.example",
		"https://gateway.example/slack/T0/B0/secret":    "https://gateway.example/slack",
		"https://gateway.example":                       "https://gateway.example",
		"https://gateway.example/?sig=abc":              "https://gateway.example",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := newURL(u).Service().String(); got != want {
			t.Errorf("Service(%s) = %s, want %s", raw, got, want)
		}
	}
	if got := (URL{}).Service().String(); got != "" {
		t.Errorf("Service of no URL = %q", got)
	}
}
