package secretmask

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
)

const (
	token = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
	hook  = "https://hooks.slack.com/services/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"
)

// jsonU spells every byte of s as \u00XX, as a JSON encoder that escapes everything would.
func jsonU(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, `\u%04x`, s[i])
	}
	return b.String()
}

func percentAll(s string, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

func TestMaskSpellings(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"verbatim", "bad token " + token + " here", "bad token [slack token] here"},
		{"upper-cased", "BAD TOKEN " + strings.ToUpper(token), "BAD TOKEN [slack token]"},
		{"lower-cased", "token=" + strings.ToLower(token) + "&x=1", "token=[slack token]&x=1"},
		{"only - as %2D", "token=" + strings.ReplaceAll(token, "-", "%2D"), "token=[slack token]"},
		{"only - as %2d", "token=" + strings.ReplaceAll(token, "-", "%2d") + ".", "token=[slack token]."},
		{"fully percent-encoded", "t=" + percentAll(token, "%%%02X") + ";", "t=[slack token];"},
		{"twice percent-encoded", "t=" + url.QueryEscape(url.QueryEscape(hook)) + "!", "t=[webhook]!"},
		{"JSON \\u escapes", `{"token":"` + jsonU(token) + `"}`, `{"token":"[slack token]"}`},
		{"JSON \\/ in the URL", `{"url":"` + strings.ReplaceAll(hook, "/", `\/`) + `"}`, `{"url":"[webhook]"}`},
		{"HTML decimal references", "<p>" + percentAll(token, "&#%d;") + "</p>", "<p>[slack token]</p>"},
		{"HTML hex references, upper-cased", "<p>" + strings.ToUpper(percentAll(token, "&#x%x;")) + "</p>", "<p>[slack token]</p>"},
		{"HTML-escaped URL", "<a href=\"" + html.EscapeString(hook+"?a=1&b=2") + "\">", "<a href=\"[webhook]?a=1&amp;b=2\">"},
		{"\\x escapes", `"` + percentAll(token, `\x%02x`) + `"`, `"[slack token]"`},
		{"mixed in one", "u=" + strings.Replace(strings.ToUpper(hook[:30]), "/", "%2F", 2) + jsonU(hook[30:40]) + hook[40:], "u=[webhook]"},
		{"twice, apart", token + " and " + strings.ToLower(token), "[slack token] and [slack token]"},
		{"nothing to mask", "invalid_auth: the token was revoked", "invalid_auth: the token was revoked"},
		{"a prefix only is no match", token[:20] + "…", token[:20] + "…"},
	}
	secrets := []string{hook, token}
	marks := []string{"[webhook]", "[slack token]"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mask(tt.body, secrets, marks); got != tt.want {
				t.Errorf("Mask(%q)\n = %q\nwant %q", tt.body, got, tt.want)
			}
		})
	}
}

// A short secret (a test server's "/hook") is masked as written, not in other spellings.
func TestMaskShortSecret(t *testing.T) {
	got := Mask("POST /hook failed; see /HOOK and /ho%6Fk", []string{"http://127.0.0.1:8080/hook", "/hook"}, []string{"[webhook]", "[redacted]"})
	if want := "POST [redacted] failed; see /HOOK and /ho%6Fk"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"%252D":          "-",
		`\u002D&#45;%2d`: "---",
		"&AMP;amp;":      "&",
		"&#x110000;":     "&#x110000;", // not a character: left as written
		"%zz \\u12 &#;":  "%zz \\u12 &#;",
		"ABC":            "abc",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMask spells a secret byte by byte in a fuzzer-chosen mix of encodings, between fuzzer-chosen
// text: whatever is left after Mask must not contain the secret in any spelling.
func FuzzMask(f *testing.F) {
	f.Add("error: ", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8}, " end", uint8(0))
	f.Add("", []byte{2}, "", uint8(1))
	f.Add("%", []byte{1, 1, 1, 7, 7}, "%2", uint8(0))
	f.Add("&#", []byte{5, 6, 3}, ";", uint8(1))
	f.Add(`{"url":"`, []byte{8, 0, 4}, `"}`, uint8(0))
	f.Fuzz(func(t *testing.T, before string, choices []byte, after string, which uint8) {
		secret := []string{token, hook}[which%2]
		if len(choices) == 0 {
			choices = []byte{0}
		}
		var b strings.Builder
		for i := 0; i < len(secret); i++ {
			c := secret[i]
			switch choices[i%len(choices)] % 10 {
			case 0:
				b.WriteByte(c)
			case 1:
				fmt.Fprintf(&b, "%%%02X", c)
			case 2:
				fmt.Fprintf(&b, "%%%02x", c)
			case 3:
				fmt.Fprintf(&b, "%%25%02X", c)
			case 4:
				fmt.Fprintf(&b, `\u%04X`, c)
			case 5:
				fmt.Fprintf(&b, "&#%d;", c)
			case 6:
				fmt.Fprintf(&b, "&#x%x;", c)
			case 7:
				b.WriteString(strings.ToUpper(string(c)))
			case 8:
				if c == '/' {
					b.WriteString(`\/`)
				} else {
					b.WriteString(strings.ToLower(string(c)))
				}
			case 9:
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
		body := before + b.String() + after
		got := Mask(body, []string{hook, token}, []string{"[webhook]", "[slack token]"})
		if strings.Contains(Canonical(got), Canonical(secret)) {
			t.Fatalf("Mask(%q) = %q still spells the secret", body, got)
		}
		if !strings.Contains(got, "[webhook]") && !strings.Contains(got, "[slack token]") {
			t.Fatalf("Mask(%q) = %q masks nothing", body, got)
		}
		if got := Mask(before+after, []string{hook, token}, []string{"[webhook]", "[slack token]"}); !strings.Contains(Canonical(before+after), Canonical(token)) &&
			!strings.Contains(Canonical(before+after), Canonical(hook)) && got != before+after {
			t.Fatalf("Mask changed %q, which holds no secret, into %q", before+after, got)
		}
	})
}
