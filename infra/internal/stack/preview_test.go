package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/build"
)

// TestPreviewRefuses: every configuration of issue 18 that passed preview and failed half-way
// through `up` (or deployed somewhere nobody chose) is refused by the program under the mocks,
// before it builds the relay or declares a resource, naming the key.
func TestPreviewRefuses(t *testing.T) {
	hooks := func(n int) string {
		var entries []string
		for i := range n {
			entries = append(entries, `{"name": "team`+string(rune('a'+i))+`", "webhook": "https://hooks.slack.com/services/T0/B0/SECRET`+string(rune('a'+i))+`"}`)
		}
		return "[" + strings.Join(entries, ", ") + "]"
	}
	tests := []struct {
		name   string
		config map[string]string
		secret string
		want   string
	}{
		{"Korean custom metric", map[string]string{"alarms": `[{"kind": "custom", "namespace": "App", "metric": "주문 지연", "dimensions": {"Service": "x"}, "statistic": "Sum", "threshold": 1, "operator": "GreaterThanThreshold"}]`},
			"webhookUrl", `alarms[0].metric: "주문 지연" holds characters outside ASCII`},
		{"blank dimension value", map[string]string{"alarms": `[{"kind": "custom", "namespace": "App", "metric": "Jobs", "dimensions": {"Service": " "}, "statistic": "Sum", "threshold": 1, "operator": "GreaterThanThreshold"}]`},
			"webhookUrl", `alarms[0].dimensions.Service: dimension "Service" = " "`},
		{"reservedConcurrency over 20 destinations", map[string]string{"webhookUrl": "", "destinations": hooks(20), "reservedConcurrency": "50"},
			"destinations", "reservedConcurrency: 50 is reserved for each relay function, and the stack makes 20 (one per destination): 1000 in all"},
		{"misspelt key", map[string]string{"latencyTresholdMs": "500"}, "webhookUrl", "latencyTresholdMs: unknown key (did you mean latencyThresholdMs?)"},
		{"a path without --path", map[string]string{"destinations[0].name": "team"}, "webhookUrl", "destinations[0].name: is a key of its own: without --path"},
		{"no region", map[string]string{"aws:region": unset}, "webhookUrl", "aws:region: not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := false
			m, _, err := deployMocked(t, &mocks{}, project, stackName, devConfigWith(tt.config), []string{tt.secret}, func() (build.Artifact, error) {
				built = true
				return artifact()
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error shows a secret: %v", err)
			}
			if built || len(m.resources) > 0 || len(m.invokes) > 0 {
				t.Errorf("a refused stack built the relay (%v), declared %d resources or called %v", built, len(m.resources), m.invokes)
			}
		})
	}
}

// TestPlaintextBesideSecretDestination: `config set --path` with a plaintext and a secret
// destination makes the CLI mark all of destinations secret; the program reads the stack file
// (PULUMI_ROOT_DIRECTORY is how the CLI tells it the project's root) and refuses the plaintext one.
func TestPlaintextBesideSecretDestination(t *testing.T) {
	root := t.TempDir()
	file := "config:\n  aws:region: us-east-1\n  alarm-relay:destinations:\n" +
		"    - name: team\n      webhook:\n        secure: v1:AAAA\n" +
		"    - name: ops\n      webhook: https://contoso.webhook.office.com/webhookb2/opsSECRET\n"
	if err := os.WriteFile(filepath.Join(root, "Pulumi.dev.yaml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULUMI_ROOT_DIRECTORY", root)
	cfg := devConfigWith(map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `}, {"name": "ops", ` + opsHook + `}]`})
	m, _, err := deploy(t, cfg, []string{"destinations"}, artifact)
	want := "destinations[1].webhook: is stored in plain text in Pulumi.dev.yaml"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "destinations[0]") {
		t.Fatalf("err = %v\nwant only %q", err, want)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("the error shows the webhook: %v", err)
	}
	expect(t, "resources", len(m.resources), 0)
}

// TestReservedProjectParameters: a project named aws-monitoring gets parameters AWS accepts, and
// its relays' roles may read exactly those.
func TestReservedProjectParameters(t *testing.T) {
	cfg := devConfigWith(map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `}, {"name": "oncall", ` + oncallApp + `}]`})
	m, _, err := deployAs(t, "aws-monitoring", "dev", cfg, []string{"destinations"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"alarm-relay-team-webhook":       "/alarm-relay/projects/aws-monitoring/dev/team/webhook-url",
		"alarm-relay-oncall-slack-token": "/alarm-relay/projects/aws-monitoring/dev/oncall/slack-token",
	}
	for name, param := range want {
		expect(t, name, str(t, m.named(t, name).Inputs, "name"), param)
	}
	for _, dest := range []string{"team", "oncall"} {
		policy := m.named(t, "alarm-relay-"+dest+"-policy").Inputs["policy"].StringValue()
		if !strings.Contains(policy, "parameter"+want[map[string]string{"team": "alarm-relay-team-webhook", "oncall": "alarm-relay-oncall-slack-token"}[dest]]) {
			t.Errorf("%s's role does not read its parameter: %s", dest, policy)
		}
	}
}

// TestTwoStacksShareNoName: project alarm + stack relay-dev and project alarm-relay + stack dev
// (and more pairs that read alike), each with a Slack app and a webhook destination or the single
// webhook, declare no AWS name in common: a second `up` would fail "already exists" or take the
// first one's object over.
func TestTwoStacksShareNoName(t *testing.T) {
	pairs := [][2]string{{"alarm-relay", "dev"}, {"alarm", "relay-dev"}, {"alarm-relay-dev", "team"}, {"alarm-relay", "dev-team"}, {"aws-monitoring", "dev"}, {"alarm-relay", "projects"}}
	shapes := []struct {
		config map[string]string
		secret string
	}{
		{devConfig(), "webhookUrl"},
		{devConfigWith(map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `}, {"name": "oncall", ` + oncallApp + `}]`}), "destinations"},
	}
	owner := map[string]string{}
	for _, p := range pairs {
		for i, sh := range shapes {
			m, _, err := deployAs(t, p[0], p[1], sh.config, []string{sh.secret}, artifact)
			if err != nil {
				t.Fatal(err)
			}
			who := p[0] + "/" + p[1] + " shape " + string(rune('0'+i))
			seen := map[string]bool{}
			for _, r := range m.resources {
				v, ok := r.Inputs["name"]
				if !ok || !v.IsString() {
					continue
				}
				name := r.TypeToken + " " + v.StringValue()
				if seen[name] {
					continue
				}
				seen[name] = true
				if other, dup := owner[name]; dup && !strings.HasPrefix(other, p[0]+"/"+p[1]+" ") {
					t.Errorf("%s and %s both declare %s", other, who, name)
				}
				owner[name] = who
			}
		}
	}
	if len(owner) < len(pairs)*10 {
		t.Errorf("only %d names seen: the test checks little", len(owner))
	}
}

// TestRemindersDescribeOnlyTheirAlarms: the relay asks DescribeAlarms for metric alarms only
// (AlarmTypes MetricAlarm, the only string of that kind in cwalarms.go), the stack declares only
// metric alarms, and the role grants DescribeAlarms on the reminded alarms' ARNs, never "*":
// request and grant agree (composite alarms would need "*").
func TestRemindersDescribeOnlyTheirAlarms(t *testing.T) {
	types := awsCalls(t, filepath.Join("..", "..", "..", "function", "internal", "cwalarms", "cwalarms.go"), `^(MetricAlarm|CompositeAlarm)$`, "")
	expect(t, "alarm types the relay asks for", strings.Join(types, ","), "MetricAlarm")

	m := deployWith(t, map[string]string{"alarms": `[{"kind": "latency"}, {"kind": "errorRate"}]`, "remindEveryMinutes": "30"}, "webhookUrl")
	var arns []string
	for _, r := range m.resources {
		if strings.HasPrefix(r.TypeToken, "aws:cloudwatch/") && strings.HasSuffix(r.TypeToken, "Alarm") && r.TypeToken != "aws:cloudwatch/metricAlarm:MetricAlarm" {
			t.Errorf("the stack declares a %s, which the relay does not ask for", r.TypeToken)
		}
	}
	for _, name := range []string{"orders-api prod latency (alarm-relay/dev)", "orders-api prod 5XX error rate (alarm-relay/dev)"} {
		arns = append(arns, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"+name)
	}
	var policy policyDocument
	if err := json.Unmarshal([]byte(m.named(t, "alarm-relay-policy").Inputs["policy"].StringValue()), &policy); err != nil {
		t.Fatal(err)
	}
	for _, s := range policy.Statement {
		if slices.Contains(s.Action, "cloudwatch:DescribeAlarms") {
			got := stringList(s.Resource)
			slices.Sort(got)
			slices.Sort(arns)
			expect(t, "DescribeAlarms resources", strings.Join(got, "\n"), strings.Join(arns, "\n"))
			return
		}
	}
	t.Error("no DescribeAlarms grant")
}
