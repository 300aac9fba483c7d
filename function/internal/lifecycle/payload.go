package lifecycle

import (
	"slices"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// withContext adds a context line under the header of a rendered Slack message and after its
// fallback text. An empty line changes nothing. m's blocks are not changed: the result has its own.
func withContext(m blockkit.Message, line string) blockkit.Message {
	if line == "" {
		return m
	}
	escaped := render.EscapeMrkdwn(line)
	block := blockkit.Block{Type: "context", Elements: []blockkit.Element{{Type: "mrkdwn", Text: escaped}}}
	at := min(1, len(m.Blocks)) // after the header
	m.Blocks = slices.Insert(slices.Clip(m.Blocks), at, block)
	m.Text = strings.TrimSpace(m.Text + " · " + escaped)
	return m
}
