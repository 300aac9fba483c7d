package secretmask

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// A secret holding characters that mean something to a pattern or an escape (%, &, \, +, ., *,
// (, [, $) is found as written and in the spellings of its decoded form: nothing in it is read as
// a pattern, and it is decoded like the answer is.
func TestMaskSecretWithSpecialCharacters(t *testing.T) {
	secret := `https://gw.example/hook/a.b*c(d)[e]$f?sig=Zx%2Bq%2F9w+k%26Lm\u0041&x=1`
	plain, _ := url.QueryUnescape(`Zx%2Bq%2F9w+k%26Lm`) // "Zx+q/9w k&Lm"
	for name, body := range map[string]string{
		"as written":            secret,
		"HTML-escaped":          html.EscapeString(secret),
		"percent-encoded again": url.QueryEscape(secret),
		"upper-cased":           strings.ToUpper(secret),
		"query value decoded":   strings.Replace(secret, `Zx%2Bq%2F9w+k%26Lm`, plain, 1),
	} {
		got := Mask("error near "+body+" end", []string{secret}, []string{"[webhook]"})
		if got != "error near [webhook] end" {
			t.Errorf("%s: Mask(%q) = %q", name, body, got)
		}
	}
	if got := Mask("a.b*c(d) and sig=other", []string{secret}, []string{"[webhook]"}); got != "a.b*c(d) and sig=other" {
		t.Errorf("a part of the secret's characters masked: %q", got)
	}
}
