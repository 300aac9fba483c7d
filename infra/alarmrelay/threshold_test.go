package alarmrelay

import (
	"math"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestNonFiniteThresholdIsNamed: a NaN or infinite alarm threshold is a problem of that entry's
// Threshold, and the other problems of the alarms are still reported with it.
func TestNonFiniteThresholdIsNamed(t *testing.T) {
	invalid, _ := refusal(t, func(*pulumi.Context) (*Args, error) {
		return &Args{APIName: pulumi.String("orders-api"), WebhookURL: secretOf(hook), RelayZip: "/nonexistent/relay.zip",
			Alarms: []Alarm{{Kind: "latency", Threshold: ptr(math.NaN())}, {Kind: "errorRate", Threshold: ptr(math.Inf(1))}, {Kind: "latency", Statistic: "p101"}}}, nil
	})
	fields := map[string]bool{}
	for _, p := range invalid.Problems {
		fields[p.Field] = true
	}
	for _, want := range []string{"Alarms[0].Threshold", "Alarms[1].Threshold", "Alarms[2].Statistic"} {
		if !fields[want] {
			t.Errorf("no problem under %s:\n%v", want, invalid)
		}
	}
	if fields["Alarms"] {
		t.Errorf("a problem under Alarms as a whole:\n%v", invalid)
	}
}
