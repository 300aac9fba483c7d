// Package blockkit is a Slack message as Block Kit shapes it: the fallback text and blocks at
// the top level, the coloured bar's blocks in attachments. render builds one; lifecycle adds an
// incident's status line to it; slackapi encodes it once, with the Web API's own fields (a
// webhook gets it encoded as it is). Types only: nothing here decides what a message says.
package blockkit

// Message is one Slack message.
type Message struct {
	Text        string       `json:"text"`
	Blocks      []Block      `json:"blocks"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment carries the coloured bar, which top-level blocks cannot have.
type Attachment struct {
	Color  string  `json:"color"`
	Blocks []Block `json:"blocks"`
}

// Block is a header, section, context or actions block.
type Block struct {
	Type     string    `json:"type"`
	Text     *Text     `json:"text,omitempty"`
	Fields   []Text    `json:"fields,omitempty"`
	Elements []Element `json:"elements,omitempty"`
}

// Text is a plain_text or mrkdwn text object.
type Text struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// Element is a context text (Text a string) or an actions button (Text a Text, with URL).
type Element struct {
	Type string `json:"type"`
	Text any    `json:"text"`
	URL  string `json:"url,omitempty"`
}

// IsZero tells a message with nothing to show.
func (m Message) IsZero() bool { return m.Text == "" && len(m.Blocks) == 0 && len(m.Attachments) == 0 }
