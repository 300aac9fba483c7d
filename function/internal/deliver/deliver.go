// Package deliver posts rendered payloads to a chat webhook and decides, in one place, what counts
// as delivered, what is worth retrying and for how long. The webhook URL is a secret: it never
// appears in an error this package returns.
package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// Policy bounds the retries. The zero value is not useful; start from DefaultPolicy.
type Policy struct {
	MaxAttempts    int           // attempts in all, the first included
	BaseDelay      time.Duration // first backoff; doubles each retry, with full jitter
	MaxDelay       time.Duration // cap of one backoff
	AttemptTimeout time.Duration // cap of one HTTP attempt
	// Reserve is kept free before the context's deadline, so the invocation can still report
	// the failure (and Lambda can retry it) instead of being killed mid-attempt.
	Reserve time.Duration
}

// DefaultPolicy suits a Lambda timeout of 30 s or more; a shorter deadline simply means fewer attempts.
var DefaultPolicy = Policy{
	MaxAttempts:    6,
	BaseDelay:      250 * time.Millisecond,
	MaxDelay:       8 * time.Second,
	AttemptTimeout: 10 * time.Second,
	Reserve:        500 * time.Millisecond,
}

// NewHTTPClient is the one client a container keeps: bounded connect and TLS times, and no
// redirects (a webhook that redirects is misconfigured, and following it would turn the POST
// into a GET that "succeeds").
func NewHTTPClient() *http.Client {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Webhook posts to one chat webhook.
type Webhook struct {
	URL       string // secret
	Messenger render.Messenger
	Client    *http.Client
	Policy    Policy

	// Sleep and Now are the clock; tests replace them so that no test waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// Result tells how a post went, for the logs.
type Result struct {
	Status   int // last HTTP status, 0 when no response came
	Attempts int
	Duration time.Duration
}

// Error is a post that did not deliver. Its text names the messenger, the status and the
// messenger's own error text, never the URL.
type Error struct {
	Messenger render.Messenger
	Status    int    // last HTTP status, 0 when no response came
	Body      string // the messenger's error text, shortened
	Attempts  int
	Retryable bool // the last failure was one that could succeed later
	Reason    string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s webhook", e.Messenger)
	if e.Status != 0 {
		fmt.Fprintf(&b, " answered HTTP %d", e.Status)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, " %q", e.Body)
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	fmt.Fprintf(&b, " (%d attempt", e.Attempts)
	if e.Attempts != 1 {
		b.WriteByte('s')
	}
	b.WriteByte(')')
	return b.String()
}

// outcome is what one attempt tells: done, or why not and whether and when to try again.
type outcome struct {
	delivered  bool
	retryable  bool
	retryAfter time.Duration // the server's own wait, when it named one
	status     int
	body       string
	reason     string
}

// Post delivers payload, retrying 429 (after Retry-After), 5xx and network errors with jittered
// exponential backoff while the context's deadline allows; other 4xx fail at once.
func (w *Webhook) Post(ctx context.Context, payload []byte) (Result, error) {
	start := w.now()
	res := Result{}
	var last outcome
	for attempt := 1; ; attempt++ {
		res.Attempts = attempt
		last = w.attempt(ctx, payload)
		res.Status = last.status
		res.Duration = w.now().Sub(start)
		if last.delivered {
			return res, nil
		}
		if !last.retryable || attempt >= w.Policy.MaxAttempts {
			return res, w.failure(last, attempt, "")
		}
		wait := w.backoff(attempt)
		if last.retryAfter > 0 {
			wait = last.retryAfter
		}
		if deadline, ok := ctx.Deadline(); ok {
			left := deadline.Sub(w.now()) - w.Policy.Reserve
			if wait >= left {
				return res, w.failure(last, attempt, fmt.Sprintf("no time left to retry after %s before the deadline", wait.Round(time.Millisecond)))
			}
		}
		if err := w.sleep(ctx, wait); err != nil {
			return res, w.failure(last, attempt, "stopped waiting to retry: "+err.Error())
		}
	}
}

func (w *Webhook) failure(o outcome, attempts int, why string) *Error {
	reason := o.reason
	if why != "" {
		reason = joinReason(reason, why)
	}
	return &Error{Messenger: w.Messenger, Status: o.status, Body: o.body, Attempts: attempts, Retryable: o.retryable, Reason: reason}
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// attempt makes one POST, bounded by the attempt timeout and the deadline's reserve.
func (w *Webhook) attempt(ctx context.Context, payload []byte) outcome {
	timeout := w.Policy.AttemptTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, deadline.Sub(w.now())-w.Policy.Reserve)
	}
	if timeout <= 0 {
		return outcome{reason: "no time left before the deadline"}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(payload))
	if err != nil {
		return outcome{reason: "build request: " + redact(err, w.URL)}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "alarm-relay")
	resp, err := w.Client.Do(req)
	if err != nil {
		// Network errors and timeouts may pass: retry them.
		return outcome{retryable: true, reason: redact(err, w.URL)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return judge(w.Messenger, resp, strings.TrimSpace(string(raw)), w.now())
}

// legacyFailure reads the status an Office 365 connector reports inside an HTTP 200 body, e.g.
// "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429".
var legacyFailure = regexp.MustCompile(`HTTP error (\d{3})`)

// judge decides what a response means. This is the one place that knows each messenger's rules.
func judge(m render.Messenger, resp *http.Response, body string, now time.Time) outcome {
	o := outcome{status: resp.StatusCode, body: shorten(body)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		o.retryable = true
		o.retryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
		o.reason = "rate limited"
	case resp.StatusCode >= 500:
		o.retryable = true
		o.reason = "server error"
	case resp.StatusCode >= 300:
		o.reason = "rejected; not retried"
	case m == render.TeamsLegacy && body != "1":
		// Office 365 connectors answer 200 even when Teams did not take the message: only "1" is success.
		o.reason = "connector reported a failure"
		if sub := legacyFailure.FindStringSubmatch(body); sub != nil {
			code, _ := strconv.Atoi(sub[1])
			o.retryable = code == http.StatusTooManyRequests || code >= 500
		}
	default:
		o.delivered = true
	}
	return o
}

// retryAfter reads Retry-After as seconds or an HTTP date; 0 when absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// backoff is "full jitter": a random wait up to BaseDelay·2^(attempt-1), capped at MaxDelay.
func (w *Webhook) backoff(attempt int) time.Duration {
	ceiling := w.Policy.BaseDelay << min(attempt-1, 20)
	if ceiling <= 0 || ceiling > w.Policy.MaxDelay {
		ceiling = w.Policy.MaxDelay
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling))) + 1
}

func (w *Webhook) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Webhook) sleep(ctx context.Context, d time.Duration) error {
	if w.Sleep != nil {
		return w.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func shorten(s string) string {
	const limit = 200
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// redact describes err without the webhook URL. Go's *url.Error prints the whole URL (path and
// query hold the webhook's secret), so it is unwrapped, and any other mention is masked as well.
func redact(err error, webhook string) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg := uerr.Err.Error()
		if uerr.Timeout() {
			msg = "timed out: " + msg
		}
		err = errors.New(strings.ToLower(uerr.Op) + " webhook: " + msg)
	}
	msg := err.Error()
	if webhook != "" {
		msg = strings.ReplaceAll(msg, webhook, "[webhook]")
		if u, perr := url.Parse(webhook); perr == nil && len(u.EscapedPath()) > 1 {
			msg = strings.ReplaceAll(msg, u.EscapedPath(), "/[redacted]")
		}
	}
	return msg
}
