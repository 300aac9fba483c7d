package deliver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/secretmask"
)

// A server that echoes the webhook path percent-encoded, lower-cased or \u-escaped gets none of
// it into the error: delivery prints a server's words only after every spelling is masked.
func TestPostRedactsAnEchoInAnotherSpelling(t *testing.T) {
	encodings := map[string]func(string) string{
		"percent-encoded": func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
			return b.String()
		},
		"lower-cased": strings.ToLower,
		"- as %2D, / as %2F": func(s string) string {
			return strings.NewReplacer("-", "%2D", "/", "%2F").Replace(s)
		},
		`\u escapes`: func(s string) string {
			var b strings.Builder
			for _, r := range s {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			return b.String()
		},
	}
	for name, encode := range encodings {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "no route for "+encode(r.URL.Path))
		}))
		w, _, _ := newWebhook(t, render.Slack, step{status: 200})
		w.URL = hookURL(t, srv.URL+secretPath)
		_, err := w.Post(context.Background(), []byte("{}"))
		srv.Close()
		if err == nil {
			t.Fatalf("%s: a 404 was delivered", name)
		}
		if canon := secretmask.Canonical(err.Error()); strings.Contains(canon, "secret") {
			t.Errorf("%s: the error shows the webhook: %v", name, err)
		}
		if !strings.Contains(err.Error(), "no route for [redacted]") && !strings.Contains(err.Error(), "no route for [webhook]") {
			t.Errorf("%s: the error lost the server's words: %v", name, err)
		}
	}
}
