package render

import (
	"strings"
	"unicode/utf8"
)

// slackDigest: the headline as the header (and the text fallback with the counts), then, in an
// attachment with the worst state's colour, one section per group (more when a group outgrows a
// section), each line "🔴 <console|name> · 412 ms · 19:01:02 KST".
func slackDigest(v digestView, shown []bool) slackMessage {
	top := []slackBlock{{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(v.headline, SlackHeaderLimit), Emoji: true}}}
	if who := slackMentionLine(v.mentions); who != "" {
		top = append(top, slackBlock{Type: "section", Text: mrkdwnText(who)})
	}
	var (
		details  []slackBlock
		section  strings.Builder
		sections int
		used     int // characters of lines, all sections together
		full     bool
	)
	flush := func() {
		if section.Len() > 0 {
			details = append(details, slackBlock{Type: "section", Text: mrkdwnText(section.String())})
			sections++
			section.Reset()
		}
	}
	for _, g := range v.groups {
		flush()
		heading := "*" + mrkdwn(v.heading(g), 100) + "*"
		for i, l := range g {
			line := slackDigestLine(v, l)
			if i == 0 {
				line = heading + "\n" + line
			}
			n := utf8.RuneCountInString(line) + 1
			if utf8.RuneCountInString(section.String())+n > SlackSectionLimit {
				flush()
				if i > 0 { // a group's next section repeats nothing: the lines read on
					line = slackDigestLine(v, l)
					n = utf8.RuneCountInString(line) + 1
				}
			}
			if full = sections >= digestSlackSections || used+n > digestSlackChars; full {
				break
			}
			if section.Len() > 0 {
				section.WriteByte('\n')
			}
			section.WriteString(line)
			used += n
			shown[l.index] = true
		}
		if full {
			break
		}
	}
	flush()
	if more := v.more(shown); more != "" {
		details = append(details, slackBlock{Type: "context", Elements: []slackElement{{Type: "mrkdwn", Text: mrkdwn(more, SlackSectionLimit)}}})
	}
	if v.listURL != "" {
		details = append(details, slackBlock{Type: "actions", Elements: []slackElement{{Type: "button", Text: slackText{Type: "plain_text", Text: truncate(v.dw.openList, SlackButtonTextLimit)}, URL: v.listURL}}})
	}
	return slackMessage{
		Text:        mrkdwn(v.summary, SlackTextLimit),
		Blocks:      top,
		Attachments: []slackAttachment{{Color: "#" + v.style.color, Blocks: details}},
	}
}

// slackDigestLine: the alarm's name links to it in the console; all user text is escaped. The
// link's URL is the alarm package's (encoded like encodeURIComponent), never user text; one
// holding link syntax is left out.
func slackDigestLine(v digestView, l digestLine) string {
	name := mrkdwn(l.name, digestNameChars)
	if l.url != "" && !strings.ContainsAny(l.url, "<>| \n") {
		name = "<" + l.url + "|" + name + ">"
	} else {
		name = "*" + name + "*"
	}
	line := l.emoji + " " + name
	if l.details != "" {
		line += " · " + mrkdwn(l.details, 2*digestValueChars+200)
	}
	return line
}

// slackMentionLine is the configured Slack mentions, whole ones only, as many as a section holds.
func slackMentionLine(mentions []Mention) string {
	var who []string
	used := 0
	for _, m := range mentions {
		if m.Slack != "" && used+len([]rune(m.Slack))+1 <= SlackSectionLimit {
			who = append(who, m.Slack)
			used += len([]rune(m.Slack)) + 1
		}
	}
	return strings.Join(who, " ")
}

// teamsDigestLines are the lines of each group that fit the Teams byte budget, as Teams markdown:
// "🔴 name · 412 ms · 19:01:02 KST · [Open](console)".
func teamsDigestLines(v digestView, shown []bool) (headings []string, groups [][]string) {
	used := 0
	for _, g := range v.groups {
		var lines []string
		for _, l := range g {
			line := l.emoji + " " + teamsText(l.name, digestNameChars, digestNameBytes)
			if l.details != "" {
				line += " · " + teamsText(l.details, 2*digestValueChars+200, 600)
			}
			if u := markdownURL(l.url); u != "" {
				line += " · [" + v.dw.open + "](" + u + ")"
			}
			n := jsonSize(line) + 4 // the "\n\n" between lines, encoded
			if used+n > digestTeamsLineBytes {
				break
			}
			used += n
			lines = append(lines, line)
			shown[l.index] = true
		}
		if len(lines) == 0 {
			break
		}
		headings = append(headings, v.heading(g))
		groups = append(groups, lines)
		if len(lines) < len(g) {
			break
		}
	}
	return headings, groups
}

// markdownURL is a console link as a markdown link target: its parentheses (which
// encodeURIComponent keeps, and alarm names such as "… (project/stack)" hold) percent-encoded, so
// that the link ends where it should; "" for a URL with characters no link target has.
func markdownURL(u string) string {
	if u == "" || strings.ContainsAny(u, " <>[]\n\"") {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29").Replace(u)
}

// teamsDigest is the Adaptive Card of a digest, in the Workflows envelope.
func teamsDigest(v digestView, shown []bool) teamsMessage {
	title := cardElement{Type: "TextBlock", Text: teamsText(v.headline, TeamsTitleLimit, teamsTitleBytes), Weight: "Bolder", Size: "Large", Wrap: true}
	body := []cardElement{{Type: "Container", Style: v.style.container, Bleed: true, Items: []cardElement{title}}}
	who, entities := teamsMentions(v.mentions)
	if len(who) > 0 {
		body = append(body, cardElement{Type: "TextBlock", Text: strings.Join(who, " "), Wrap: true})
	}
	headings, groups := teamsDigestLines(v, shown)
	for i, lines := range groups {
		body = append(body,
			cardElement{Type: "TextBlock", Text: headings[i], Weight: "Bolder", Wrap: true},
			cardElement{Type: "TextBlock", Text: strings.Join(lines, "\n\n"), Wrap: true})
	}
	if more := v.more(shown); more != "" {
		body = append(body, cardElement{Type: "TextBlock", Text: more, IsSubtle: true, Wrap: true})
	}
	card := newCard(body, entities)
	if v.listURL != "" {
		card.Actions = []cardAction{{Type: "Action.OpenUrl", Title: v.dw.openList, URL: v.listURL}}
	}
	return teamsMessage{Type: "message", Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}

// legacyDigest is the MessageCard of a digest for an Office 365 connector: a section per group,
// in markdown so that each line links to its alarm.
func legacyDigest(v digestView, shown []bool) messageCard {
	card := messageCard{
		Type:       "MessageCard",
		Context:    "https://schema.org/extensions",
		ThemeColor: v.style.color,
		Summary:    teamsText(v.summary, TeamsTitleLimit, teamsTitleBytes),
		Title:      teamsText(v.headline, TeamsTitleLimit, teamsTitleBytes),
	}
	headings, groups := teamsDigestLines(v, shown)
	for i, lines := range groups {
		card.Sections = append(card.Sections, cardSection{ActivityTitle: headings[i], Text: strings.Join(lines, "\n\n"), Markdown: true})
	}
	if more := v.more(shown); more != "" {
		card.Sections = append(card.Sections, cardSection{Text: more})
	}
	if v.listURL != "" {
		card.PotentialAction = []openURI{{Type: "OpenUri", Name: v.dw.openList, Targets: []uriTarget{{OS: "default", URI: v.listURL}}}}
	}
	return card
}
