// Package deliver posts rendered payloads to a chat webhook: the HTTP, the retries and the clock.
// What an answer means (delivered, worth retrying, final) is the messenger's call, asked through
// chat.Judge. The webhook URL is a secret: it never appears in an error this package returns.
package deliver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/urlerr"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/clip"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

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
	URL       webhook.URL // secret: prints as [webhook]
	Messenger messenger.Messenger
	Judge     chat.Judge // what the messenger's answers mean
	Client    *http.Client
	Policy    retry.Policy
	Clock     retry.Clock // the zero value is the real clock; tests give one that never waits
}

// Result tells how a post went, for the logs.
type Result struct {
	Status   int // last HTTP status, 0 when no response came
	Attempts int
	Duration time.Duration
}

// Error is a post that did not deliver. Its text names the messenger, the status and the
// messenger's own error text (redacted and shortened), never the URL.
type Error struct {
	Messenger messenger.Messenger
	Status    int    // last HTTP status, 0 when no response came
	Body      string // the messenger's error text, redacted and shortened
	Attempts  int
	Reason    string
}

func (e *Error) Error() string {
	return retry.Describe(string(e.Messenger)+" webhook", e.Status, e.Body, "", e.Reason, e.Attempts)
}

// attemptResult is what one attempt tells: the messenger's verdict and the status it came with.
type attemptResult struct {
	chat.Verdict
	status int
	body   string // the answer as read
	cut    bool   // the answer was longer than what was read
}

// Post delivers payload, retrying what the messenger calls retryable (after its Retry-After, else
// with jittered exponential backoff) while the context's deadline allows.
func (w *Webhook) Post(ctx context.Context, payload []byte) (Result, error) {
	if w.Judge == nil {
		// Without the messenger's judgement any 2xx would pass, and a connector's failure with it.
		return Result{}, &Error{Messenger: w.Messenger, Reason: "no judge for this messenger's answers; nothing posted"}
	}
	start := w.Clock.Time()
	res := Result{}
	var last attemptResult
	attempts, stopped := retry.Do(ctx, w.Policy, w.Clock, func(ctx context.Context, n int) retry.Outcome {
		last = w.attempt(ctx, payload)
		res.Attempts, res.Status, res.Duration = n, last.status, w.Clock.Time().Sub(start)
		return retry.Outcome{Done: last.Means == chat.Delivered, Retry: last.Means == chat.Retryable, RetryAfter: last.RetryAfter}
	})
	if last.Means == chat.Delivered {
		return res, nil
	}
	return res, w.failure(last, attempts, stopped)
}

// failure words the last attempt's result as an error. Everything a server said passes through Redact:
// an error page may repeat the request line, webhook path and query included.
func (w *Webhook) failure(o attemptResult, attempts int, why string) *Error {
	reason := o.Reason
	if why != "" {
		reason = retry.JoinReason(reason, why)
	}
	body := w.URL.Redact(o.Detail)
	if o.cut && o.Detail == o.body {
		// The read may have ended inside a copy of the URL, whose first half no redaction can
		// recognise; it can only be at the very end, so that end goes: as long as the URL
		// spelled in its longest form (a byte as \u002d or &#x2d; takes six, %25252D seven).
		body = body[:max(0, len(body)-7*len(w.URL.Secret()))]
	}
	return &Error{
		Messenger: w.Messenger,
		Status:    o.status,
		Body:      clip.String(body, maxBody),
		Attempts:  attempts,
		Reason:    clip.String(w.URL.Redact(reason), maxReason),
	}
}

// maxBody and maxReason bound what of a server's answer reaches an error and a log line.
const (
	maxBody   = 200
	maxReason = 300
	readLimit = 4096 // bytes of an answer read; enough for any messenger's error text
)

// attempt makes one POST, bounded by the attempt timeout and the deadline's reserve.
func (w *Webhook) attempt(ctx context.Context, payload []byte) attemptResult {
	timeout := w.Policy.Timeout(ctx, w.Clock.Time())
	if timeout <= 0 {
		return attemptResult{Verdict: chat.Verdict{Means: chat.Failed, Reason: "no time left before the deadline"}}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL.Secret(), bytes.NewReader(payload))
	if err != nil {
		return attemptResult{Verdict: chat.Verdict{Means: chat.Failed, Reason: "build request: " + redact(err, w.URL)}}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "alarm-relay")
	resp, err := w.Client.Do(req)
	if err != nil {
		// Network errors and timeouts may pass: retry them.
		return attemptResult{Verdict: chat.Verdict{Means: chat.Retryable, Reason: redact(err, w.URL)}}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, readLimit+1))
	cut := len(raw) > readLimit
	raw = raw[:min(len(raw), readLimit)]
	r := chat.Response{Status: resp.StatusCode, Header: resp.Header, Body: strings.TrimSpace(string(raw)), Now: w.Clock.Time()}
	return attemptResult{Verdict: w.Judge.Judge(r), status: resp.StatusCode, body: r.Body, cut: cut}
}

// redact describes err without the webhook URL. Go's *url.Error prints the whole URL (path and
// query hold the webhook's secret), so it is unwrapped, and any other mention is masked as well.
func redact(err error, hook webhook.URL) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = errors.New(strings.ToLower(uerr.Op) + " webhook: " + urlerr.Strip(uerr).Error())
	}
	return hook.Redact(err.Error())
}
