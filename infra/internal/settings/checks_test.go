package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreviewRefusesWhatAWSRefuses: each configuration passed Load before, and fails half-way
// through a real `pulumi up` (or deploys somewhere nobody chose); Load now names the key.
func TestPreviewRefusesWhatAWSRefuses(t *testing.T) {
	custom := func(fields string) map[string]string {
		return base(map[string]string{"alarms": `[{"kind":"custom","statistic":"Sum","threshold":1,"operator":"GreaterThanThreshold",` + fields + `}]`})
	}
	hooks := func(n int) string {
		var entries []string
		for i := range n {
			entries = append(entries, fmt.Sprintf(`{"name":"team%d","webhook":"%s"}`, i, slack))
		}
		return "[" + strings.Join(entries, ",") + "]"
	}
	withDestinations := func(n int, reserved string) map[string]string {
		return base(map[string]string{"webhookUrl": "", "destinations": hooks(n), "reservedConcurrency": reserved})
	}
	tests := []struct {
		name   string
		config map[string]string
		secret []string
		want   string // "" for accepted
	}{
		// 3. Custom metrics: ASCII, a non-blank dimension value, no ':' before a dimension name.
		{"Korean metric", custom(`"namespace":"App","metric":"주문 지연","dimensions":{"Service":"x"}`), []string{"webhookUrl"}, `alarms[0].metric: "주문 지연" holds characters outside ASCII`},
		{"Korean namespace", custom(`"namespace":"주문","metric":"Latency","dimensions":{"Service":"x"}`), []string{"webhookUrl"}, `alarms[0].namespace: "주문" holds characters outside ASCII`},
		{"Korean dimension value", custom(`"namespace":"App","metric":"Latency","dimensions":{"Service":"주문"}`), []string{"webhookUrl"}, `alarms[0].dimensions: dimension "Service" = "주문" holds characters outside ASCII`},
		{"blank dimension value", custom(`"namespace":"App","metric":"Latency","dimensions":{"Service":" "}`), []string{"webhookUrl"}, `alarms[0].dimensions.Service: dimension "Service" = " ": a dimension name and value need a character other than a space`},
		{"dimension name with ':'", custom(`"namespace":"App","metric":"Latency","dimensions":{":Service":"x"}`), []string{"webhookUrl"}, `alarms[0].dimensions.:Service: dimension name ":Service" starts with ':'`},
		{"ASCII custom metric", custom(`"namespace":"App","metric":"Latency","dimensions":{"Service":"a:b"}`), []string{"webhookUrl"}, ""},
		// 5. reservedConcurrency is per function: 20 destinations of 50 reserve 1000.
		{"50 for 20 destinations", withDestinations(20, "50"), []string{"destinations"}, "reservedConcurrency: 50 is reserved for each relay function, and the stack makes 20 (one per destination): 1000 in all. An account with Lambda's default quota (1000) must keep 100 unreserved, so all its functions together may reserve 900 at most: use 45 or less"},
		{"45 for 20 destinations", withDestinations(20, "45"), []string{"destinations"}, ""},
		{"901 for one", base(map[string]string{"reservedConcurrency": "901"}), []string{"webhookUrl"}, "reservedConcurrency: 901 is reserved for each relay function, and the stack makes 1 (one per destination): more than 900 in all"},
		{"900 for one", base(map[string]string{"reservedConcurrency": "900"}), []string{"webhookUrl"}, ""},
		{"a huge one", withDestinations(3, "9223372036854775807"), []string{"destinations"}, "reservedConcurrency: 9223372036854775807 is reserved for each relay function, and the stack makes 3"},
		// 7. Unknown keys of the project's namespace.
		{"misspelt key", base(map[string]string{"latencyTresholdMs": "500"}), []string{"webhookUrl"}, "latencyTresholdMs: unknown key (did you mean latencyThresholdMs?): the program would ignore it. Remove it (pulumi config rm latencyTresholdMs); the keys are alarms, alertEmail, apiId,"},
		{"a key far from any", base(map[string]string{"pagerduty": "x"}), []string{"webhookUrl"}, "pagerduty: unknown key: the program would ignore it"},
		{"a path set without --path", base(map[string]string{"destinations[0].name": "team"}), []string{"webhookUrl"}, `destinations[0].name: is a key of its own: without --path, pulumi config set stores "destinations[0].name" as one key. Remove it (pulumi config rm 'destinations[0].name') and set it again with --path`},
		{"another namespace", base(map[string]string{"aws:profile": "ops"}), []string{"webhookUrl"}, ""},
		// 9. The stack names its region.
		{"no region", base(map[string]string{"aws:region": unset}), []string{"webhookUrl"}, "aws:region: not set: the stack would deploy to whatever region the caller's AWS_REGION or profile names. Name the API's region: pulumi config set aws:region ap-northeast-2"},
		{"blank region", base(map[string]string{"aws:region": " "}), []string{"webhookUrl"}, "aws:region: not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				mustLoad(t, tt.config, tt.secret...)
				return
			}
			hasProblem(t, problemsOf(t, tt.config, tt.secret...), tt.want)
		})
	}
}

// TestRegionIsKept: the stack's region is in the settings (the stack names it in its outputs).
func TestRegionIsKept(t *testing.T) {
	s := mustLoad(t, base(map[string]string{"aws:region": "eu-west-1"}), "webhookUrl")
	if s.Region != "eu-west-1" || !s.CheckAPIs {
		t.Errorf("Region = %q, CheckAPIs = %v; want eu-west-1, true", s.Region, s.CheckAPIs)
	}
	if s := mustLoad(t, base(map[string]string{"checkApis": "false"}), "webhookUrl"); s.CheckAPIs {
		t.Error("checkApis false: CheckAPIs = true")
	}
}

// TestPlaintextSecretInStackFile: the CLI marks all of destinations secret when one field is
// (the program sees the key as secret), so a plaintext webhook beside a secret one shows only in
// Pulumi.<stack>.yaml. The files are as `pulumi config set [--secret] --path` writes them.
func TestPlaintextSecretInStackFile(t *testing.T) {
	mixed := `config:
  aws:region: ap-northeast-2
  alarm-relay:destinations:
    - name: team
      webhook:
        secure: v1:AAAABBBBCCCC
    - name: ops
      webhook: https://hooks.slack.com/services/T0/B0/SECRETtoken
    - name: oncall
      slackChannel: C0123ABCDEF
      slackToken: xoxb-test-settings-SECRETabcdefgh
`
	allSecret := `config:
  alarm-relay:destinations:
    - name: team
      webhook:
        secure: v1:AAAABBBBCCCC
    - name: oncall
      slackChannel: C0123ABCDEF
      slackToken:
        secure: v1:DDDD
`
	wholeSecret := `config:
  alarm-relay:destinations:
    secure: v1:EEEE
`
	unqualified := `config:
  destinations:
    - name: team
      webhook: https://hooks.slack.com/services/T0/B0/SECRETtoken
`
	plainWebhookURL := `config:
  alarm-relay:webhookUrl: https://hooks.slack.com/services/T0/B0/SECRETtoken
`
	destinations := destinationsOf(`{"name":"team","webhook":"`+slack+`"}`, `{"name":"ops","webhook":"`+slack+`"}`, slackAppEntry(nil))
	tests := []struct {
		name, file, stackConfigDir string
		config                     map[string]string
		secret                     string
		want                       []string
	}{
		{"plaintext beside secret", mixed, "", destinations, "destinations", []string{
			"destinations[1].webhook: is stored in plain text in Pulumi.dev.yaml (Pulumi marks all of destinations secret when any part of it is, so only the file tells): set it again with pulumi config set --secret --path 'destinations[1].webhook' ...",
			"destinations[2].slackToken: is stored in plain text in Pulumi.dev.yaml",
		}},
		{"in stackConfigDir", mixed, "stacks", destinations, "destinations", []string{"destinations[1].webhook: is stored in plain text in Pulumi.dev.yaml"}},
		{"key without its namespace", unqualified, "", destinationsOf(`{"name":"team","webhook":"` + slack + `"}`), "destinations", []string{"destinations[0].webhook: is stored in plain text in Pulumi.dev.yaml"}},
		{"every field secret", allSecret, "", destinations, "destinations", nil},
		{"the whole value secret", wholeSecret, "", destinations, "destinations", nil},
		{"webhookUrl in plain text, secret key", plainWebhookURL, "", base(nil), "webhookUrl", []string{"webhookUrl: is stored in plain text in Pulumi.dev.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := root
			if tt.stackConfigDir != "" {
				dir = filepath.Join(root, tt.stackConfigDir)
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "Pulumi.yaml"), []byte("name: alarm-relay\nstackConfigDir: "+tt.stackConfigDir+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PULUMI_ROOT_DIRECTORY", root) // what the CLI passes the program (pulumi.EnvPulumiRootDirectory)
			if len(tt.want) == 0 {
				mustLoad(t, tt.config, tt.secret)
				return
			}
			problems := problemsOf(t, tt.config, tt.secret)
			for _, want := range tt.want {
				hasProblem(t, problems, want)
			}
		})
	}
}
