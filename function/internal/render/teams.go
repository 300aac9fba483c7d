package render

// Teams text limits. Teams rejects payloads over about 28 KB; these keep a card well below that.
const (
	TeamsTextLimit  = 3000
	TeamsFactLimit  = 1000
	TeamsTitleLimit = 250
)

// Workflows (Power Automate) webhooks take an Adaptive Card inside a "message" envelope.
type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string       `json:"contentType"`
	ContentURL  *string      `json:"contentUrl"`
	Content     adaptiveCard `json:"content"`
}

type adaptiveCard struct {
	Schema  string            `json:"$schema"`
	Type    string            `json:"type"`
	Version string            `json:"version"`
	MSTeams map[string]string `json:"msteams"`
	Body    []cardElement     `json:"body"`
	Actions []cardAction      `json:"actions,omitempty"`
}

// cardElement covers the three elements used: TextBlock, Container and FactSet.
type cardElement struct {
	Type     string        `json:"type"`
	Text     string        `json:"text,omitempty"`
	Weight   string        `json:"weight,omitempty"`
	Size     string        `json:"size,omitempty"`
	IsSubtle bool          `json:"isSubtle,omitempty"`
	Wrap     bool          `json:"wrap,omitempty"`
	Style    string        `json:"style,omitempty"`
	Bleed    bool          `json:"bleed,omitempty"`
	Items    []cardElement `json:"items,omitempty"`
	Facts    []cardFact    `json:"facts,omitempty"`
}

type cardFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type cardAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func textBlock(text string) cardElement {
	return cardElement{Type: "TextBlock", Text: truncate(text, TeamsTextLimit), Wrap: true}
}

func teamsPayload(v view) teamsMessage {
	title := cardElement{Type: "TextBlock", Text: truncate(v.title, TeamsTitleLimit), Weight: "Bolder", Size: "Large", Wrap: true}
	body := []cardElement{{Type: "Container", Style: v.style.container, Bleed: true, Items: []cardElement{title}}}
	if v.headline != "" {
		headline := textBlock(v.headline)
		headline.Weight = "Bolder"
		body = append(body, headline)
	}
	if v.observed != "" {
		body = append(body, textBlock("Observed: "+v.observed))
	}
	if v.body != "" {
		body = append(body, textBlock(v.body))
	}
	if len(v.facts) > 0 {
		facts := make([]cardFact, len(v.facts))
		for i, f := range v.facts {
			facts[i] = cardFact{Title: f.label, Value: truncate(f.value, TeamsFactLimit)}
		}
		body = append(body, cardElement{Type: "FactSet", Facts: facts})
	}
	if v.description != "" {
		body = append(body, textBlock(v.description))
	}
	if v.reason != "" {
		reason := textBlock(v.reason)
		reason.Size, reason.IsSubtle = "Small", true
		body = append(body, reason)
	}
	card := adaptiveCard{
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Type:    "AdaptiveCard",
		Version: "1.4",
		MSTeams: map[string]string{"width": "Full"},
		Body:    body,
	}
	if v.url != "" {
		card.Actions = []cardAction{{Type: "Action.OpenUrl", Title: "Open in CloudWatch", URL: v.url}}
	}
	return teamsMessage{
		Type:        "message",
		Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}},
	}
}
