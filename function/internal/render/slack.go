package render

import (
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
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

type slackMessage struct {
	Text        string            `json:"text"`
	Blocks      []slackBlock      `json:"blocks"`
	Attachments []slackAttachment `json:"attachments,omitempty"`
}

// slackAttachment carries the coloured bar, which top-level blocks cannot have.
type slackAttachment struct {
	Color  string       `json:"color"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string         `json:"type"`
	Text     *slackText     `json:"text,omitempty"`
	Fields   []slackText    `json:"fields,omitempty"`
	Elements []slackElement `json:"elements,omitempty"`
}

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// slackElement is a context text or an actions button.
type slackElement struct {
	Type string `json:"type"`
	Text any    `json:"text"`
	URL  string `json:"url,omitempty"`
}

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
func judgeSlack(r chat.Response) chat.Verdict {
	return chat.ByStatus(r)
}
