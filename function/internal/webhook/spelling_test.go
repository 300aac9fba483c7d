package webhook

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/secretmask"
)

// spell writes s the ways a server may echo it.
func spell(s string) map[string]string {
	var pct, jsonU, entities strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&pct, "%%%02x", s[i])
		fmt.Fprintf(&jsonU, `\u%04X`, s[i])
		fmt.Fprintf(&entities, "&#x%x;", s[i])
	}
	return map[string]string{
		"/ as %2F":              strings.ReplaceAll(s, "/", "%2F"),
		"- and / as %2d, %2f":   strings.NewReplacer("-", "%2d", "/", "%2f").Replace(s),
		"fully percent-encoded": pct.String(),
		"percent-encoded twice": url.QueryEscape(url.QueryEscape(s)),
		"lower-cased":           strings.ToLower(s),
		"upper-cased":           strings.ToUpper(s),
		`\u escapes`:            jsonU.String(),
		`JSON \/`:               strings.ReplaceAll(s, "/", `\/`),
		"HTML references":       entities.String(),
		"HTML-escaped":          html.EscapeString(s),
	}
}

// A server's answer may echo the webhook, or the secret part of it, in any spelling; Redact masks
// it so that no spelling of the secret survives.
func TestRedactEverySpelling(t *testing.T) {
	const slackHook = "https://hooks.slack.com/services/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"
	for _, raw := range []string{workflowsURL, slackHook} {
		u, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := url.Parse(raw)
		parts := map[string]string{"the URL": raw, "the request URI": parsed.RequestURI(), "the path": parsed.Path}
		if sig := parsed.Query().Get("sig"); sig != "" {
			parts["the signature"] = sig
		}
		for what, part := range parts {
			for how, spelled := range spell(part) {
				body := "<p>Cannot POST " + spelled + "</p>"
				got := u.Redact(body)
				canon := secretmask.Canonical(got)
				for _, secret := range []string{"sigsecretsigsecret", "0a1b2c3d4e5f", "xyzsecretwebhooktoken", "t0ab12cd3/b0ef45gh6"} {
					if strings.Contains(canon, secret) {
						t.Errorf("%s of %s, %s: Redact left %q", what, raw[:30], how, got)
					}
				}
				if !strings.Contains(got, "[redacted]") && !strings.Contains(got, "[webhook]") {
					t.Errorf("%s of %s, %s: Redact(%q) = %q marks nothing", what, raw[:30], how, body, got)
				}
			}
		}
	}
	u, _ := Parse(slackHook)
	if got := u.Redact("HTTP 400: invalid_payload (%2D, \\u0041, &amp;)"); got != "HTTP 400: invalid_payload (%2D, \\u0041, &amp;)" {
		t.Errorf("Redact changed a text without the secret: %q", got)
	}
}

// FuzzRedact spells the webhook's signature, byte by byte, in a fuzzer-chosen mix of encodings
// inside fuzzer-chosen text: no spelling of it may survive Redact.
func FuzzRedact(f *testing.F) {
	f.Add("Cannot POST ", []byte{0, 1, 2, 3, 4, 5, 6}, "</pre>")
	f.Add("", []byte{1}, "")
	f.Add("%", []byte{3, 3, 0}, "%2")
	f.Add(`{"sig":"`, []byte{4, 6, 5}, `"}`)
	u, err := Parse(workflowsURL)
	if err != nil {
		f.Fatal(err)
	}
	parsed, _ := url.Parse(workflowsURL)
	sig := parsed.Query().Get("sig")
	f.Fuzz(func(t *testing.T, before string, choices []byte, after string) {
		if len(choices) == 0 {
			choices = []byte{0}
		}
		var b strings.Builder
		for i := 0; i < len(sig); i++ {
			c := sig[i]
			switch choices[i%len(choices)] % 7 {
			case 0:
				b.WriteByte(c)
			case 1:
				fmt.Fprintf(&b, "%%%02X", c)
			case 2:
				fmt.Fprintf(&b, "%%25%02x", c)
			case 3:
				b.WriteString(strings.ToUpper(string(c)))
			case 4:
				fmt.Fprintf(&b, `\u%04x`, c)
			case 5:
				fmt.Fprintf(&b, "&#%d;", c)
			case 6:
				fmt.Fprintf(&b, "&#X%X;", c)
			}
		}
		got := u.Redact(before + b.String() + after)
		if strings.Contains(secretmask.Canonical(got), strings.ToLower(sig)) {
			t.Fatalf("Redact(%q) = %q keeps the signature", before+b.String()+after, got)
		}
	})
}
