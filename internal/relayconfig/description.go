package relayconfig

import "strings"

// The stack writes these conventions into alarm descriptions and metric labels; the relay reads
// them back. Both sides call the functions below, so the two cannot drift apart.

// RunbookText is how the stack writes an alarm's runbook into its description, last and never
// cut: "Runbook: <url>". The relay shows it as a Runbook button (see LinkKindBefore).
func RunbookText(url string) string { return "Runbook: " + url }

// LinkKind is what a link in an alarm description leads to, from the words just before it.
type LinkKind int

const (
	OtherLink LinkKind = iota
	RunbookLink
	DashboardLink
)

// linkContext is how many bytes before a link name it ("Runbook: ", "see the dashboard at ").
const linkContext = 24

// LinkKindBefore names a link by the text that precedes it in a description: "runbook" or
// "playbook" make it a runbook, "dashboard" a dashboard, in any case.
func LinkKindBefore(before string) LinkKind {
	near := strings.ToLower(before[max(0, len(before)-linkContext):])
	switch {
	case strings.Contains(near, "runbook") || strings.Contains(near, "playbook"):
		return RunbookLink
	case strings.Contains(near, "dashboard"):
		return DashboardLink
	}
	return OtherLink
}

// percentSuffix ends a metric label whose values are percentages ("5XX error rate (%)").
const percentSuffix = " (%)"

// PercentLabel is the label of a metric math expression whose values are percentages.
func PercentLabel(label string) string { return label + percentSuffix }

// CutPercentLabel tells whether label names a percentage, and returns it without the suffix.
func CutPercentLabel(label string) (string, bool) { return strings.CutSuffix(label, percentSuffix) }
