package settings

import (
	"fmt"
	"strings"
	"testing"
)

// TestParameterNames: AWS refuses parameter names that begin with aws or ssm (any case, a leading
// "/" not counting); such projects move under /alarm-relay/projects/, every other stack keeps its
// names.
func TestParameterNames(t *testing.T) {
	tests := []struct{ project, stack, destination, leaf, want string }{
		{"alarm-relay", "dev", "", "webhook-url", "/alarm-relay/dev/webhook-url"}, // unchanged
		{"alarm-relay", "dev", "team", "webhook-url", "/alarm-relay/dev/team/webhook-url"},
		{"alarm-relay", "dev", "oncall", "slack-token", "/alarm-relay/dev/oncall/slack-token"},
		{"monitoring-aws", "dev", "", "webhook-url", "/monitoring-aws/dev/webhook-url"}, // aws not at the start
		{"aws-monitoring", "dev", "", "webhook-url", "/alarm-relay/projects/aws-monitoring/dev/webhook-url"},
		{"AWSMonitoring", "prod", "team", "webhook-url", "/alarm-relay/projects/AWSMonitoring/prod/team/webhook-url"},
		{"ssm-tools", "dev", "oncall", "slack-token", "/alarm-relay/projects/ssm-tools/dev/oncall/slack-token"},
		{"SsM", "dev", "", "webhook-url", "/alarm-relay/projects/SsM/dev/webhook-url"},
		{"aws", "dev", "", "webhook-url", "/alarm-relay/projects/aws/dev/webhook-url"},
	}
	for _, tt := range tests {
		got := ParameterName(tt.project, tt.stack, tt.destination, tt.leaf)
		if got != tt.want {
			t.Errorf("ParameterName(%q, %q, %q) = %q, want %q", tt.project, tt.stack, tt.destination, got, tt.want)
		}
		if ssmReserved(got) {
			t.Errorf("%q is a name AWS reserves", got)
		}
	}
	for _, name := range []string{"/aws-x/a", "aws", "/AWS/x", "//ssm/x", "SSMx", "/Ssm-tools"} {
		if !ssmReserved(name) {
			t.Errorf("ssmReserved(%q) = false; AWS refuses it", name)
		}
	}
}

// names a (project, stack) pair gets, by kind.
func stackNames(project, stack string, destinations []string) map[string]string {
	out := map[string]string{
		"function":    FunctionName(project, stack, ""),
		"table":       StateTableName(project, stack),
		"webhook":     ParameterName(project, stack, "", "webhook-url"),
		"alarmSuffix": StackSuffix(project, stack),
	}
	for _, d := range destinations {
		out["function "+d] = FunctionName(project, stack, d)
		out["webhook "+d] = ParameterName(project, stack, d, "webhook-url")
		out["token "+d] = ParameterName(project, stack, d, "slack-token")
	}
	return out
}

// TestNamesOfTwoStacksNeverMeet: over pairs of (project, stack) that read alike — alarm +
// relay-dev and alarm-relay + dev, reserved projects and the parameter paths they move to — no
// two share any AWS name (function, log group, table, parameter, alarm suffix).
func TestNamesOfTwoStacksNeverMeet(t *testing.T) {
	projects := []string{"alarm", "alarm-relay", "alarm-relay-dev", "aws-monitoring", "alarm-relay.dev", "projects", "a"}
	stacks := []string{"dev", "relay-dev", "dev-team", "team", "aws-monitoring", "projects", "relay", "prod_eu", "prod.eu"}
	destinations := []string{"team", "dev", "aws-monitoring", "relay"}
	owner := map[string]string{}
	for _, p := range projects {
		for _, s := range stacks {
			for kind, name := range stackNames(p, s, destinations) {
				who := fmt.Sprintf("%s/%s %s", p, s, kind)
				if strings.HasPrefix(kind, "function") {
					name = "/aws/lambda/" + name // its log group; the function name is the same string
				}
				if other, dup := owner[name]; dup {
					t.Errorf("%s and %s are both %q", other, who, name)
				}
				owner[name] = who
			}
		}
	}
	// Names of stacks that could not collide stay as they were.
	for _, tt := range []struct{ got, want string }{
		{FunctionName("alarm-relay", "dev", ""), "alarm-relay-dev-relay"},
		{StateTableName("alarm-relay", "dev"), "alarm-relay-dev-incidents"},
		{FunctionName("alarm-relay", "prod", ""), "alarm-relay-prod-relay"},
		{FunctionName("alarm", "relay-dev", ""), "alarm-relay-dev-" + ShortHash("alarm", "relay-dev", "") + "-relay"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
