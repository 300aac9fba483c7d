package deliver

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/retry/retrytest"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
)

// secretPath stands in for the secret part of a webhook URL; no error may contain it.
const secretPath = "/services/T0SECRET/B0SECRET/xoxSECRETtoken"

// step is one scripted webhook answer.
type step struct {
	status     int
	body       string
	retryAfter string
	hang       bool // wait until the client gives up
}

// scripted is a webhook that answers with its steps in order, repeating the last one.
type scripted struct {
	mu       sync.Mutex
	steps    []step
	requests int
	bodies   []string
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	st := s.steps[min(s.requests, len(s.steps)-1)]
	s.requests++
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" || r.URL.Path != secretPath {
		http.Error(w, "bad request shape", http.StatusTeapot)
		return
	}
	if st.hang {
		<-r.Context().Done()
		return
	}
	if st.retryAfter != "" {
		w.Header().Set("Retry-After", st.retryAfter)
	}
	w.WriteHeader(st.status)
	io.WriteString(w, st.body)
}

func newWebhook(t *testing.T, m render.Messenger, steps ...step) (*Webhook, *scripted, *retrytest.Clock) {
	t.Helper()
	s := &scripted{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := retrytest.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	judge, err := render.JudgeFor(m)
	if err != nil {
		t.Fatal(err)
	}
	w := &Webhook{
		URL:       hookURL(t, srv.URL+secretPath),
		Messenger: m,
		Judge:     judge,
		Client:    NewHTTPClient(),
		Policy:    retry.Policy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, AttemptTimeout: 5 * time.Second, Reserve: 100 * time.Millisecond},
		Clock:     c.Waiting(), // real time (for real deadlines), no real waits
	}
	return w, s, c
}

func hookURL(t *testing.T, raw string) webhook.URL {
	t.Helper()
	u, err := webhook.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPost(t *testing.T) {
	tests := []struct {
		name      string
		messenger render.Messenger
		steps     []step
		delivered bool
		attempts  int
		waits     []time.Duration // exact waits; nil means "check bounds only"
		errHas    []string
	}{
		{"slack ok", render.Slack, []step{{status: 200, body: "ok"}}, true, 1, []time.Duration{}, nil},
		{"429 with Retry-After seconds, then ok", render.Slack, []step{{status: 429, body: "rate_limited", retryAfter: "2"}, {status: 200, body: "ok"}}, true, 2, []time.Duration{2 * time.Second}, nil},
		{"500 then ok", render.Slack, []step{{status: 500, body: "oops"}, {status: 200, body: "ok"}}, true, 2, nil, nil},
		{"400 invalid_payload is not retried", render.Slack, []step{{status: 400, body: "invalid_payload"}, {status: 200, body: "ok"}}, false, 1, []time.Duration{}, []string{"HTTP 400", `"invalid_payload"`, "not retried", "1 attempt)"}},
		{"404 channel_not_found is a failure", render.Slack, []step{{status: 404, body: "channel_not_found"}}, false, 1, []time.Duration{}, []string{"HTTP 404", "channel_not_found"}},
		{"410 channel_is_archived is a failure", render.Slack, []step{{status: 410, body: "channel_is_archived"}}, false, 1, []time.Duration{}, []string{"HTTP 410", "channel_is_archived"}},
		{"redirect is not followed", render.Slack, []step{{status: 302, body: ""}}, false, 1, []time.Duration{}, []string{"HTTP 302"}},
		{"503 until attempts run out", render.Slack, []step{{status: 503, body: "no_service"}}, false, 4, nil, []string{"HTTP 503", "no_service", "4 attempts"}},
		{"workflows 202 accepted", render.Teams, []step{{status: 202}}, true, 1, []time.Duration{}, nil},
		{"workflows 429 then 202", render.Teams, []step{{status: 429, retryAfter: "1"}, {status: 202}}, true, 2, []time.Duration{time.Second}, nil},
		{"connector 1 is success", render.TeamsLegacy, []step{{status: 200, body: "1"}}, true, 1, []time.Duration{}, nil},
		{"connector 200 with throttling text is retried", render.TeamsLegacy,
			[]step{{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0"}, {status: 200, body: "1"}}, true, 2, nil, nil},
		{"workflows card at a connector: 200 with throttling text is retried", render.Teams,
			[]step{{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0"}, {status: 200, body: "1"}}, true, 2, nil, nil},
		{"workflows card at a connector: 200 with a final error is not delivered", render.Teams,
			[]step{{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 403"}}, false, 1, []time.Duration{}, []string{"HTTP 200", "HTTP error 403", "connector reported a failure"}},
		{"workflows 200 with JSON is delivered", render.Teams, []step{{status: 200, body: `{"status":"queued"}`}}, true, 1, []time.Duration{}, nil},
		{"408 is retried", render.Slack, []step{{status: 408, body: "timeout"}, {status: 200, body: "ok"}}, true, 2, nil, nil},
		{"503 on a workflow is retried after Retry-After", render.Teams, []step{{status: 503, retryAfter: "3"}, {status: 202}}, true, 2, []time.Duration{3 * time.Second}, nil},
		{"connector 200 with error text fails", render.TeamsLegacy,
			[]step{{status: 200, body: "Summary or Text is required."}}, false, 1, []time.Duration{}, []string{"HTTP 200", "Summary or Text is required.", "connector reported a failure"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, srv, c := newWebhook(t, tt.messenger, tt.steps...)
			res, err := w.Post(context.Background(), []byte(`{"text":"hi"}`))
			if (err == nil) != tt.delivered {
				t.Fatalf("delivered = %v, want %v (err: %v)", err == nil, tt.delivered, err)
			}
			if res.Attempts != tt.attempts || srv.count() != tt.attempts {
				t.Errorf("attempts = %d, server saw %d, want %d", res.Attempts, srv.count(), tt.attempts)
			}
			if tt.waits != nil && !equalDurations(c.Waits(), tt.waits) {
				t.Errorf("waits = %v, want %v", c.Waits(), tt.waits)
			}
			for i, d := range c.Waits() {
				if d <= 0 || d > w.Policy.MaxDelay && tt.waits == nil {
					t.Errorf("wait %d = %v, outside (0, %v]", i, d, w.Policy.MaxDelay)
				}
			}
			for _, b := range srv.bodies {
				if b != `{"text":"hi"}` {
					t.Errorf("server received %q", b)
				}
			}
			if err != nil {
				var derr *Error
				if !errors.As(err, &derr) || derr.Attempts != tt.attempts {
					t.Errorf("error %v is not a *Error with %d attempts", err, tt.attempts)
				}
				for _, want := range tt.errHas {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				assertNoSecret(t, err.Error())
			}
		})
	}
}

func TestPostRetryAfterHTTPDate(t *testing.T) {
	w2, srv2, c2 := newWebhook(t, render.Slack, step{status: 200, body: "ok"})
	srv2.steps = []step{{status: 429, retryAfter: c2.Now().Add(3 * time.Second).Format(http.TimeFormat)}, {status: 200, body: "ok"}}
	w2.Clock = c2.Retry()
	if _, err := w2.Post(context.Background(), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if !equalDurations(c2.Waits(), []time.Duration{3 * time.Second}) {
		t.Errorf("waits = %v, want [3s] from the HTTP date", c2.Waits())
	}
	// A 429 without Retry-After falls back to the jittered backoff.
	w, _, c := newWebhook(t, render.Slack, step{status: 429}, step{status: 200, body: "ok"})
	if _, err := w.Post(context.Background(), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if len(c.Waits()) != 1 || c.Waits()[0] <= 0 || c.Waits()[0] > w.Policy.BaseDelay {
		t.Errorf("waits = %v, want one backoff within (0, %v]", c.Waits(), w.Policy.BaseDelay)
	}
}

func TestPostStopsBeforeTheDeadline(t *testing.T) {
	w, srv, c := newWebhook(t, render.Slack, step{status: 429, body: "rate_limited", retryAfter: "30"}, step{status: 200, body: "ok"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := w.Post(ctx, []byte("{}"))
	var derr *Error
	if !errors.As(err, &derr) || derr.Status != 429 || derr.Attempts != 1 || !strings.Contains(err.Error(), "rate limited; no time left to retry after 30s") {
		t.Fatalf("err = %v, want a rate-limited 429 failure that names the deadline", err)
	}
	if srv.count() != 1 || len(c.Waits()) != 0 {
		t.Errorf("requests %d, waits %v: it should give up at once rather than wait past the deadline", srv.count(), c.Waits())
	}
}

func TestPostTimeoutIsRetriedAndRedacted(t *testing.T) {
	w, srv, _ := newWebhook(t, render.Slack, step{hang: true})
	w.Policy.AttemptTimeout = 50 * time.Millisecond
	w.Policy.MaxAttempts = 2
	_, err := w.Post(context.Background(), []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), "2 attempts") {
		t.Fatalf("err = %v, want a timeout after 2 attempts", err)
	}
	if srv.count() != 2 {
		t.Errorf("server saw %d requests, want 2", srv.count())
	}
	assertNoSecret(t, err.Error())
}

func TestPostNetworkErrorIsRedacted(t *testing.T) {
	w, _, _ := newWebhook(t, render.Slack, step{status: 200})
	srv := httptest.NewServer(http.NotFoundHandler())
	w.URL = hookURL(t, srv.URL+secretPath+"?token=querysecret")
	srv.Close() // nothing listens any more: connection refused
	_, err := w.Post(context.Background(), []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "4 attempts") {
		t.Fatalf("err = %v, want a network failure after 4 attempts", err)
	}
	assertNoSecret(t, err.Error())
	if strings.Contains(err.Error(), "querysecret") {
		t.Errorf("error leaks the query: %v", err)
	}
}

func TestPostHonoursCancellation(t *testing.T) {
	w, _, _ := newWebhook(t, render.Slack, step{status: 503})
	w.Clock = retry.Clock{} // the real timer, cut short by the cancelled context
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := w.Post(ctx, []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	assertNoSecret(t, err.Error())
}

// A 404 page that repeats the request line (the default of many frameworks and proxies) must not
// carry the webhook's path and query into the error.
func TestPostRedactsAnEchoingServer(t *testing.T) {
	const query = "?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGsecret0123456789SIGsecret"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "Cannot %s %s (path %s, sig %s)", r.Method, r.URL.RequestURI(), r.URL.Path, r.URL.Query().Get("sig"))
	}))
	defer echo.Close()
	for _, m := range []render.Messenger{render.Slack, render.Teams, render.TeamsLegacy} {
		w, _, _ := newWebhook(t, m, step{status: 200})
		w.URL = hookURL(t, echo.URL+secretPath+query)
		_, err := w.Post(context.Background(), []byte("{}"))
		var derr *Error
		if !errors.As(err, &derr) || derr.Status != 404 || derr.Attempts != 1 {
			t.Fatalf("%s: err = %v, want a final 404", m, err)
		}
		assertNoSecret(t, err.Error())
		if strings.Contains(err.Error(), "SIGsecret") || !strings.Contains(err.Error(), "Cannot POST [redacted]") {
			t.Errorf("%s: error %q leaks or loses the server's words", m, err)
		}
		if got := fmt.Sprintf("%v %+v", w, w); strings.Contains(got, "SIGsecret") || strings.Contains(got, "SECRET") {
			t.Errorf("printing the Webhook leaks its URL: %s", got)
		}
	}
}

// An answer longer than what is read may cut the URL in two: the part before the cut must not
// survive as an unrecognisable half-secret.
func TestPostDropsASecretCutByTheReadLimit(t *testing.T) {
	var hook string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		body := strings.Repeat(hook, 3) // the 4 KB read ends inside the second copy of the URL
		io.WriteString(w, body[:readLimit+300])
	}))
	defer srv.Close()
	hook = srv.URL + secretPath + "?sig=" + strings.Repeat("SIGsecret", 250)
	w, _, _ := newWebhook(t, render.Slack, step{status: 200})
	w.URL = hookURL(t, hook)
	_, err := w.Post(context.Background(), []byte("{}"))
	if err == nil {
		t.Fatal("a 400 was delivered")
	}
	assertNoSecret(t, err.Error())
	if strings.Contains(err.Error(), "SIGsec") || strings.Contains(err.Error(), "T0SEC") {
		t.Errorf("error keeps part of the secret: %v", err)
	}
}

// A server may echo the webhook in any encoding (JSON's \/ and \u0026, HTML's &amp;, only the
// request URI) and at any offset, so that it straddles the 200-byte cut of the error text or the
// 4 KB read: none of its secret path or signature may come through.
func TestPostNeverShowsAnEchoedWebhookInAnyEncoding(t *testing.T) {
	const sig = "Zk9vQmFyQmF6UXV4U2VjcmV0U2lnbmF0dXJlMTIzNDU2"
	path := "/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + sig
	var body string // what the server answers; set before each post
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	full := srv.URL + path
	w, _, _ := newWebhook(t, render.Teams)
	w.URL = hookURL(t, full)
	forms := map[string]string{
		"raw":  full,
		"json": strings.NewReplacer("/", `\/`, "&", `\u0026`).Replace(full),
		"html": html.EscapeString(full),
		"uri":  path,
	}
	for name, form := range forms {
		for _, pad := range []int{0, 1, 50, 100, 150, 180, 190, 195, 199, 200, 4000, 4050, 4080, 4090, 4095, 4096} {
			for extra := 0; extra < 30; extra += 7 {
				body = strings.Repeat("x", pad) + form + strings.Repeat("y", extra)
				_, err := w.Post(context.Background(), []byte(`{}`))
				if err == nil {
					t.Fatalf("%s pad %d: a 400 was delivered", name, pad)
				}
				if msg := err.Error(); strings.Contains(msg, sig[:10]) || strings.Contains(msg, "0123456789abcdef0123") {
					t.Errorf("%s pad %d: the error shows part of the webhook: %s", name, pad, msg)
				}
			}
		}
	}
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{secretPath, "SECRET", "xoxSECRETtoken"} {
		if strings.Contains(s, secret) {
			t.Errorf("%q leaks the webhook secret", s)
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPostWithoutAJudgePostsNothing(t *testing.T) {
	w, srv, _ := newWebhook(t, render.TeamsLegacy, step{status: 200, body: "not 1"})
	w.Judge = nil
	if _, err := w.Post(context.Background(), []byte("{}")); err == nil || srv.count() != 0 {
		t.Errorf("err %v after %d posts; want an error and no post", err, srv.count())
	}
}
