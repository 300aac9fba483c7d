package slackapi_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/secretmask"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// spellings are ways a server (Slack, a proxy, a gateway's error page) may echo a value.
func spellings(s string) map[string]string {
	var pct, jsonU, entities strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&pct, "%%%02X", s[i])
		fmt.Fprintf(&jsonU, `\u%04x`, s[i])
		fmt.Fprintf(&entities, "&#%d;", s[i])
	}
	return map[string]string{
		"only - as %2D":         strings.ReplaceAll(s, "-", "%2D"),
		"only - as %2d":         strings.ReplaceAll(s, "-", "%2d"),
		"fully percent-encoded": pct.String(),
		"percent-encoded twice": url.QueryEscape(url.QueryEscape(s)),
		"lower-cased":           strings.ToLower(s),
		"upper-cased":           strings.ToUpper(s),
		`\u escapes`:            jsonU.String(),
		"HTML references":       entities.String(),
		"HTML-escaped":          html.EscapeString(s),
	}
}

// A server that echoes the bot token in another spelling, in a body Slack's JSON decoder does not
// read (a proxy's page, a gateway's text), must not get it printed: the error shows none of it,
// in any spelling.
func TestTokenNeverShownInAnotherSpelling(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	c, _ := client(t, srv.URL+"/")
	c.Policy.MaxAttempts = 1
	for name, spelled := range spellings(secret) {
		for _, shape := range []string{
			"<html><body>Blocked: Authorization: Bearer %s</body></html>",
			"denied token=%s",
			`{"ok":false,"error":"invalid_auth","response_metadata":{"messages":["token %s"]}}`,
			`{"ok":false,"error":"not_authed %s"}`,
		} {
			body = fmt.Sprintf(shape, spelled)
			_, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Text: "x"})
			if err == nil {
				t.Fatalf("%s: delivered", name)
			}
			msg := err.Error()
			if canon := secretmask.Canonical(msg); strings.Contains(canon, "secretsecretsecret") || strings.Contains(canon, strings.ToLower(secret[:16])) {
				t.Errorf("%s in %.30q: the error shows the token: %s", name, shape, msg)
			}
		}
	}
}
