// Package render turns a notification into the JSON a chat webhook accepts: Slack Block Kit, a
// Teams Adaptive Card (Workflows) or a legacy Office 365 connector MessageCard. It is pure: the
// time zone comes in through Options, and nothing here talks to the network. Every word a person
// reads is here, one file per language (words_en.go, words_ko.go): the alarm package gives facts.
package render

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

// Messenger is re-exported so that callers of Render need one import.
type Messenger = messenger.Messenger

// The supported messengers.
const (
	Slack       = messenger.Slack
	Teams       = messenger.Teams
	TeamsLegacy = messenger.TeamsLegacy
	SlackApp    = messenger.SlackApp // renders Slack's payload, posted through the Web API
)

// Messengers lists every payload format (SlackApp posts Slack's, so it is not repeated here).
var Messengers = []Messenger{Slack, Teams, TeamsLegacy}

// Options are the rendering choices: configuration, and what the relay found out for this one
// notification (the trend). Rendering stays pure: nothing here is fetched.
type Options struct {
	// Location is the time zone shown next to UTC; nil or UTC shows UTC only.
	Location *time.Location
	Language Language
	// Mentions are notified on ALARM only (see messenger.ParseMentions).
	Mentions []Mention
	// Trend is the alarm metric's recent values, oldest first; nil shows none.
	Trend []float64
}

// Render builds the webhook payload for one notification.
func Render(m Messenger, n alarm.Notification, opts Options) ([]byte, error) {
	p, err := Build(m, n, opts)
	if err != nil {
		return nil, err
	}
	return p.JSON()
}

// Build renders one notification without encoding it (Payload.JSON does, once).
func Build(m Messenger, n alarm.Notification, opts Options) (Payload, error) {
	v := newView(n, opts)
	var payload any
	switch m {
	case Slack, SlackApp:
		payload = slackPayload(v)
	case Teams:
		payload = teamsPayload(v)
	case TeamsLegacy:
		payload = legacyPayload(v)
	default:
		return Payload{}, fmt.Errorf("render: unknown messenger %q", m)
	}
	return Payload{value: payload, m: m, what: "payload for", name: n.Title()}, nil
}

// JudgeFor is the messenger's reading of its endpoint's answers, for delivery to ask.
func JudgeFor(m Messenger) (chat.Judge, error) {
	switch m {
	case Slack:
		return chat.JudgeFunc(judgeSlack), nil
	case Teams:
		return chat.JudgeFunc(judgeWorkflows), nil
	case TeamsLegacy:
		return chat.JudgeFunc(judgeConnector), nil
	case SlackApp:
		return chat.JudgeFunc(slackapi.Judge), nil
	}
	return nil, fmt.Errorf("render: unknown messenger %q", m)
}

// JudgeForWebhook is JudgeFor for a messenger posting to webhook: the answers are the endpoint's,
// whatever payload goes to it. An Office 365 connector URL, to which the teams messenger may post
// its Adaptive Card, answers as a connector does (only 200 "1" is delivered; a 202 or an empty
// 200 is not), so it gets the connector's judge. A Slack incoming webhook on Slack's own host
// delivers only with 200 "ok" (judgeSlackHook; webhook may carry the path's first segment, which
// tells a workflow webhook there, read leniently). Elsewhere (nil, an unknown host: a proxy, a local server,
// a Slack-compatible chat) the messenger's own judge reads the answers.
func JudgeForWebhook(m Messenger, webhook *url.URL) (chat.Judge, error) {
	judge, err := JudgeFor(m)
	if err != nil || webhook == nil {
		return judge, err
	}
	if endpoint, err := messenger.Detect(webhook); err == nil && endpoint == TeamsLegacy {
		return chat.JudgeFunc(judgeConnector), nil
	}
	if m == Slack && isSlackHook(webhook) { // Slack's own host says exactly "ok"; see judgeSlackHook
		return chat.JudgeFunc(judgeSlackHook), nil
	}
	return judge, nil
}

// style is how a state looks: an emoji that reads in any client, and a colour where one is shown.
type style struct {
	emoji     string
	color     string // hex, no '#'
	container string // Adaptive Card container style
}

var stateStyles = map[alarm.State]style{
	alarm.StateAlarm:            {"🔴", "E01E5A", "attention"},
	alarm.StateOK:               {"✅", "2EB67D", "good"},
	alarm.StateInsufficientData: {"⚪", "9AA0A6", "emphasis"},
}

var textStyle = style{"📣", "4A90D9", "accent"}

// fact is a labelled value shown in a grid (Slack fields, Teams FactSet).
type fact struct {
	label, value string
}

// view is what every messenger shows, in words, before any messenger's syntax or limits apply.
type view struct {
	words       *words
	links       []link    // from the description: runbook, dashboard
	mentions    []Mention // whom to notify (ALARM only)
	trend       string    // "▁▂▃▅▇█ 412 ms (min 120 ms · max 412 ms · threshold 300 ms)"
	style       style
	title       string // "🔴 ALARM: orders-api latency"
	headline    string // the condition, or the subject of a text message
	observed    string
	description string
	reason      string
	body        string // text messages only
	facts       []fact
	url         string
	summary     string // one line for notifications and screen readers
}

func newView(n alarm.Notification, opts Options) view {
	w := wordsFor(opts.Language)
	a := n.Alarm
	if a == nil {
		title := n.Subject
		if title == "" {
			title = w.notification
		}
		v := view{words: w, style: textStyle, title: textStyle.emoji + " " + title, body: n.Text}
		v.summary = v.title + ": " + firstLine(n.Text)
		if !n.Published.IsZero() {
			v.facts = append(v.facts, timeFacts(w, n.Published, opts.Location)...)
		}
		return v
	}
	st := stateStyle(a.State)
	v := view{
		words:       w,
		style:       st,
		title:       fmt.Sprintf("%s %s: %s", st.emoji, stateWord(w, a.State), a.Name),
		headline:    w.condition(a),
		observed:    ObservedValue(a),
		description: a.Description,
		reason:      a.Reason,
		url:         a.ConsoleURL,
		links:       findLinks(w, a.Description),
		trend:       trendText(w, opts.Trend, a),
	}
	switch {
	case a.ExpectedMax != nil && v.observed != "":
		v.observed += " (" + fmt.Sprintf(w.expectedAtMost, formatValue(*a.ExpectedMax, unitSuffix(a.Unit))) + ")"
	case a.ExpectedMin != nil && v.observed != "":
		v.observed += " (" + fmt.Sprintf(w.expectedAtLeast, formatValue(*a.ExpectedMin, unitSuffix(a.Unit))) + ")"
	}
	if a.State == alarm.StateAlarm {
		v.mentions = opts.Mentions
	}
	v.summary = v.title + " — " + v.headline
	if v.observed != "" {
		v.summary += " (" + w.observedInline + " " + v.observed + ")"
	}
	transition := stateWord(w, a.State)
	if a.PreviousState != "" {
		transition = stateWord(w, a.PreviousState) + " → " + transition
	}
	v.facts = append(v.facts, fact{w.state, transition})
	if a.API != "" {
		v.facts = append(v.facts, fact{w.api, a.API})
	}
	if a.Stage != "" {
		v.facts = append(v.facts, fact{w.stage, a.Stage})
	}
	if metric := metricName(a.Metric); metric != "" {
		v.facts = append(v.facts, fact{w.metric, metric})
	}
	var others []string // dimensions not already shown as API and Stage
	for _, d := range a.Dimensions {
		if d.Name != "ApiName" && d.Name != "ApiId" && d.Name != "Stage" {
			others = append(others, d.Name+": "+d.Value)
		}
	}
	if len(others) > 0 {
		v.facts = append(v.facts, fact{w.dimensions, strings.Join(others, ", ")})
	}
	if m := a.Measured; m != nil && m.Label != "" && m.Expression != "" {
		// A labelled series is named by its label; its expression is shown apart.
		v.facts = append(v.facts, fact{w.expression, m.Expression})
	}
	if len(a.Children) > 0 {
		v.facts = append(v.facts, fact{w.triggeredBy, children(a.Children)})
	}
	if !a.ChangedAt.IsZero() {
		v.facts = append(v.facts, timeFacts(w, a.ChangedAt, opts.Location)...)
	}
	if region := joinNonEmpty(" · ", a.Region, a.RegionName); region != "" {
		v.facts = append(v.facts, fact{w.region, region})
	}
	if a.AccountID != "" {
		v.facts = append(v.facts, fact{w.account, a.AccountID})
	}
	return v
}

// buttons are the links a message offers: the alarm in the CloudWatch console, then the
// description's runbook, dashboard and other links.
func (v view) buttons() []link {
	var out []link
	if v.url != "" && len(v.url) <= SlackURLLimit {
		out = append(out, link{v.words.openConsole, v.url})
	}
	return append(out, v.links...)
}

func stateWord(w *words, s alarm.State) string {
	if word, ok := w.states[s]; ok {
		return word
	}
	return string(s)
}

// timeFacts shows t in UTC and, when a zone is configured, in that zone too.
func timeFacts(w *words, t time.Time, loc *time.Location) []fact {
	const layout = "2006-01-02 15:04:05 MST"
	out := []fact{{fmt.Sprintf(w.time, "UTC"), t.UTC().Format(layout)}}
	if loc != nil && loc != time.UTC && loc.String() != "UTC" {
		out = append(out, fact{fmt.Sprintf(w.time, loc.String()), t.In(loc).Format(layout)})
	}
	return out
}

// children lists a composite alarm's triggering alarms: "orders-api 5xx rate (ALARM), …".
func children(cs []alarm.Child) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
		if c.State != "" {
			names[i] += " (" + string(c.State) + ")"
		}
	}
	return strings.Join(names, ", ")
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
