package render

import (
	"encoding/json"
	"net/http"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// The slack-app messenger posts the Slack payload above through Slack's Web API (chat.postMessage,
// chat.update) with a bot token; this is its reading of the Web API's answers.

// slackRetryCodes are Slack's own "try again later" answers (with HTTP 200 or 429).
var slackRetryCodes = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true, // chat.postMessage: too many messages to a channel
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
}

// slackHints say what a permanent Web API error code usually means and what to do.
var slackHints = map[string]string{
	"channel_not_found":   "the channel id is wrong or the app cannot see the channel; use the id (C…) from the channel's details",
	"not_in_channel":      "invite the app to the channel (/invite @app)",
	"is_archived":         "the channel is archived",
	"invalid_auth":        "the bot token is not valid; copy it again from OAuth & Permissions",
	"not_authed":          "no bot token was sent",
	"token_revoked":       "the bot token was revoked; reinstall the app and store its new token",
	"token_expired":       "the bot token expired; reinstall the app and store its new token",
	"account_inactive":    "the app's bot user was deactivated",
	"missing_scope":       "the app needs the chat:write scope",
	"msg_too_long":        "the message is too long",
	"no_text":             "the message has no text",
	"invalid_blocks":      "Slack rejected the message's blocks",
	"restricted_action":   "the workspace does not let the app post in this channel",
	"message_not_found":   "the message was deleted",
	"cant_update_message": "the message cannot be edited",
	"edit_window_closed":  "the message is too old to edit",
	"thread_not_found":    "the thread's first message was deleted",
}

// judgeSlackWebAPI: HTTP 200 with {"ok":true,"ts":…} is delivered (an ok without the message's ts
// is not: the incident could not find its message again). Rate limits (HTTP 429, or ratelimited
// inside a 200) wait for Retry-After; 5xx and Slack's internal errors are retried; every other
// answer fails at once, with Slack's error code as Detail and what it usually means as Reason.
func judgeSlackWebAPI(r chat.Response) chat.Verdict {
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
		return chat.Verdict{Outcome: chat.Retry, RetryAfter: chat.RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: "rate limited", Detail: detail}
	case r.Status >= 500:
		return chat.Verdict{Outcome: chat.Retry, Reason: "server error", Detail: detail}
	case r.Status != http.StatusOK:
		return chat.Verdict{Outcome: chat.Fail, Reason: "unexpected HTTP status", Detail: detail}
	case !parsed:
		return chat.Verdict{Outcome: chat.Fail, Reason: "the answer is not Slack's JSON", Detail: detail}
	case a.OK && a.TS == "":
		return chat.Verdict{Outcome: chat.Fail, Reason: "Slack answered ok without the message's ts"}
	case a.OK:
		return chat.Verdict{Outcome: chat.Delivered}
	case slackRetryCodes[a.Error]:
		return chat.Verdict{Outcome: chat.Retry, RetryAfter: chat.RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: "Slack asks to try again later", Detail: detail}
	}
	reason := slackHints[a.Error]
	if reason == "" {
		reason = "rejected"
	}
	return chat.Verdict{Outcome: chat.Fail, Reason: reason, Detail: detail}
}
