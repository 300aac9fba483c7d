package lifecycle

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// withContext adds a context line under the header of a rendered Slack payload ({text, blocks,
// attachments}, as render builds it) and after its fallback text. An empty line changes nothing.
func withContext(payload []byte, line string) ([]byte, error) {
	if line == "" {
		return payload, nil
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(payload, &msg); err != nil {
		return nil, fmt.Errorf("lifecycle: the root payload is not a Slack message object: %w", err)
	}
	var blocks []json.RawMessage
	if raw, ok := msg["blocks"]; ok {
		if err := json.Unmarshal(raw, &blocks); err != nil {
			return nil, fmt.Errorf("lifecycle: the root payload's blocks are not a list: %w", err)
		}
	}
	block, err := marshal(map[string]any{"type": "context", "elements": []any{map[string]string{"type": "mrkdwn", "text": render.EscapeMrkdwn(line)}}})
	if err != nil {
		return nil, err
	}
	at := min(1, len(blocks)) // after the header
	blocks = append(blocks[:at], append([]json.RawMessage{block}, blocks[at:]...)...)
	if msg["blocks"], err = marshal(blocks); err != nil {
		return nil, err
	}
	var text string
	if raw, ok := msg["text"]; ok {
		_ = json.Unmarshal(raw, &text)
	}
	text = strings.TrimSpace(text + " · " + render.EscapeMrkdwn(line))
	if msg["text"], err = marshal(text); err != nil {
		return nil, err
	}
	return marshal(msg)
}

// marshal encodes a payload (chat.Marshal: < > & kept as written, escaped for mrkdwn already).
func marshal(v any) ([]byte, error) {
	b, err := chat.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: encode: %w", err)
	}
	return b, nil
}
