package slackapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/retry"
)

// ErrNoHistoryScope is reported (through errors.Is) when the bot may not read the channel's
// history (missing_scope: the app lacks channels:history or groups:history): a lost post cannot
// be looked for.
var ErrNoHistoryScope = errors.New("the Slack app may not read the channel's history (channels:history / groups:history)")

// Lookup names a post to look for: one tagged with metadata of EventType whose payload's
// PostKey is PostID, posted in Channel (in ThreadTS's thread when set) at or after Since.
type Lookup struct {
	Channel   string
	ThreadTS  string
	Since     time.Time
	EventType string
	PostKey   string
	PostID    string
}

// findWindow bounds the look: the newest messages since the attempt, one page.
const findWindow = 200

// Find looks for a post whose answer was lost. It returns the post's ts, "" when it is not among
// the channel's (or thread's) messages since l.Since. Root messages are read with
// conversations.history, thread replies with conversations.replies, both with
// include_all_metadata.
func (c *Client) Find(ctx context.Context, l Lookup) (string, error) {
	if l.Channel == "" || l.PostID == "" {
		return "", errors.New("slack find: no channel or post id")
	}
	method := "conversations.history"
	form := url.Values{"channel": {l.Channel}, "include_all_metadata": {"true"}, "limit": {strconv.Itoa(findWindow)}, "inclusive": {"true"}}
	if l.ThreadTS != "" {
		method = "conversations.replies"
		form.Set("ts", l.ThreadTS)
	}
	if !l.Since.IsZero() {
		// A minute early: Slack's clock and ours may differ; the post id tells the rest.
		since := l.Since.Add(-time.Minute)
		form.Set("oldest", fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000))
	}
	var last attemptResult
	attempts, stopped := retry.Do(ctx, c.Policy, c.Clock, func(ctx context.Context, _ int) retry.Outcome {
		last = c.attemptAs(ctx, method, "application/x-www-form-urlencoded", []byte(form.Encode()))
		return retry.Outcome{Done: last.ok, Retry: last.retryable, RetryAfter: last.retryAfter}
	})
	if !last.ok {
		if !last.retryable {
			stopped = "not retried"
		}
		err := &Error{Method: method, Status: last.status, Code: last.code, Detail: last.detail, Attempts: attempts, Reason: retry.JoinReason(last.reason, stopped)}
		if codes[last.code].nowhere {
			// Where it would be is gone or closed to the bot: a post there is no longer shown,
			// and posting again fails (or goes elsewhere) the same way.
			return "", nil
		}
		if codes[last.code].noHistory {
			err.Reason = "the app lacks channels:history / groups:history" // not chat:write, which posting needs
			return "", fmt.Errorf("%w: %w", ErrNoHistoryScope, err)
		}
		return "", err
	}
	var page struct {
		Messages []struct {
			TS       string `json:"ts"`
			ThreadTS string `json:"thread_ts"`
			Metadata *struct {
				EventType string         `json:"event_type"`
				Payload   map[string]any `json:"event_payload"`
			} `json:"metadata"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(last.raw, &page); err != nil {
		return "", fmt.Errorf("slack %s: the answer is not a message list: %w", method, err)
	}
	for _, m := range page.Messages {
		if m.Metadata == nil || m.Metadata.EventType != l.EventType {
			continue
		}
		if id, _ := m.Metadata.Payload[l.PostKey].(string); id == l.PostID && m.TS != l.ThreadTS {
			return m.TS, nil
		}
	}
	return "", nil
}
