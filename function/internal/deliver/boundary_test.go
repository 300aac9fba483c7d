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

// An answer longer than the read limit that echoes the webhook across the limit: the part read
// ends inside the echo, which no mask can recognise as the URL. No beginning of it may reach the
// error, whatever the spelling and wherever the cut falls in it.
func TestEchoCutByTheReadLimitLeavesNoPart(t *testing.T) {
	spellings := map[string]func(string) string{
		"as written": func(s string) string { return s },
		"percent-encoded": func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "%%%02X", s[i])
			}
			return b.String()
		},
		"long HTML references": func(s string) string {
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				fmt.Fprintf(&b, "&#%09d;", s[i])
			}
			return b.String()
		},
	}
	for name, spell := range spellings {
		for _, fraction := range []float64{0.05, 0.5, 0.95} {
			var echo string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				spelled := spell("http://" + r.Host + r.URL.Path)
				before := readLimit - int(fraction*float64(len(spelled)))
				echo = strings.Repeat("bad request; ", before/13+1)[:before] + spelled + strings.Repeat(" tail", 200)
				io.WriteString(w, echo)
			}))
			w, _, _ := newWebhook(t, render.Slack, step{status: 200})
			w.URL = hookURL(t, srv.URL+secretPath)
			_, err := w.Post(context.Background(), []byte("{}"))
			srv.Close()
			if err == nil {
				t.Fatalf("%s: a 400 was delivered", name)
			}
			canon := secretmask.Canonical(err.Error())
			for _, part := range []string{"/services", "t0secret", "services/t0"} {
				if strings.Contains(canon, part) {
					t.Errorf("%s, cut at %.0f%% of the echo: the error shows %q: %v", name, fraction*100, part, err)
				}
			}
			if !strings.Contains(err.Error(), "bad request") {
				t.Errorf("%s: the error lost the server's words: %v", name, err)
			}
		}
	}
}
