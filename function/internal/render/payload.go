package render

import (
	"errors"
	"fmt"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// Payload is a rendered message, encoded only by whoever sends it: a webhook posts its JSON; the
// Slack Web API takes Slack's typed message (Slack) and encodes it once with its own fields.
type Payload struct {
	value any // the messenger's payload; a blockkit.Message for Slack and SlackApp
	// For an encoding error: `slack payload for "name"`. Kept apart: a rendering costs no Sprintf.
	m          Messenger
	what, name string
}

// JSON encodes the payload as the messenger's endpoint takes it ("<", ">" and "&" stay readable:
// they are escaped for mrkdwn already).
func (p Payload) JSON() ([]byte, error) {
	b, err := chat.Marshal(p.value)
	if err != nil {
		return nil, fmt.Errorf("render %s %s %q: %w", p.m, p.what, p.name, err)
	}
	return b, nil
}

// Slack is Slack's message, when the payload is one.
func (p Payload) Slack() (blockkit.Message, bool) {
	m, ok := p.value.(slackMessage)
	return m, ok
}

// SlackMessage is Slack's message, or an error when the payload is another messenger's: a Slack
// app destination posts nothing else.
func (p Payload) SlackMessage() (blockkit.Message, error) {
	m, ok := p.Slack()
	if !ok {
		return blockkit.Message{}, errors.New("a Slack app destination posts Slack messages only (messenger slack-app)")
	}
	return m, nil
}
