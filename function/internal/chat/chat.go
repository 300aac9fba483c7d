// Package chat is the contract between delivery and the messengers. Delivery knows HTTP, retries
// and the clock; each messenger (render's slack.go, slackhook.go, teams.go, legacy.go; slackapi's
// codes.go for a Slack app) knows what its endpoint's answers mean and says so in a Verdict.
// Nothing here talks to the network.
package chat

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is one answer of a messenger's endpoint, as delivery read it.
type Response struct {
	Status int
	Header http.Header
	Body   string // the first few KB, trimmed; may repeat the request URL, so it is never shown unredacted
	Now    time.Time
}

// Meaning is what a response means for the message (Verdict.Means).
type Meaning int

// The three meanings. The zero value is Failed: a judge that forgets a case never reports a false
// "delivered".
const (
	Failed    Meaning = iota // not delivered, and sending it again cannot help
	Retryable                // not delivered, but the same request may pass later
	Delivered                // the messenger took the message
)

func (m Meaning) String() string {
	switch m {
	case Delivered:
		return "delivered"
	case Retryable:
		return "retryable"
	}
	return "failed"
}

// Verdict is a messenger's reading of a response.
type Verdict struct {
	Means      Meaning
	RetryAfter time.Duration // the server's own wait before a retry; 0: delivery's backoff decides
	Reason     string        // in words, e.g. "rate limited", "connector reported a failure"
	Detail     string        // the messenger's own error text or code from the body, e.g. "invalid_payload"
}

// Judge reads a response. Each messenger has one; a JSON API (`{"ok":false,"error":"ratelimited"}`)
// fits as well as a webhook's status and plain-text body.
type Judge interface {
	Judge(Response) Verdict
}

// JudgeFunc adapts a function to Judge.
type JudgeFunc func(Response) Verdict

// Judge calls f.
func (f JudgeFunc) Judge(r Response) Verdict { return f(r) }

// ByStatus is the HTTP reading every messenger starts from: 2xx delivered; 408, 429 and 5xx worth
// retrying (429 and 503 after the server's Retry-After), and a 1xx as the final answer too (the
// server never gave one); 3xx and other 4xx not delivered. A 3xx means the message went nowhere:
// a redirect is not followed, because following it would turn the POST into a GET that "succeeds".
func ByStatus(r Response) Verdict {
	s := r.Status
	switch {
	case s >= 200 && s < 300:
		return Verdict{Means: Delivered}
	case s == http.StatusTooManyRequests:
		return Verdict{Means: Retryable, RetryAfter: RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: "rate limited", Detail: r.Body}
	case s == http.StatusRequestTimeout:
		return Verdict{Means: Retryable, Reason: "request timed out at the server", Detail: r.Body}
	case s >= 500:
		return Verdict{Means: Retryable, RetryAfter: RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: "server error", Detail: r.Body}
	case s < 200:
		return Verdict{Means: Retryable, Reason: "informational answer without a final status", Detail: r.Body}
	}
	return Verdict{Means: Failed, Reason: "rejected; not retried", Detail: r.Body}
}

// RetryAfter reads a Retry-After header as seconds or an HTTP date; 0 when absent or unreadable.
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(min(secs, 1<<30))*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
