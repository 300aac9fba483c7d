package render

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// A digest is one post standing for many alarm changes, as an alarm storm's overflow queue hands
// them over in a batch: a headline, then the alarms grouped by state, one line each. Lines that do
// not fit the messenger's limits are counted in an "and N more" line with a link to the alarm list.

// Digest is what one digest post shows.
type Digest struct {
	// Changes is how many alarm changes the digest stands for, older ones folded into an entry
	// included.
	Changes int
	// Entries are the alarms (and text notifications) to show, one each, with its newest change.
	Entries []DigestEntry
}

// DigestEntry is one line of a digest: the newest change of an alarm in the batch.
type DigestEntry struct {
	Notification alarm.Notification
	// Folded counts the older changes of the same alarm the batch held; Was is the state before
	// the oldest of them (or before this change, when none were folded).
	Folded int
	Was    alarm.State
}

// RenderedDigest is a digest's payload and which entries it shows: Shown[i] tells whether
// Digest.Entries[i] has its own line (the others are counted in "and N more").
type RenderedDigest struct {
	Payload []byte
	Shown   []bool
}

// Omitted is how many entries have no line of their own.
func (r RenderedDigest) Omitted() int {
	n := 0
	for _, s := range r.Shown {
		if !s {
			n++
		}
	}
	return n
}

// Budgets of a digest, on top of the single messages' per-text limits: every line and the whole
// payload stay within the limits single messages respect (Slack's blocks and sections, Teams'
// 28 KB), with room for the card around the lines.
const (
	digestSlackChars     = 30_000 // all lines together; Slack cuts a message beyond 40,000 characters
	digestSlackSections  = 40     // blocks for lines; the header, mentions, "more" and buttons take the rest of 50
	digestTeamsLineBytes = 21_000 // all lines together, encoded; the card, headings and mentions take the rest of 28 KB
	digestNameChars      = 255    // CloudWatch's own maximum alarm name
	digestNameBytes      = 800
	digestValueChars     = 80
	digestURLChars       = 1_000 // a longer console link is left out of the line (its name still shows)
)

// digestLine is one entry in words, before any messenger's syntax.
type digestLine struct {
	index   int // in Digest.Entries
	state   alarm.State
	emoji   string
	name    string
	url     string
	details string // "412 ms · 19:01:02 KST · was OK, 3 changes"
}

// digestView is a digest in words.
type digestView struct {
	words    *words
	dw       *digestWords
	headline string
	summary  string
	style    style
	groups   [][]digestLine // in digestOrder
	mentions []Mention      // when some alarm is in ALARM
	listURL  string         // the console's alarm list, for "and N more"
}

// digestOrder is the order of the groups: what needs someone first.
var digestOrder = []alarm.State{alarm.StateAlarm, alarm.StateInsufficientData, alarm.StateOK, ""}

func newDigestView(d Digest, opts Options) digestView {
	w, dw := wordsFor(opts.Language), digestWordsFor(opts.Language)
	v := digestView{words: w, dw: dw, style: stateStyles[alarm.StateOK]}
	changes := max(d.Changes, len(d.Entries))
	v.headline = "⚠️ " + fmt.Sprintf(dw.changes, changes)
	if scope := digestScope(d.Entries); scope != "" {
		v.headline += " — " + scope
	}
	byState := map[alarm.State][]digestLine{}
	for i, e := range d.Entries {
		l := newDigestLine(i, e, w, dw, opts.Location)
		group := l.state
		if _, known := stateStyles[group]; !known {
			group = "" // a state CloudWatch may add later is shown with the others, not left out
		}
		byState[group] = append(byState[group], l)
		if a := e.Notification.Alarm; a != nil && v.listURL == "" {
			v.listURL = alarmListURL(a.ConsoleURL)
		}
	}
	var counts []string
	for _, s := range digestOrder {
		lines := byState[s]
		if len(lines) == 0 {
			continue
		}
		// Newest first within a group; equal times keep the batch's order.
		slices.SortStableFunc(lines, func(a, b digestLine) int {
			return entryTime(d.Entries[b.index]).Compare(entryTime(d.Entries[a.index]))
		})
		v.groups = append(v.groups, lines)
		counts = append(counts, fmt.Sprintf("%d %s", len(lines), digestStateWord(w, dw, s)))
	}
	switch {
	case len(byState[alarm.StateAlarm]) > 0:
		v.style, v.mentions = stateStyles[alarm.StateAlarm], opts.Mentions
	case len(byState[alarm.StateInsufficientData]) > 0:
		v.style = stateStyles[alarm.StateInsufficientData]
	case len(byState[""]) > 0 && len(byState[alarm.StateOK]) == 0:
		v.style = textStyle
	}
	v.summary = v.headline + ": " + strings.Join(counts, ", ")
	return v
}

func newDigestLine(i int, e DigestEntry, w *words, dw *digestWords, loc *time.Location) digestLine {
	n := e.Notification
	a := n.Alarm
	if a == nil {
		l := digestLine{index: i, emoji: textStyle.emoji, name: n.Title()}
		var parts []string
		if text := firstLine(n.Text); text != "" && text != l.name {
			parts = append(parts, truncate(text, 200))
		}
		if !n.Published.IsZero() {
			parts = append(parts, digestTime(n.Published, loc))
		}
		l.details = strings.Join(parts, " · ")
		return l
	}
	l := digestLine{index: i, state: a.State, emoji: stateStyle(a.State).emoji, name: a.Name, url: a.ConsoleURL}
	if len(l.url) > digestURLChars {
		l.url = ""
	}
	var parts []string
	if v := ObservedValue(a); v != "" {
		parts = append(parts, truncate(v, digestValueChars))
	}
	if !a.ChangedAt.IsZero() {
		parts = append(parts, digestTime(a.ChangedAt, loc))
	}
	var history []string
	if e.Was != "" && e.Was != a.State {
		history = append(history, fmt.Sprintf(w.was, stateWord(w, e.Was)))
	}
	if e.Folded > 0 {
		history = append(history, fmt.Sprintf(dw.folded, e.Folded+1))
	}
	if len(history) > 0 {
		parts = append(parts, "("+strings.Join(history, ", ")+")")
	}
	l.details = strings.Join(parts, " · ")
	return l
}

// entryTime is when an entry's alarm changed, or its text was published.
func entryTime(e DigestEntry) time.Time {
	if a := e.Notification.Alarm; a != nil {
		return a.ChangedAt
	}
	return e.Notification.Published
}

// digestTime is a change's time of day in the configured zone (UTC by default): a storm's
// changes are minutes apart, and the date is the post's own.
func digestTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("15:04:05 MST")
}

func digestStateWord(w *words, dw *digestWords, s alarm.State) string {
	if s == "" {
		return dw.other
	}
	return stateWord(w, s)
}

// digestHeading is a group's heading: "🔴 ALARM · 12".
func (v digestView) heading(lines []digestLine) string {
	s := lines[0].state
	emoji := textStyle.emoji
	if st, known := stateStyles[s]; known {
		emoji = st.emoji
	} else {
		s = ""
	}
	return fmt.Sprintf("%s %s · %d", emoji, digestStateWord(v.words, v.dw, s), len(lines))
}

// digestScope names what the digest's alarms have in common: their API and the " (project/stack)"
// their names end with, "orders-api (alarm-relay/prod)"; "" when they share neither.
func digestScope(entries []DigestEntry) string {
	api, suffix, first := "", "", true
	for _, e := range entries {
		a := e.Notification.Alarm
		if a == nil {
			continue
		}
		s := ""
		if open := strings.LastIndex(a.Name, " ("); open >= 0 && strings.HasSuffix(a.Name, ")") {
			s = a.Name[open+1:]
		}
		if first {
			api, suffix, first = a.API, s, false
			continue
		}
		if a.API != api {
			api = ""
		}
		if s != suffix {
			suffix = ""
		}
	}
	return strings.TrimSpace(truncate(api, 100) + " " + truncate(suffix, 100))
}

// alarmListURL is the console's alarm list in the alarm's region: its deep link without the alarm.
func alarmListURL(consoleURL string) string {
	const anchor = "#alarmsV2:"
	i := strings.Index(consoleURL, anchor)
	if i < 0 || i+len(anchor) > digestURLChars {
		return ""
	}
	return consoleURL[:i+len(anchor)]
}

// RenderDigest builds one post showing d, within the messenger's limits. Entries that do not fit
// are left out, counted in an "and N more" line; RenderedDigest.Shown says which.
func RenderDigest(m Messenger, d Digest, opts Options) (RenderedDigest, error) {
	p, shown, err := BuildDigest(m, d, opts)
	if err != nil {
		return RenderedDigest{}, err
	}
	b, err := p.JSON()
	if err != nil {
		return RenderedDigest{}, err
	}
	return RenderedDigest{Payload: b, Shown: shown}, nil
}

// BuildDigest is RenderDigest before encoding: a Slack app edits its digest root with the typed
// message (Payload.Slack), which its Web API client encodes once.
func BuildDigest(m Messenger, d Digest, opts Options) (Payload, []bool, error) {
	if len(d.Entries) == 0 {
		return Payload{}, nil, fmt.Errorf("render digest: no entries")
	}
	v := newDigestView(d, opts)
	shown := make([]bool, len(d.Entries))
	var payload any
	switch m {
	case Slack, SlackApp:
		payload = slackDigest(v, shown)
	case Teams:
		payload = teamsDigest(v, shown)
	case TeamsLegacy:
		payload = legacyDigest(v, shown)
	default:
		return Payload{}, nil, fmt.Errorf("render digest: unknown messenger %q", m)
	}
	return Payload{value: payload, m: m, what: "digest of", name: fmt.Sprintf("%d entries", len(d.Entries))}, shown, nil
}

// more is the "and N more" text, "" when every entry is shown.
func (v digestView) more(shown []bool) string {
	n := 0
	for _, s := range shown {
		if !s {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(v.dw.more, n)
}
