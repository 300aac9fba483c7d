package render

import "github.com/alarm-relay/alarm-relay/function/internal/chat"

// The legacy Office 365 connector takes a MessageCard.
type messageCard struct {
	Type            string        `json:"@type"`
	Context         string        `json:"@context"`
	ThemeColor      string        `json:"themeColor"`
	Summary         string        `json:"summary"`
	Title           string        `json:"title"`
	Text            string        `json:"text,omitempty"`
	Sections        []cardSection `json:"sections,omitempty"`
	PotentialAction []openURI     `json:"potentialAction,omitempty"`
}

type cardSection struct {
	ActivityTitle    string       `json:"activityTitle,omitempty"`
	ActivitySubtitle string       `json:"activitySubtitle,omitempty"`
	Facts            []legacyFact `json:"facts,omitempty"`
	Text             string       `json:"text,omitempty"`
	Markdown         bool         `json:"markdown"` // false: alarm text is shown as written
}

type legacyFact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type openURI struct {
	Type    string      `json:"@type"`
	Name    string      `json:"name"`
	Targets []uriTarget `json:"targets"`
}

type uriTarget struct {
	OS  string `json:"os"`
	URI string `json:"uri"`
}

func legacyPayload(v view) messageCard {
	card := messageCard{
		Type:       "MessageCard",
		Context:    "https://schema.org/extensions",
		ThemeColor: v.style.color,
		Summary:    teamsText(v.summary, TeamsTitleLimit, teamsTitleBytes),
		Title:      teamsText(v.title, TeamsTitleLimit, teamsTitleBytes),
		Text:       teamsText(v.body, TeamsTextLimit, teamsBodyBytes),
	}
	section := cardSection{ActivityTitle: teamsText(v.headline, TeamsTextLimit, teamsHeadlineBytes)}
	if v.observed != "" {
		section.ActivitySubtitle = teamsText(v.words.observed+": "+v.observed, TeamsTextLimit, teamsObservedBytes)
	}
	if v.trend != "" {
		section.Facts = append(section.Facts, legacyFact{Name: v.words.trend, Value: teamsText(v.trend, TeamsFactLimit, teamsTrendBytes)})
	}
	for _, f := range v.facts {
		section.Facts = append(section.Facts, legacyFact{Name: teamsText(f.label, TeamsTitleLimit, teamsFactLabelBytes), Value: teamsText(f.value, TeamsFactLimit, teamsFactValueBytes)})
	}
	section.Text = teamsText(joinNonEmpty("\n\n", v.description, v.reason), TeamsTextLimit, teamsDescriptionBytes+teamsReasonBytes)
	card.Sections = []cardSection{section}
	// Connector cards cannot mention anyone; mentions are for Slack and Workflows.
	for _, l := range teamsButtons(v) {
		card.PotentialAction = append(card.PotentialAction, openURI{Type: "OpenUri", Name: l.label, Targets: []uriTarget{{OS: "default", URI: l.url}}})
	}
	return card
}

// judgeConnector reads an Office 365 connector's answer: it says HTTP 200 even when Teams did not
// take the message, so only the body "1" is success.
func judgeConnector(r chat.Response) chat.Verdict {
	v := chat.ByStatus(r)
	if v.Means != chat.Delivered || r.Body == "1" {
		return v
	}
	return connectorFailure(r)
}
