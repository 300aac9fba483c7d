package overflow

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// throttledReason starts the reason of a post FailFast stopped: Throttled finds it in the error.
const throttledReason = "throttled by the messenger; to the overflow queue"

// FailFast wraps a messenger's judge for the direct path: an answer that says "too many posts"
// (HTTP 429, Slack's ratelimited, a connector's "HTTP error 429" inside a 200) ends the post at
// once instead of waiting out Retry-After, so that the notification goes to the overflow queue
// while the webhook is busy. Other answers are judged as before (5xx and network errors are still
// retried).
func FailFast(inner chat.Judge) chat.Judge {
	return chat.JudgeFunc(func(r chat.Response) chat.Verdict {
		v := inner.Judge(r)
		if v.Means == chat.Retryable && throttling(r, v) {
			return chat.Verdict{Means: chat.Failed, Reason: fmt.Sprintf("%s (%s; retry after %s)", throttledReason, v.Reason, v.RetryAfter), Detail: v.Detail}
		}
		return v
	})
}

// throttling tells a rate-limit answer: the status, Slack's codes, or the status a connector
// reports inside its body.
func throttling(r chat.Response, v chat.Verdict) bool {
	if r.Status == 429 {
		return true
	}
	if slackapi.RateLimited(v.Detail) {
		return true
	}
	return strings.Contains(strings.ToLower(r.Body), "http error 429")
}

// Throttled tells whether err is a post that FailFast stopped.
func Throttled(err error) bool {
	_, ok := throttledFor(err)
	return ok
}

// throttledFor is the wait the messenger asked for with the push-back FailFast stopped (0 when it
// named none), and whether err is one.
func throttledFor(err error) (time.Duration, bool) {
	var s *slackapi.Error
	if errors.As(err, &s) && strings.HasPrefix(s.Reason, throttledReason) {
		return 0, true // a Slack app's direct path: the digest waits in the Web API client itself
	}
	var d *deliver.Error
	if !errors.As(err, &d) || !strings.HasPrefix(d.Reason, throttledReason) {
		return 0, false
	}
	_, after, _ := strings.Cut(d.Reason, "; retry after ")
	wait, _ := time.ParseDuration(strings.TrimSuffix(after, ")"))
	return wait, true
}
