package stack

import (
	"strings"
	"testing"
)

// TestListOutputsAreLists: alarmNames, functionNames and logGroupNames are lists (JSON arrays in
// `pulumi stack output --json`), not comma-joined text; a parameter output says what it holds:
// webhookParameter a webhook's, slackTokenParameter a Slack app's token, whichever comes first.
func TestListOutputsAreLists(t *testing.T) {
	_, outputs, err := deploy(t, devConfigWith(map[string]string{"webhookUrl": "",
		"alarms":       `[{"kind": "latency"}, {"kind": "errorRate"}]`,
		"destinations": `[{"name": "oncall", ` + oncallApp + `}, {"name": "team", ` + teamHook + `}]`}), []string{"destinations"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string][]string{
		"alarmNames":    {"orders-api prod latency (alarm-relay/dev)", "orders-api prod 5XX error rate (alarm-relay/dev)"},
		"functionNames": {outputs["functionName"].value, "alarm-relay-dev-team-346d9a58-relay"},
		"logGroupNames": {outputs["logGroupName"].value, "/aws/lambda/alarm-relay-dev-team-346d9a58-relay"},
	}
	for name, want := range lists {
		got := outputs[name]
		if got.list == nil {
			t.Errorf("%s = %q: text, want a list", name, got.value)
			continue
		}
		expect(t, name, strings.Join(got.list, "\n"), strings.Join(want, "\n"))
	}
	expect(t, "slackTokenParameter", outputs["slackTokenParameter"].value, "/alarm-relay/dev/oncall/slack-token")
	expect(t, "webhookParameter", outputs["webhookParameter"].value, "/alarm-relay/dev/team/webhook-url")
	expect(t, "region", outputs["region"].value, "us-east-1")

	// A stack of one Slack app has no webhook: no webhookParameter naming its token.
	_, outputs, err = deploy(t, devConfigWith(map[string]string{"webhookUrl": "", "destinations": `[{"name": "oncall", ` + oncallApp + `}]`}), []string{"destinations"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := outputs["webhookParameter"]; ok {
		t.Errorf("webhookParameter = %q on a stack without webhooks", v.value)
	}
	expect(t, "slackTokenParameter", outputs["slackTokenParameter"].value, "/alarm-relay/dev/oncall/slack-token")
}
