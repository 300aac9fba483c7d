// Package slackapi is the small part of Slack's Web API the relay needs to keep one message per
// incident: chat.postMessage (also as a thread reply, with thread_ts) and chat.update, with a bot
// token, and conversations.history and conversations.replies to find a post whose answer was lost
// (find.go). What an answer means is the client's chat.Judge (Judge, over Slack's error table in
// codes.go; render.JudgeFor gives it as the slack-app messenger's), as for webhooks: what it
// calls retryable (ratelimited with Retry-After, server and network errors) is retried inside the
// context's deadline, everything else fails at once with Slack's error code; a message that can
// no longer be edited is reported as ErrMessageGone so that the caller can post a new one. The
// token never appears in an error.
//
// It is our own few hundred lines rather than slack-go/slack v0.35.0 (0.33 MB more in the arm64
// bootstrap, with gorilla/websocket): its retries are opt-in handlers that wait out a Retry-After
// up to the context's end instead of stopping while the invocation can still report the failure,
// its client keeps the token as a plain string field that %+v prints, and the judgement (which
// codes are permanent, which mean the message is gone: codes.go) would be needed on top of it
// anyway.
package slackapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/urlerr"
	"github.com/alarm-relay/alarm-relay/internal/clip"
	"github.com/alarm-relay/alarm-relay/internal/loopback"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// DefaultBaseURL is Slack's Web API; SLACK_API_URL overrides it (tests point it at a local server).
const DefaultBaseURL = "https://slack.com/api/"

// Client calls Slack's Web API with one bot token.
type Client struct {
	BaseURL string // ends in "/"; methods are appended
	Token   Token
	Judge   chat.Judge // what the Web API's answers mean: Judge (render.JudgeFor(messenger.SlackApp))
	HTTP    *http.Client
	Policy  retry.Policy
	Clock   retry.Clock // the zero value is the real clock; tests give one that never waits
}

// New builds a client for token, with the base URL from SLACK_API_URL (default Slack's own). The
// token goes to that URL, so it must be HTTPS; plain HTTP is allowed to loopback only, for tests.
// judge reads the answers (Judge, which render.JudgeFor(messenger.SlackApp) gives).
func New(getenv func(string) string, token Token, judge chat.Judge, client *http.Client) (*Client, error) {
	if token.IsZero() {
		return nil, errors.New("slack: no bot token")
	}
	if judge == nil {
		// Without the messenger's judgement an HTTP 200 carrying {"ok":false} would pass.
		return nil, errors.New("slack: no judge for the Web API's answers")
	}
	base := strings.TrimSpace(getenv(relayconfig.EnvSlackAPIURL))
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s %q is not an absolute URL (for example %s)", relayconfig.EnvSlackAPIURL, base, DefaultBaseURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback.IsHost(u.Hostname()):
	default:
		return nil, fmt.Errorf("%s %q must use https (plain http only to a loopback address): the bot token is sent there", relayconfig.EnvSlackAPIURL, base)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q must be a plain base URL without credentials, query or fragment", relayconfig.EnvSlackAPIURL, base)
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return &Client{BaseURL: base, Token: token, Judge: judge, HTTP: client, Policy: retry.DefaultPolicy}, nil
}

// Message is what to post or update.
type Message struct {
	Channel  string // channel id (C…, G…); chat.update needs the id Slack returned
	TS       string // chat.update: the message to edit
	ThreadTS string // chat.postMessage: reply in this message's thread

	// Payload is the Slack message render builds (for webhooks too), posted as it is. When nil,
	// Text is posted as mrkdwn.
	Payload *blockkit.Message
	Text    string

	// Metadata tags a posted message (Slack's message metadata) so that it can be found again
	// when the answer to its post was lost (Find); nil posts none.
	Metadata *Metadata
}

// Metadata is Slack message metadata: an event type and a flat payload of strings.
type Metadata struct {
	EventType string            `json:"event_type"`
	Payload   map[string]string `json:"event_payload"`
}

// Posted is a message Slack accepted.
type Posted struct {
	Channel  string // the channel id
	TS       string // the message's timestamp: its id within the channel
	Attempts int
}

// ErrMessageGone is reported (through errors.Is) when the message to update or reply to was
// deleted or may no longer be edited: the caller posts a new message instead.
var ErrMessageGone = errors.New("slack message is gone or can no longer be edited")

// Error is a call Slack did not accept. Its text names the method, the status and Slack's error
// code with what it usually means; never the token.
type Error struct {
	Method   string
	Status   int    // last HTTP status, 0 when no response came
	Code     string // Slack's error code, e.g. channel_not_found; "" when the answer had none
	Detail   string // Slack's further messages (invalid_blocks explains itself there), shortened
	Attempts int
	Reason   string
	Unknown  bool // the last request was sent and its answer lost: it may have been acted on
}

func (e *Error) Error() string {
	return retry.Describe("slack "+e.Method, e.Status, e.Code, e.Detail, e.Reason, e.Attempts)
}

// ErrChannelUnusable is reported (through errors.Is) when the bot can no longer post in the
// channel: it was deleted or archived, or the bot was removed from it.
var ErrChannelUnusable = errors.New("slack channel cannot be posted to")

// Is makes errors.Is(err, ErrMessageGone) and errors.Is(err, ErrChannelUnusable) true for the
// codes that mean so.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrOutcomeUnknown:
		return e.Unknown
	case ErrMessageGone:
		return codes[e.Code].gone
	case ErrChannelUnusable:
		return codes[e.Code].unusable
	}
	return false
}

// ErrOutcomeUnknown is reported (through errors.Is) when a post may or may not have been taken:
// the request was sent and its answer was lost (a reset, a timeout), or Slack said ok without
// the message's ts. chat.postMessage is not idempotent, so such a post is never retried blindly:
// the caller looks for it first (Find).
var ErrOutcomeUnknown = errors.New("slack may have posted the message: its answer was lost")

// PostMessage posts m to m.Channel (in m.ThreadTS's thread when set) and returns its ts. A post
// whose outcome is unknown is not retried: the error is ErrOutcomeUnknown.
func (c *Client) PostMessage(ctx context.Context, m Message) (Posted, error) {
	if m.TS != "" {
		return Posted{}, errors.New("slack chat.postMessage: a message to post has no ts (use UpdateMessage to edit one)")
	}
	return c.call(ctx, "chat.postMessage", m)
}

// UpdateMessage replaces the message m.TS in m.Channel with m's content.
func (c *Client) UpdateMessage(ctx context.Context, m Message) (Posted, error) {
	if m.TS == "" {
		return Posted{}, errors.New("slack chat.update: no ts of the message to update")
	}
	if m.ThreadTS != "" {
		return Posted{}, errors.New("slack chat.update: an update cannot move a message into a thread")
	}
	return c.call(ctx, "chat.update", m)
}

// body builds the JSON request, encoded once: the message's text, blocks and attachments, then
// the channel, ts and thread_ts.
func body(method string, m Message) ([]byte, error) {
	if m.Channel == "" {
		return nil, fmt.Errorf("slack %s: no channel", method)
	}
	fields := map[string]any{}
	if p := m.Payload; p != nil {
		fields["text"] = p.Text
		if p.Blocks != nil {
			fields["blocks"] = p.Blocks
		}
		if len(p.Attachments) > 0 {
			fields["attachments"] = p.Attachments
		}
	} else {
		if m.Text == "" {
			return nil, fmt.Errorf("slack %s: no text", method)
		}
		fields["text"] = str(m.Text)
		if method == "chat.update" {
			// An update keeps whatever the message had unless told otherwise: clear the old blocks.
			fields["blocks"] = json.RawMessage(`[]`)
			fields["attachments"] = json.RawMessage(`[]`)
		}
	}
	fields["channel"] = str(m.Channel)
	switch method {
	case "chat.update":
		fields["ts"] = str(m.TS)
	case "chat.postMessage":
		if m.ThreadTS != "" {
			fields["thread_ts"] = str(m.ThreadTS)
		}
		if m.Metadata != nil {
			meta, err := json.Marshal(m.Metadata)
			if err != nil {
				return nil, fmt.Errorf("slack %s: encode metadata: %w", method, err)
			}
			fields["metadata"] = json.RawMessage(meta)
		}
		fields["unfurl_links"] = json.RawMessage(`false`)
		fields["unfurl_media"] = json.RawMessage(`false`)
	}
	b, err := chat.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("slack %s: encode: %w", method, err)
	}
	return b, nil
}

func str(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// attemptResult is what one attempt tells: done, or why not and whether and when to try again.
type attemptResult struct {
	ok         bool
	retryable  bool
	retryAfter time.Duration
	status     int
	code       string
	detail     string
	reason     string
	posted     Posted
	unknown    bool   // the request went out and no usable answer came back
	raw        []byte // a read method's answer
}

func (c *Client) call(ctx context.Context, method string, m Message) (Posted, error) {
	payload, err := body(method, m)
	if err != nil {
		return Posted{}, err
	}
	var last attemptResult
	attempts, stopped := retry.Do(ctx, c.Policy, c.Clock, func(ctx context.Context, _ int) retry.Outcome {
		last = c.attempt(ctx, method, payload)
		if last.unknown && method == "chat.postMessage" {
			// Posting again could show the message twice: the caller finds out first.
			last.retryable = false
		}
		return retry.Outcome{Done: last.ok, Retry: last.retryable, RetryAfter: last.retryAfter}
	})
	if last.ok {
		last.posted.Attempts = attempts
		return last.posted, nil
	}
	if !last.retryable {
		stopped = "not retried"
	}
	return Posted{}, &Error{Method: method, Status: last.status, Code: last.code, Detail: last.detail, Attempts: attempts, Reason: retry.JoinReason(last.reason, stopped), Unknown: last.unknown}
}

func (c *Client) attempt(ctx context.Context, method string, payload []byte) attemptResult {
	return c.attemptAs(ctx, method, "application/json; charset=utf-8", payload)
}

func (c *Client) attemptAs(ctx context.Context, method, contentType string, payload []byte) attemptResult {
	timeout := c.Policy.Timeout(ctx, c.Clock.Time())
	if timeout <= 0 {
		return attemptResult{reason: "no time left before the deadline"}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+method, bytes.NewReader(payload))
	if err != nil {
		return attemptResult{reason: "build request: " + c.Token.redact(err.Error())}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+c.Token.reveal())
	req.Header.Set("User-Agent", "alarm-relay")
	// Whether the request went out decides what a lost answer means: a refused connection
	// posted nothing, a reset after the request may have.
	var sent atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { sent.Store(true) },
	}))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return attemptResult{retryable: true, unknown: sent.Load(), reason: c.Token.redact(urlerr.Strip(err).Error())}
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if rerr != nil {
		return attemptResult{retryable: true, unknown: true, status: resp.StatusCode, reason: "read the answer: " + c.Token.redact(urlerr.Strip(rerr).Error())}
	}
	o := c.judge(resp, raw, !strings.HasPrefix(method, "conversations."))
	o.reason = c.Token.redact(o.reason)
	return o
}

// answer is what every Web API method returns.
type answer struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	Channel  string `json:"channel"`
	TS       string `json:"ts"`
	Metadata struct {
		Messages []string `json:"messages"`
	} `json:"response_metadata"`
}

// judge asks the messenger's judge what an answer means, and reads the posted message's channel
// and ts, Slack's error code and its further messages (invalid_blocks explains itself there).
// Whatever of the answer is kept loses the token first and is shortened after: a cut made
// first could leave a token's beginning that no redaction recognises.
func (c *Client) judge(resp *http.Response, raw []byte, wantTS bool) attemptResult {
	body := c.Token.redact(strings.TrimSpace(string(raw)))
	v := c.Judge.Judge(chat.Response{Status: resp.StatusCode, Header: resp.Header, Body: body, Now: c.Clock.Time()})
	o := attemptResult{status: resp.StatusCode, reason: v.Reason, retryAfter: v.RetryAfter}
	var a answer
	parsed := json.Unmarshal(raw, &a) == nil
	if parsed {
		// Decoded, not from body: a JSON string may spell the token with \u escapes.
		o.code = clip.String(c.Token.redact(strings.TrimSpace(a.Error)), 80)
		if len(a.Metadata.Messages) > 0 {
			o.detail = clip.String(c.Token.redact(strings.TrimSpace(strings.Join(a.Metadata.Messages, "; "))), 200)
		}
	} else {
		o.detail = clip.String(body, 200) // an HTML page from a proxy, a 404's text
	}
	if parsed && a.OK && resp.StatusCode == http.StatusOK {
		switch {
		case !wantTS:
			// A read method: its answer carries messages, no ts.
			o.ok, o.raw, o.reason = true, raw, ""
			return o
		case a.TS == "":
			// Taken, maybe, but which message is it? The incident could not find it again.
			o.reason, o.unknown = "Slack answered ok without the message's ts", true
			return o
		}
	}
	switch v.Means {
	case chat.Delivered:
		if a.TS == "" {
			// A judge that let an answer without the ts pass: the incident could not find it again.
			o.reason = "Slack answered ok without the message's ts"
			o.unknown = true
			return o
		}
		o.ok = true
		o.posted = Posted{Channel: a.Channel, TS: a.TS}
	case chat.Retryable:
		o.retryable = true
	}
	return o
}

// ParseChannel checks a channel id by the stack's and the relay's one rule
// (relayconfig.CheckSlackChannel) and returns it without surrounding spaces.
func ParseChannel(raw string) (string, error) {
	if err := relayconfig.CheckSlackChannel(raw); err != nil {
		return "", fmt.Errorf("slack channel %w", err)
	}
	return strings.TrimSpace(raw), nil
}
