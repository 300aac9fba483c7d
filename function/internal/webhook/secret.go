package webhook

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/secretmask"
)

// masked is how a webhook URL prints, whatever asks: fmt, slog, encoding/json.
const masked = "[webhook]"

// minSecretPart is the shortest path segment or query value masked on its own. Shorter ones
// ("1" in api-version=1, "v2") cannot carry a secret, and masking them would garble every text.
const minSecretPart = 8

// URL is a checked webhook address. It is a secret (the path or query is the credential), so it
// prints as [webhook] through every verb and encoder; only Secret gives the address itself, for
// the one HTTP request that needs it.
type URL struct {
	u       *url.URL
	secrets []string // the forms the secret can take in a server's answer, longest first
}

// Secret returns the address, for building the request; never log or wrap it.
func (u URL) Secret() string {
	if u.u == nil {
		return ""
	}
	return u.u.String()
}

// IsZero tells a URL that was never set.
func (u URL) IsZero() bool { return u.u == nil }

// Origin is the scheme and host only, which is all messenger detection needs.
func (u URL) Origin() *url.URL {
	if u.u == nil {
		return &url.URL{}
	}
	return &url.URL{Scheme: u.u.Scheme, Host: u.u.Host}
}

func (URL) String() string               { return masked }
func (URL) GoString() string             { return masked }
func (URL) Format(f fmt.State, _ rune)   { _, _ = io.WriteString(f, masked) }
func (URL) LogValue() slog.Value         { return slog.StringValue(masked) }
func (URL) MarshalJSON() ([]byte, error) { return []byte(`"` + masked + `"`), nil }
func (URL) MarshalText() ([]byte, error) { return []byte(masked), nil }

// Redact masks every form of the webhook's secret in s (a server's answer, an error text).
func (u URL) Redact(s string) string { return redact(s, u.secrets) }

func newURL(u *url.URL) URL { return URL{u: u, secrets: secretForms(u)} }

// redact masks the secrets as written and in any other spelling (percent-encoded wholly, partly
// or twice, \u- or HTML-escaped, in another case): the whole URL as [webhook], parts as [redacted].
// Where copies overlap (the path inside the URL) the widest span goes, under one mark.
func redact(s string, secrets []string) string {
	return secretmask.Mask(s, secrets, []string{masked, "[redacted]"})
}

// secretForms lists what of u may appear in a server's answer: the whole URL first, then its path
// with the query ("Cannot POST /workflows/…/invoke?sig=…", the error page of many frameworks and
// proxies), the path escaped and decoded, and each long enough path segment and query value, raw
// and decoded (a server may echo them apart, reordered or HTML-escaped).
func secretForms(u *url.URL) []string {
	whole := u.String()
	var parts []string
	add := func(s string, minLen int) {
		if len(s) >= minLen && !slices.Contains(parts, s) && s != whole {
			parts = append(parts, s)
		}
	}
	add(u.RequestURI(), 2)
	add(u.EscapedPath(), 2)
	add(u.Path, 2)
	add(u.RawQuery, minSecretPart)
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		add(seg, minSecretPart)
		if plain, err := url.PathUnescape(seg); err == nil {
			add(plain, minSecretPart)
		}
	}
	for _, pair := range strings.Split(u.RawQuery, "&") {
		_, value, _ := strings.Cut(pair, "=")
		add(value, minSecretPart)
		if plain, err := url.QueryUnescape(value); err == nil {
			add(plain, minSecretPart)
		}
	}
	// Longest first, so that a segment never breaks up the path it belongs to before the path is masked.
	slices.SortStableFunc(parts, func(a, b string) int { return len(b) - len(a) })
	return append([]string{whole}, parts...)
}
