package render

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// Teams text limits, in characters as Teams shows them.
const (
	TeamsTextLimit  = 3000
	TeamsFactLimit  = 1000
	TeamsTitleLimit = 250
)

// TeamsPayloadLimit is the most Teams takes in one post (about 28 KB), for both card shapes. Every
// text is also held to a byte budget below, counted as it is encoded in JSON (an escaped control
// character takes 6 bytes), so that with the cards' own structure no payload exceeds it, whatever
// an alarm holds (FuzzRender and TestLargestPayloads check it).
const TeamsPayloadLimit = 28_000

// Byte budgets of the texts of a Teams card (Adaptive Card and MessageCard alike). CloudWatch's
// own maxima (name 255, description 1024, reason 1023 characters) fit in them; bigger input is cut.
const (
	teamsTitleBytes       = 1_000
	teamsHeadlineBytes    = 2_000
	teamsObservedBytes    = 600
	teamsTrendBytes       = 400
	teamsBodyBytes        = 18_000 // text messages only: they have no headline, facts or buttons
	teamsFactLabelBytes   = 100
	teamsFactValueBytes   = 600
	teamsDescriptionBytes = 3_500
	teamsReasonBytes      = 1_500
	teamsButtonBytes      = 100
	teamsURLBytes         = 1_100 // a longer link is left out: a cut URL would lead somewhere else
	teamsMentionBytes     = 2_500 // the mention line and its entities together
)

// mentionTag finds what Teams could read as a mention tag: <at>, </at>, <AT>, < at> …
var mentionTag = regexp.MustCompile(`(?i)<(\s*/?\s*at)`)

// teamsText makes user text small and safe for any Teams field: cut to its characters, a
// zero-width space after "<" breaks every mention tag (only configured mentions, with their
// entities, may notify anyone; a cut never leaves a whole tag, as the ellipsis follows it), then
// cut to its encoded bytes, never inside a character.
func teamsText(s string, chars, bytes int) string {
	s = truncate(s, chars) // first, so that the pattern never scans megabytes
	if strings.Contains(s, "<") {
		s = mentionTag.ReplaceAllString(s, "<\u200b$1")
	}
	return fitJSON(s, bytes)
}

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
	Schema  string        `json:"$schema"`
	Type    string        `json:"type"`
	Version string        `json:"version"`
	MSTeams cardTeams     `json:"msteams"`
	Body    []cardElement `json:"body"`
	Actions []cardAction  `json:"actions,omitempty"`
}

// newCard is a full-width Adaptive Card 1.4 with body, mentioning entities: every card the relay
// sends has this frame.
func newCard(body []cardElement, entities []cardMention) adaptiveCard {
	return adaptiveCard{
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Type:    "AdaptiveCard",
		Version: "1.4",
		MSTeams: cardTeams{Width: "Full", Entities: entities},
		Body:    body,
	}
}

type cardTeams struct {
	Width    string        `json:"width"`
	Entities []cardMention `json:"entities,omitempty"`
}

// cardMention notifies a user: the card's text holds "<at>UPN</at>" and this entity resolves it.
type cardMention struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Mentioned struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"mentioned"`
}

// cardElement covers the three elements used: TextBlock, Container and FactSet.
type cardElement struct {
	Type     string        `json:"type"`
	Text     string        `json:"text,omitempty"`
	Weight   string        `json:"weight,omitempty"`
	Size     string        `json:"size,omitempty"`
	IsSubtle bool          `json:"isSubtle,omitempty"`
	Wrap     bool          `json:"wrap,omitempty"`
	FontType string        `json:"fontType,omitempty"`
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

// textBlock holds user text, made safe and cut to budget bytes.
func textBlock(text string, budget int) cardElement {
	return cardElement{Type: "TextBlock", Text: teamsText(text, TeamsTextLimit, budget), Wrap: true}
}

// teamsMentions are the configured Teams mentions that fit their budget: "<at>UPN</at>" texts for
// the card and the entities that resolve them.
func teamsMentions(mentions []Mention) (who []string, entities []cardMention) {
	used := 0
	for _, m := range mentions {
		if m.UPN == "" {
			continue
		}
		e := cardMention{Type: "mention", Text: "<at>" + m.UPN + "</at>"}
		e.Mentioned.ID, e.Mentioned.Name = m.UPN, m.UPN
		cost := 2*jsonSize(e.Text) + 2*jsonSize(m.UPN) + 80
		if used+cost > teamsMentionBytes {
			break
		}
		used += cost
		entities = append(entities, e)
		who = append(who, e.Text)
	}
	return who, entities
}

// teamsButtons are the links that fit a Teams card.
func teamsButtons(v view) []link {
	var out []link
	for _, l := range v.buttons() {
		if jsonSize(l.url) <= teamsURLBytes {
			out = append(out, link{label: teamsText(l.label, TeamsTitleLimit, teamsButtonBytes), url: l.url})
		}
	}
	return out
}

func teamsPayload(v view) teamsMessage {
	title := cardElement{Type: "TextBlock", Text: teamsText(v.title, TeamsTitleLimit, teamsTitleBytes), Weight: "Bolder", Size: "Large", Wrap: true}
	body := []cardElement{{Type: "Container", Style: v.style.container, Bleed: true, Items: []cardElement{title}}}
	if v.headline != "" {
		headline := textBlock(v.headline, teamsHeadlineBytes)
		headline.Weight = "Bolder"
		body = append(body, headline)
	}
	who, entities := teamsMentions(v.mentions)
	if len(who) > 0 {
		body = append(body, cardElement{Type: "TextBlock", Text: strings.Join(who, " "), Wrap: true})
	}
	if v.observed != "" {
		body = append(body, textBlock(v.words.observed+": "+v.observed, teamsObservedBytes))
	}
	if v.trend != "" {
		trend := textBlock(v.words.trend+": "+v.trend, teamsTrendBytes)
		trend.FontType = "Monospace"
		body = append(body, trend)
	}
	if v.body != "" {
		body = append(body, textBlock(v.body, teamsBodyBytes))
	}
	if len(v.facts) > 0 {
		facts := make([]cardFact, len(v.facts))
		for i, f := range v.facts {
			facts[i] = cardFact{Title: teamsText(f.label, TeamsTitleLimit, teamsFactLabelBytes), Value: teamsText(f.value, TeamsFactLimit, teamsFactValueBytes)}
		}
		body = append(body, cardElement{Type: "FactSet", Facts: facts})
	}
	if v.description != "" {
		body = append(body, textBlock(v.description, teamsDescriptionBytes))
	}
	if v.reason != "" {
		reason := textBlock(v.reason, teamsReasonBytes)
		reason.Size, reason.IsSubtle = "Small", true
		body = append(body, reason)
	}
	card := newCard(body, entities)
	for _, l := range teamsButtons(v) {
		card.Actions = append(card.Actions, cardAction{Type: "Action.OpenUrl", Title: l.label, URL: l.url})
	}
	return teamsMessage{
		Type:        "message",
		Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}},
	}
}

// judgeWorkflows reads a Teams webhook's answer to an Adaptive Card. Workflows answer 202 with no
// body, but the same card posted to an Office 365 connector URL gets 200 with the connector's
// verdict as text: "1", or a failure such as "Webhook message delivery failed with error:
// Microsoft Teams endpoint returned HTTP error 429". A 2xx counts only when its body cannot be
// such a failure: empty, "1", or a JSON object or array. A JSON object with an "error" (Power
// Automate's {"error":{"code":"TriggerInputSchemaMismatch","message":…}}) is a failure whatever
// the status says.
func judgeWorkflows(r chat.Response) chat.Verdict {
	v := chat.ByStatus(r)
	if v.Means != chat.Delivered || r.Body == "" || r.Body == "1" {
		return v
	}
	if isJSONDocument(r.Body) {
		if code, failed := workflowsError(r.Body); failed {
			return chat.Verdict{Means: chat.Failed, Reason: fmt.Sprintf("Teams Workflows reported an error inside HTTP %d; not retried", r.Status), Detail: code}
		}
		return v
	}
	return connectorFailure(r)
}

// workflowsError reads the error a Power Automate answer carries: its code and message, and
// whether there is one (an "error" that is not null).
func workflowsError(body string) (string, bool) {
	var a struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal([]byte(body), &a) != nil || len(a.Error) == 0 || string(a.Error) == "null" {
		return "", false
	}
	var e struct{ Code, Message string }
	if json.Unmarshal(a.Error, &e) != nil || e.Code == "" {
		return strings.Trim(string(a.Error), `"`), true // an error given as text, or of some other shape
	}
	return strings.TrimSuffix(e.Code+": "+e.Message, ": "), true
}

// isJSONDocument: a JSON object or array, which no connector failure text is.
func isJSONDocument(s string) bool {
	return (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) && json.Valid([]byte(s))
}

// connectorStatus finds the status a Teams connector reports inside an HTTP 200 body.
var connectorStatus = regexp.MustCompile(`(?i)HTTP error (\d{3})`)

// connectorFailure is a Teams failure reported inside a 2xx: retryable when the status it names
// could pass later (408, 429, 5xx), else final.
func connectorFailure(r chat.Response) chat.Verdict {
	v := chat.Verdict{Means: chat.Failed, Reason: fmt.Sprintf("Teams connector reported a failure inside HTTP %d", r.Status), Detail: r.Body}
	if sub := connectorStatus.FindStringSubmatch(r.Body); sub != nil {
		code, _ := strconv.Atoi(sub[1])
		if code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500 {
			v.Means = chat.Retryable
			v.RetryAfter = chat.RetryAfter(r.Header.Get("Retry-After"), r.Now)
		}
	}
	return v
}
