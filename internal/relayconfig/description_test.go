package relayconfig

import (
	"strings"
	"testing"
)

func TestRunbookTextReadsBackAsRunbook(t *testing.T) {
	description := "Latency is high. Managed by Pulumi stack alarm-relay/dev. " + RunbookText("https://wiki.example.com/runbooks/latency")
	at := strings.Index(description, "https://")
	if got := LinkKindBefore(description[:at]); got != RunbookLink {
		t.Errorf("LinkKindBefore(%q) = %v, want a runbook", description[:at], got)
	}
}

func TestLinkKindBefore(t *testing.T) {
	tests := []struct {
		before string
		want   LinkKind
	}{
		{"Runbook: ", RunbookLink},
		{"see the PLAYBOOK at ", RunbookLink},
		{"Owner: #team. Dashboard ", DashboardLink},
		{"", OtherLink},
		{"Details: ", OtherLink},
		{"runbook further back than the words just before this link: ", OtherLink}, // only the last 24 bytes count
		{"대시보드 runbook: ", RunbookLink},
	}
	for _, tt := range tests {
		if got := LinkKindBefore(tt.before); got != tt.want {
			t.Errorf("LinkKindBefore(%q) = %v, want %v", tt.before, got, tt.want)
		}
	}
}

func TestPercentLabel(t *testing.T) {
	label, ok := CutPercentLabel(PercentLabel("5XX error rate"))
	if !ok || label != "5XX error rate" {
		t.Errorf("CutPercentLabel(PercentLabel) = %q, %v", label, ok)
	}
	if label, ok := CutPercentLabel("Latency p99"); ok || label != "Latency p99" {
		t.Errorf("CutPercentLabel(no suffix) = %q, %v", label, ok)
	}
	if got := PercentLabel("5XX error rate"); got != "5XX error rate (%)" {
		t.Errorf("PercentLabel = %q: the relay and the deployed alarms read this form", got)
	}
}
