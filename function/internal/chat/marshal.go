package chat

import (
	"bytes"
	"encoding/json"
)

// Marshal encodes a messenger payload like json.Marshal, but leaves "<", ">" and "&" as they are
// (not \u003c…): text is escaped for mrkdwn where it must be, and a payload stays readable in
// dry runs, logs and golden files.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
