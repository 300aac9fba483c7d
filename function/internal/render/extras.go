package render

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// link is a button next to "Open in CloudWatch": a runbook, a dashboard, another page.
type link struct {
	label, url string
}

// maxLinks bounds the buttons taken from a description.
const maxLinks = 3

var urlInText = regexp.MustCompile(`https?://[^\s<>"'|]+`)

// findLinks takes http(s) links from an alarm description and names each by the word before it
// ("Runbook: https://...", "dashboard https://..."); the stack's runbook setting writes them so
// (relayconfig.RunbookText).
func findLinks(w *words, description string) []link {
	var out []link
	seen := map[string]bool{}
	for _, loc := range urlInText.FindAllStringIndex(description, -1) {
		u := strings.TrimRight(description[loc[0]:loc[1]], ".,;:!?)]}")
		if seen[u] || len(u) > SlackURLLimit {
			continue
		}
		seen[u] = true
		label := w.link
		switch relayconfig.LinkKindBefore(description[:loc[0]]) {
		case relayconfig.RunbookLink:
			label = w.runbook
		case relayconfig.DashboardLink:
			label = w.dashboard
		}
		out = append(out, link{label, u})
		if len(out) == maxLinks {
			break
		}
	}
	return out
}

// Mention is someone to notify on ALARM (see messenger.ParseMentions).
type Mention = messenger.Mention

// sparkBlocks are the eight heights of a text sparkline.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkWidth is the most characters a sparkline takes: an hour of 10-second periods (360 values)
// is drawn in this many, so the line and its numbers always fit.
const sparkWidth = 30

// trendText words the recent values: "▁▂▂▃▅▇█ 412 ms (min 120 ms · max 412 ms · threshold 300 ms)".
// The scale includes the threshold, so a line below it stays low.
func trendText(w *words, values []float64, a *alarm.Alarm) string {
	var finite []float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) == 0 {
		return ""
	}
	lo, hi := finite[0], finite[0]
	for _, v := range finite {
		lo, hi = min(lo, v), max(hi, v)
	}
	scaleLo, scaleHi := lo, hi
	if a.Threshold != nil {
		scaleLo, scaleHi = min(scaleLo, *a.Threshold), max(scaleHi, *a.Threshold)
	}
	var b strings.Builder
	// An alarm that fires on low values ("< 10") is drawn by its dips.
	low := strings.HasPrefix(symbol(a.Operator), "<")
	for _, v := range downsample(finite, sparkWidth, low) {
		i := len(sparkBlocks) - 1
		if scaleHi > scaleLo {
			i = int((v - scaleLo) / (scaleHi - scaleLo) * float64(len(sparkBlocks)-1))
		}
		b.WriteRune(sparkBlocks[min(max(i, 0), len(sparkBlocks)-1)])
	}
	unit := unitSuffix(a.Unit)
	number := func(v float64) string { return formatValue(v, unit) }
	fmt.Fprintf(&b, " %s (%s %s · %s %s", number(finite[len(finite)-1]), w.trendMin, number(lo), w.trendMax, number(hi))
	if a.Threshold != nil {
		fmt.Fprintf(&b, " · %s %s", w.trendThreshold, number(*a.Threshold))
	}
	b.WriteString(")")
	return b.String()
}

// downsample draws values in at most width points. Each point stands for a run of neighbours and
// takes the one an on-call person looks for: the highest, or the lowest when the alarm fires on low
// values, so a short spike is never averaged away.
func downsample(values []float64, width int, low bool) []float64 {
	if len(values) <= width {
		return values
	}
	out := make([]float64, width)
	for i := range out {
		run := values[i*len(values)/width : (i+1)*len(values)/width]
		pick := run[0]
		for _, v := range run[1:] {
			if low {
				pick = min(pick, v)
			} else {
				pick = max(pick, v)
			}
		}
		out[i] = pick
	}
	return out
}
