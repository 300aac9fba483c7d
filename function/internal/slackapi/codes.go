package slackapi

import (
	"encoding/json"
	"net/http"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// code is what one of Slack's error codes means and what the relay does about it.
type code struct {
	retry     bool   // Slack's own "try again later" (with HTTP 200 or 429; incoming webhooks too)
	rateLimit bool   // of those, the ones that say "too many posts" (RateLimited)
	hint      string // what a permanent code usually means and what to do
	gone      bool   // the message to edit or reply to no longer exists or may not be edited (ErrMessageGone)
	// the bot can no longer post in the channel: deleted or archived, or the bot removed from it
	// (ErrChannelUnusable)
	unusable bool
	// a lookup (conversations.history, .replies) finds nothing there: the thread or the channel is
	// gone or closed to the bot (Find)
	nowhere bool
	// the token may not read the channel's history (Find: ErrNoHistoryScope)
	noHistory bool
}

// codes is the Slack error table: the one place that knows Slack's error codes.
var codes = map[string]code{
	"ratelimited":         {retry: true, rateLimit: true},
	"rate_limited":        {retry: true, rateLimit: true}, // chat.postMessage: too many messages to a channel
	"internal_error":      {retry: true},
	"fatal_error":         {retry: true},
	"service_unavailable": {retry: true},
	"request_timeout":     {retry: true},

	"channel_not_found":      {hint: "the channel id is wrong or the app cannot see the channel; use the id (C…) from the channel's details", unusable: true, nowhere: true},
	"not_in_channel":         {hint: "invite the app to the channel (/invite @app)", unusable: true, nowhere: true},
	"is_archived":            {hint: "the channel is archived", unusable: true, nowhere: true},
	"invalid_auth":           {hint: "the bot token is not valid; copy it again from OAuth & Permissions"},
	"not_authed":             {hint: "no bot token was sent"},
	"token_revoked":          {hint: "the bot token was revoked; reinstall the app and store its new token"},
	"token_expired":          {hint: "the bot token expired; reinstall the app and store its new token"},
	"account_inactive":       {hint: "the app's bot user was deactivated"},
	"missing_scope":          {hint: "the app needs the chat:write scope", noHistory: true},
	"not_allowed_token_type": {noHistory: true},
	"msg_too_long":           {hint: "the message is too long"},
	"no_text":                {hint: "the message has no text"},
	"invalid_blocks":         {hint: "Slack rejected the message's blocks"},
	"restricted_action":      {hint: "the workspace does not let the app post in this channel"},
	"message_not_found":      {hint: "the message was deleted", gone: true},
	"cant_update_message":    {hint: "the message cannot be edited", gone: true},
	"edit_window_closed":     {hint: "the message is too old to edit", gone: true},
	"thread_not_found":       {hint: "the thread's first message was deleted", gone: true, nowhere: true},
}

// RetryLater tells Slack's "try again later" error codes (an incoming webhook's too).
func RetryLater(errorCode string) bool { return codes[errorCode].retry }

// RateLimited tells Slack's "too many posts" error codes (an incoming webhook's too).
func RateLimited(errorCode string) bool { return codes[errorCode].rateLimit }

// Judge reads a Web API answer: HTTP 200 with {"ok":true,"ts":…} is delivered (an ok without the
// message's ts is not: the incident could not find its message again). Rate limits (HTTP 429, or
// ratelimited inside a 200) wait for Retry-After; 5xx and Slack's internal errors are retried;
// every other answer fails at once, with Slack's error code as Detail and what it usually means as
// Reason. It is the slack-app messenger's judge (render.JudgeFor).
func Judge(r chat.Response) chat.Verdict {
	var a struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		TS    string `json:"ts"`
	}
	parsed := json.Unmarshal([]byte(r.Body), &a) == nil
	detail := a.Error
	if !parsed {
		detail = r.Body
	}
	switch {
	case r.Status == http.StatusTooManyRequests:
		return chat.Verdict{Means: chat.Retryable, RetryAfter: chat.RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: "rate limited", Detail: detail}
	case r.Status >= 500:
		return chat.Verdict{Means: chat.Retryable, Reason: "server error", Detail: detail}
	case r.Status != http.StatusOK:
		return chat.Verdict{Means: chat.Failed, Reason: "unexpected HTTP status", Detail: detail}
	case !parsed:
		return chat.Verdict{Means: chat.Failed, Reason: "the answer is not Slack's JSON", Detail: detail}
	case a.OK && a.TS == "":
		return chat.Verdict{Means: chat.Failed, Reason: "Slack answered ok without the message's ts"}
	case a.OK:
		return chat.Verdict{Means: chat.Delivered}
	case RetryLater(a.Error):
		return chat.Verdict{Means: chat.Retryable, RetryAfter: chat.RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: "Slack asks to try again later", Detail: detail}
	}
	reason := codes[a.Error].hint
	if reason == "" {
		reason = "rejected"
	}
	return chat.Verdict{Means: chat.Failed, Reason: reason, Detail: detail}
}
