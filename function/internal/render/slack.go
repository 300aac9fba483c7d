package render

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// Slack's Block Kit limits (https://api.slack.com/reference/block-kit/blocks), in characters.
const (
	SlackHeaderLimit     = 150
	SlackSectionLimit    = 3000
	SlackFieldLimit      = 2000
	SlackMaxFields       = 10
	SlackMaxBlocks       = 50
	SlackButtonTextLimit = 75
	SlackURLLimit        = 3000
	SlackTextLimit       = 3000 // the fallback text; Slack allows more, notifications show far less
)

// The Slack payload's shapes (package blockkit: lifecycle and slackapi take the same value).
type (
	slackMessage    = blockkit.Message
	slackAttachment = blockkit.Attachment
	slackBlock      = blockkit.Block
	slackText       = blockkit.Text
	slackElement    = blockkit.Element
)

func mrkdwnText(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s} }

// slackPayload: the header (emoji, state, name) and a text fallback at the top level, the details
// in an attachment whose bar has the state's colour. All user text is escaped for mrkdwn.
func slackPayload(v view) slackMessage {
	header := slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(v.title, SlackHeaderLimit), Emoji: true}}
	var details []slackBlock

	var lead []string
	if v.headline != "" {
		lead = append(lead, "*"+mrkdwn(v.headline, SlackSectionLimit/2)+"*")
	}
	if v.observed != "" {
		lead = append(lead, mrkdwn(v.words.observed, 50)+": *"+mrkdwn(v.observed, 200)+"*")
	}
	if v.trend != "" {
		lead = append(lead, mrkdwn(v.words.trend, 50)+": "+mrkdwn(v.trend, 400))
	}
	if v.body != "" {
		lead = append(lead, mrkdwn(v.body, SlackSectionLimit-4))
	}
	if len(lead) > 0 {
		// The parts' own limits add up to less than a section's, so no escape is ever cut here.
		details = append(details, slackBlock{Type: "section", Text: mrkdwnText(strings.Join(lead, "\n"))})
	}
	if len(v.facts) > 0 {
		fields := make([]slackText, 0, min(len(v.facts), SlackMaxFields))
		for _, f := range v.facts[:min(len(v.facts), SlackMaxFields)] {
			label := "*" + mrkdwn(f.label, 100) + "*\n"
			fields = append(fields, slackText{Type: "mrkdwn", Text: label + mrkdwn(f.value, SlackFieldLimit-len([]rune(label)))})
		}
		details = append(details, slackBlock{Type: "section", Fields: fields})
	}
	if v.description != "" {
		details = append(details, slackBlock{Type: "section", Text: mrkdwnText(mrkdwn(v.description, SlackSectionLimit))})
	}
	if v.reason != "" {
		details = append(details, slackBlock{Type: "context", Elements: []slackElement{{Type: "mrkdwn", Text: mrkdwn(v.reason, SlackSectionLimit)}}})
	}
	var buttons []slackElement
	for _, l := range v.buttons() {
		buttons = append(buttons, slackElement{Type: "button", Text: slackText{Type: "plain_text", Text: truncate(l.label, SlackButtonTextLimit)}, URL: l.url})
	}
	if len(buttons) > 0 {
		details = append(details, slackBlock{Type: "actions", Elements: buttons})
	}
	top := []slackBlock{header}
	if len(v.mentions) > 0 {
		// Mentions come from configuration in Slack's own syntax; they are the only unescaped text.
		var who []string
		used := 0
		for _, m := range v.mentions {
			// Whole mentions only, as many as a section holds: a cut one would be broken syntax.
			if m.Slack != "" && used+len([]rune(m.Slack))+1 <= SlackSectionLimit {
				who = append(who, m.Slack)
				used += len([]rune(m.Slack)) + 1
			}
		}
		if len(who) > 0 {
			top = append(top, slackBlock{Type: "section", Text: mrkdwnText(strings.Join(who, " "))})
		}
	}
	return slackMessage{
		Text:        mrkdwn(v.summary, SlackTextLimit),
		Blocks:      top,
		Attachments: []slackAttachment{{Color: "#" + v.style.color, Blocks: details}},
	}
}

// judgeSlack reads an incoming webhook's answer: 200 "ok" for a post; errors are 4xx with a short
// code as body (invalid_payload, channel_not_found, channel_is_archived, no_service…), never
// retried; 429 waits for Retry-After; 5xx is retried.
//
// A 2xx is delivered unless its body says otherwise: a Slack error code (snake_case, as every one
// of them is; Slack's "try again later" codes are retried), a JSON object with "ok": false, or an
// HTML page (a proxy's sign-in page answers 200 and delivers nothing). Any other body passes, so
// that Slack-compatible targets (Mattermost, a relay of one's own) answering "" or "success" work.
func judgeSlack(r chat.Response) chat.Verdict {
	v := chat.ByStatus(r)
	if v.Means != chat.Delivered || r.Body == "ok" {
		return v
	}
	code := ""
	switch {
	case slackErrorCode.MatchString(r.Body):
		code = r.Body
	case strings.HasPrefix(r.Body, "{"):
		var a struct {
			OK    *bool  `json:"ok"`
			Error string `json:"error"`
		}
		if json.Unmarshal([]byte(r.Body), &a) != nil || a.OK == nil || *a.OK {
			return v
		}
		code = a.Error
		if code == "" {
			return chat.Verdict{Means: chat.Failed, Reason: fmt.Sprintf(`Slack answered "ok": false inside HTTP %d`, r.Status), Detail: r.Body}
		}
	case looksLikeHTML(r.Body):
		return chat.Verdict{Means: chat.Failed, Reason: fmt.Sprintf("an HTML page inside HTTP %d, not Slack's answer (a proxy or sign-in page?)", r.Status), Detail: r.Body}
	default:
		return v
	}
	if slackapi.RetryLater(code) {
		return chat.Verdict{Means: chat.Retryable, RetryAfter: chat.RetryAfter(r.Header.Get("Retry-After"), r.Now), Reason: fmt.Sprintf("Slack asks to try again later inside HTTP %d", r.Status), Detail: code}
	}
	return chat.Verdict{Means: chat.Failed, Reason: fmt.Sprintf("Slack reported an error inside HTTP %d; not retried", r.Status), Detail: code}
}

// slackErrorCode is the shape of Slack's error codes: lowercase words joined by underscores.
var slackErrorCode = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)+$`)

// looksLikeHTML: an HTML document or fragment, which no chat API answers with.
func looksLikeHTML(s string) bool {
	head := strings.ToLower(s[:min(len(s), 512)])
	return strings.HasPrefix(head, "<") && (strings.Contains(head, "<html") || strings.Contains(head, "<!doctype") || strings.Contains(head, "<head") || strings.Contains(head, "<body") || strings.Contains(head, "<title"))
}
