package messenger

import (
	"net/url"
	"testing"
)

// A host written as a fully qualified name (with DNS's trailing dot), in another case or with a
// port is the same host: detection must not fall back to "unknown", where a forced messenger's
// judge would read a connector's 200 "failed" as delivered.
func TestDetectFullyQualifiedHosts(t *testing.T) {
	for raw, want := range map[string]Messenger{
		"https://hooks.slack.com./services/T/B/X":                 Slack,
		"https://HOOKS.SLACK.COM.:443/services/T/B/X":             Slack,
		"https://contoso.webhook.office.com./webhookb2/x":         TeamsLegacy,
		"https://outlook.office.com./webhook/x":                   TeamsLegacy,
		"https://prod-00.westus.logic.azure.com.:443/workflows/x": Teams,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Detect(u); err != nil || got != want {
			t.Errorf("Detect(%s) = %q, %v; want %q", raw, got, err, want)
		}
	}
}
