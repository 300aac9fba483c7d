package render

import (
	"bytes"
	"testing"
)

// TestSlackAppDigestIsSlacks: a Slack app's storm digest root is the webhook's Slack digest, in
// every language, so the Slack goldens (digest.slack*.json) show it too; were they to differ,
// the app's root would need goldens of its own.
func TestSlackAppDigestIsSlacks(t *testing.T) {
	d := goldenDigest(t)
	for _, lang := range []Language{English, Korean} {
		opts := seoul(t)
		opts.Language, opts.Mentions = lang, configuredMentions
		hook, err := RenderDigest(Slack, d, opts)
		if err != nil {
			t.Fatal(err)
		}
		app, err := RenderDigest(SlackApp, d, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(hook.Payload, app.Payload) {
			t.Errorf("%s: the Slack app's digest root differs from the webhook's Slack digest:\n%s", lang, app.Payload)
		}
	}
}
