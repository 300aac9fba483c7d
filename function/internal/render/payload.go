package render

import (
	"fmt"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// Payload is a rendered message, encoded only by whoever sends it: a webhook posts its JSON; the
// Slack Web API takes Slack's typed message (Slack) and encodes it once with its own fields.
type Payload struct {
	value any               // the messenger's payload
	slack *blockkit.Message // Slack's (Slack and SlackApp), nil for the others
	what  string            // what it is, for an encoding error: `slack payload for "name"`
}

// JSON encodes the payload as the messenger's endpoint takes it ("<", ">" and "&" stay readable:
// they are escaped for mrkdwn already).
func (p Payload) JSON() ([]byte, error) {
	b, err := chat.Marshal(p.value)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", p.what, err)
	}
	return b, nil
}

// Slack is Slack's message, when the payload is one.
func (p Payload) Slack() (blockkit.Message, bool) {
	if p.slack == nil {
		return blockkit.Message{}, false
	}
	return *p.slack, true
}

// payloadOf wraps a messenger's payload; Slack's is also kept typed.
func payloadOf(v any, what string) Payload {
	p := Payload{value: v, what: what}
	if m, ok := v.(slackMessage); ok {
		p.slack = &m
	}
	return p
}
