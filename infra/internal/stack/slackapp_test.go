package stack

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

const (
	slackToken = "xoxb-test-oncall-SECRETslackTOKEN"
	// slackAppDestination is a Slack app destination entry, reminded every 60 minutes.
	slackAppDestination = `{"name": "oncall", "slackToken": "` + slackToken + `", "slackChannel": "C0123ABCDEF", "remindEveryMinutes": 60}`
)

// mixedDestinations: a webhook reminded of its one alarm every 30 minutes, a Slack app reminded of
// all alarms every 60, and a Slack app for the latency alarm without reminders.
const mixedDestinations = `[
  {"name": "team", "webhook": "https://hooks.slack.com/services/T0/B0/teamSECRET", "alarms": ["orders-api-prod-5xx-error-rate"], "remindEveryMinutes": 30},
  ` + slackAppDestination + `,
  {"name": "leads", "slackToken": "xoxb-2-SECRETleads", "slackChannel": "G0123ABCD", "alarms": ["orders-api-prod-latency"], "language": "ko"}
]`

func deployMixed(t *testing.T) (*mocks, map[string]awaited) {
	t.Helper()
	cfg := devConfig()
	delete(cfg, "webhookUrl")
	cfg["alarms"] = `[{"kind":"latency"},{"kind":"errorRate"}]`
	cfg["destinations"] = mixedDestinations
	m, outputs, err := deploy(t, cfg, []string{"destinations"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	return m, outputs
}

const (
	latencyArn   = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)"
	errorRateArn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod 5XX error rate (alarm-relay/dev)"
	tableArn     = "arn:aws:dynamodb:us-east-1:123456789012:table/alarm-relay-dev-incidents"
)

func TestSlackAppStack(t *testing.T) {
	m, outputs := deployMixed(t)

	t.Run("incident table", func(t *testing.T) {
		table := m.one(t, "aws:dynamodb/table:Table")
		expect(t, "resource name", table.Name, "alarm-relay-incidents")
		in := table.Inputs
		expect(t, "name", str(t, in, "name"), "alarm-relay-dev-incidents")
		expect(t, "billing", str(t, in, "billingMode"), "PAY_PER_REQUEST")
		expect(t, "hash key", str(t, in, "hashKey"), relayconfig.IncidentHashKey)
		expect(t, "range key", str(t, in, "rangeKey"), relayconfig.IncidentRangeKey)
		expect(t, "hash key", relayconfig.IncidentHashKey, "alarmArn")
		expect(t, "range key", relayconfig.IncidentRangeKey, "destination")
		var attrs []string
		for _, a := range in["attributes"].ArrayValue() {
			attrs = append(attrs, a.ObjectValue()["name"].StringValue()+" "+a.ObjectValue()["type"].StringValue())
		}
		expect(t, "attributes", strings.Join(attrs, ", "), "alarmArn S, destination S")
		ttl := object(t, in, "ttl")
		expect(t, "TTL attribute", str(t, ttl, "attributeName"), "expiresAt")
		expect(t, "TTL on", ttl["enabled"].BoolValue(), true)
		sse := object(t, in, "serverSideEncryption")
		expect(t, "encrypted", sse["enabled"].BoolValue(), true)
		if _, ok := sse["kmsKeyArn"]; ok {
			t.Error("the table names a key of its own; the AWS-managed aws/dynamodb key needs no policy")
		}
		expect(t, "deletion protection", in["deletionProtectionEnabled"].BoolValue(), false)
		for _, forbidden := range []string{"pointInTimeRecovery", "readCapacity", "writeCapacity", "streamEnabled"} {
			if _, ok := in[resource.PropertyKey(forbidden)]; ok {
				t.Errorf("the table sets %s", forbidden)
			}
		}
		expect(t, "deleted by destroy (no retainOnDelete)", table.RegisterRPC.GetRetainOnDelete(), false)
		expect(t, "not protected", table.RegisterRPC.GetProtect(), false)
		expect(t, "tagged", str(t, object(t, in, "tags"), "alarm-relay:stack"), "dev")
		expect(t, "stateTable output", outputs["stateTable"].value, "alarm-relay-dev-incidents")
	})

	t.Run("token parameters", func(t *testing.T) {
		expect(t, "parameters", len(m.byType("aws:ssm/parameter:Parameter")), 3)
		for dest, token := range map[string]string{"oncall": slackToken, "leads": "xoxb-2-SECRETleads"} {
			p := m.named(t, "alarm-relay-"+dest+"-slack-token").Inputs
			expect(t, dest+" name", str(t, p, "name"), "/alarm-relay/dev/"+dest+"/slack-token")
			expect(t, dest+" type", str(t, p, "type"), "SecureString")
			if v := p["value"]; !v.IsSecret() || v.SecretValue().Element.StringValue() != token {
				t.Errorf("%s: parameter value is not the destination's token as a secret", dest)
			}
			if _, ok := m.find("alarm-relay-" + dest + "-webhook"); ok {
				t.Errorf("%s, a Slack app, has a webhook parameter", dest)
			}
		}
	})

	t.Run("environment", func(t *testing.T) {
		for _, tt := range []struct {
			dest string
			want map[string]string
		}{
			{"oncall", map[string]string{"MESSENGER": "slack-app", "SLACK_TOKEN_PARAMETER": "/alarm-relay/dev/oncall/slack-token:3", "SLACK_CHANNEL": "C0123ABCDEF",
				"STATE_TABLE": "alarm-relay-dev-incidents", "DESTINATION": "oncall", "TIMEZONE": "Asia/Seoul", "LANGUAGE": "en", "TREND": "on",
				"OVERFLOW_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-oncall-overflow"}},
			{"leads", map[string]string{"MESSENGER": "slack-app", "SLACK_TOKEN_PARAMETER": "/alarm-relay/dev/leads/slack-token:3", "SLACK_CHANNEL": "G0123ABCD",
				"STATE_TABLE": "alarm-relay-dev-incidents", "DESTINATION": "leads", "TIMEZONE": "Asia/Seoul", "LANGUAGE": "ko", "TREND": "on",
				"OVERFLOW_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-leads-overflow"}},
			{"team", map[string]string{"MESSENGER": "auto", "WEBHOOK_PARAMETER": "/alarm-relay/dev/team/webhook-url:3", "TIMEZONE": "Asia/Seoul", "LANGUAGE": "en", "TREND": "on",
				"OVERFLOW_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-team-overflow"}},
		} {
			env := object(t, object(t, m.named(t, "alarm-relay-"+tt.dest+"-function").Inputs, "environment"), "variables")
			got := map[string]string{}
			for k, v := range env {
				got[string(k)] = v.StringValue()
			}
			if len(got) != len(tt.want) {
				t.Errorf("%s: environment %v, want %v", tt.dest, got, tt.want)
			}
			for k, v := range tt.want {
				expect(t, tt.dest+" "+k, got[k], v)
			}
		}
		// What the relay reads back (relayconfig.FromEnv at its start-up): no problem, and each
		// destination's own values.
		for _, tt := range []struct {
			dest string
			want relayconfig.Config
		}{
			{"oncall", relayconfig.Config{Messenger: "slack-app", Timezone: "Asia/Seoul", Language: "en", Trend: true, SlackTokenParameter: "/alarm-relay/dev/oncall/slack-token:3",
				SlackChannel: "C0123ABCDEF", StateTable: "alarm-relay-dev-incidents", Destination: "oncall"}},
			{"team", relayconfig.Config{Messenger: "auto", Timezone: "Asia/Seoul", Language: "en", Trend: true, WebhookParameter: "/alarm-relay/dev/team/webhook-url:3"}},
		} {
			env := object(t, object(t, m.named(t, "alarm-relay-"+tt.dest+"-function").Inputs, "environment"), "variables")
			got, err := relayconfig.FromEnv(func(k string) string {
				if v, ok := env[resource.PropertyKey(k)]; ok {
					return v.StringValue()
				}
				return ""
			})
			if err != nil || got != tt.want {
				t.Errorf("%s: the relay reads %+v, %v; want %+v", tt.dest, got, err, tt.want)
			}
		}
	})

	t.Run("role policies", func(t *testing.T) {
		for _, tt := range []struct {
			dest string
			want []policyStatement
		}{
			{"oncall", []policyStatement{
				{Sid: "ReadSlackToken", Action: []string{"ssm:GetParameter"}, Resource: []any{"arn:aws:ssm:us-east-1:123456789012:parameter/alarm-relay/dev/oncall/slack-token"}},
				{Sid: "WriteOwnLogs", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []any{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + settings.FunctionName(project, stackName, "oncall") + ":*"}},
				{Sid: "DeadLetterFailedAlerts", Action: []string{"sqs:SendMessage"}, Resource: []any{"arn:aws:sqs:us-east-1:123456789012:alarm-relay-oncall-dead-letters"}},
				{Sid: "ReadAlarmTrend", Action: []string{"cloudwatch:GetMetricData"}, Resource: []any{"*"}},
				{Sid: "KeepIncidents", Action: []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, Resource: []any{tableArn}},
				{Sid: "DescribeOwnAlarms", Action: []string{"cloudwatch:DescribeAlarms"}, Resource: []any{latencyArn, errorRateArn}},
			}},
			{"leads", []policyStatement{
				{Sid: "ReadSlackToken", Action: []string{"ssm:GetParameter"}, Resource: []any{"arn:aws:ssm:us-east-1:123456789012:parameter/alarm-relay/dev/leads/slack-token"}},
				{Sid: "WriteOwnLogs", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []any{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + settings.FunctionName(project, stackName, "leads") + ":*"}},
				{Sid: "DeadLetterFailedAlerts", Action: []string{"sqs:SendMessage"}, Resource: []any{"arn:aws:sqs:us-east-1:123456789012:alarm-relay-leads-dead-letters"}},
				{Sid: "ReadAlarmTrend", Action: []string{"cloudwatch:GetMetricData"}, Resource: []any{"*"}},
				{Sid: "KeepIncidents", Action: []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, Resource: []any{tableArn}},
			}},
			{"team", []policyStatement{
				{Sid: "ReadWebhookParameter", Action: []string{"ssm:GetParameter"}, Resource: []any{"arn:aws:ssm:us-east-1:123456789012:parameter/alarm-relay/dev/team/webhook-url"}},
				{Sid: "WriteOwnLogs", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []any{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + settings.FunctionName(project, stackName, "team") + ":*"}},
				{Sid: "DeadLetterFailedAlerts", Action: []string{"sqs:SendMessage"}, Resource: []any{"arn:aws:sqs:us-east-1:123456789012:alarm-relay-team-dead-letters"}},
				{Sid: "ReadAlarmTrend", Action: []string{"cloudwatch:GetMetricData"}, Resource: []any{"*"}},
				{Sid: "DescribeOwnAlarms", Action: []string{"cloudwatch:DescribeAlarms"}, Resource: []any{errorRateArn}},
			}},
		} {
			var doc policyDocument
			if err := json.Unmarshal([]byte(str(t, m.named(t, "alarm-relay-"+tt.dest+"-policy").Inputs, "policy")), &doc); err != nil {
				t.Fatal(err)
			}
			expect(t, tt.dest+" statements", len(doc.Statement), len(tt.want))
			for i := range min(len(doc.Statement), len(tt.want)) {
				got, want := doc.Statement[i], tt.want[i]
				if got.Sid != want.Sid || got.Effect != "Allow" || !slices.Equal(got.Action, want.Action) || !slices.Equal(got.Resource.([]any), want.Resource.([]any)) {
					t.Errorf("%s statement %d = %+v, want %+v", tt.dest, i, got, want)
				}
			}
		}
		expect(t, "slack-app role description", str(t, m.named(t, "alarm-relay-oncall-role").Inputs, "description"),
			"Alarm relay function: read its Slack token parameter, keep its incidents, write its logs, dead-letter failed alerts.")
	})

	t.Run("reminders", func(t *testing.T) {
		expect(t, "rules", len(m.byType("aws:cloudwatch/eventRule:EventRule")), 2)
		expect(t, "targets", len(m.byType("aws:cloudwatch/eventTarget:EventTarget")), 2)
		for _, tt := range []struct {
			dest, schedule, input string
		}{
			{"oncall", "rate(60 minutes)", `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["` + latencyArn + `","` + errorRateArn + `"]}`},
			{"team", "rate(30 minutes)", `{"alarmRelay":"remind","everyMinutes":30,"alarmArns":["` + errorRateArn + `"]}`},
		} {
			prefix := "alarm-relay-" + tt.dest + "-"
			fn := settings.FunctionName(project, stackName, tt.dest)
			rule := m.named(t, prefix+"reminders").Inputs
			expect(t, tt.dest+" schedule", str(t, rule, "scheduleExpression"), tt.schedule)
			if _, named := rule["name"]; named {
				t.Errorf("%s: the rule has a fixed name; Pulumi names it", tt.dest)
			}
			expect(t, tt.dest+" rule description", str(t, rule, "description"),
				"Alarm relay "+tt.dest+" (alarm-relay/dev): remind of alarms still in ALARM every "+tt.schedule[5:len(tt.schedule)-9]+" minutes.")
			target := m.named(t, prefix+"reminders-target")
			expect(t, tt.dest+" target rule", str(t, target.Inputs, "rule"), prefix+"reminders")
			expect(t, tt.dest+" target", str(t, target.Inputs, "arn"), "arn:aws:lambda:us-east-1:123456789012:function:"+fn)
			expect(t, tt.dest+" input", str(t, target.Inputs, "input"), tt.input)
			dependsOn(t, target, prefix+"reminders-invoke")
			perm := m.named(t, prefix+"reminders-invoke").Inputs
			expect(t, tt.dest+" permission action", str(t, perm, "action"), "lambda:InvokeFunction")
			expect(t, tt.dest+" permission function", str(t, perm, "function"), fn)
			expect(t, tt.dest+" permission principal", str(t, perm, "principal"), "events.amazonaws.com")
			expect(t, tt.dest+" permission source", str(t, perm, "sourceArn"), "arn:aws:events:us-east-1:123456789012:rule/"+prefix+"reminders")
		}
		if _, ok := m.find("alarm-relay-leads-reminders"); ok {
			t.Error("leads has no reminders, but a schedule")
		}
	})

	t.Run("replay command", func(t *testing.T) {
		lines := strings.Split(outputs["replayCommands"].value, "\n")
		expect(t, "replay commands", len(lines), 3)
		oncall := lines[1]
		for _, want := range []string{"MESSENGER='slack-app' ", "SLACK_TOKEN_PARAMETER='/alarm-relay/dev/oncall/slack-token' ", "SLACK_CHANNEL='C0123ABCDEF' ",
			"STATE_TABLE='alarm-relay-dev-incidents' ", "DESTINATION='oncall' ", "alarm-relay-oncall-dead-letters' )"} {
			if !strings.Contains(oncall, want) {
				t.Errorf("the oncall replay lacks %s: %s", want, oncall)
			}
		}
		if strings.Contains(oncall, "WEBHOOK_PARAMETER") {
			t.Errorf("the oncall replay names a webhook: %s", oncall)
		}
	})
}

// TestSlackTokenNeverInPlainText: a token is in its own parameter's value, as a secret, and
// nowhere else: not in any other input, not in an output.
func TestSlackTokenNeverInPlainText(t *testing.T) {
	m, outputs := deployMixed(t)
	for token, holder := range map[string]string{slackToken: "alarm-relay-oncall-slack-token", "SECRETleads": "alarm-relay-leads-slack-token", "teamSECRET": "alarm-relay-team-webhook"} {
		var holders []string
		for _, r := range m.resources {
			for _, plainText := range findString(resource.NewObjectProperty(r.Inputs), token, false) {
				if plainText {
					t.Errorf("%s carries a secret in plain text", r.Name)
				}
				holders = append(holders, r.Name)
			}
		}
		expect(t, "resources holding "+holder+"'s secret", strings.Join(holders, ","), holder)
	}
	for name, out := range outputs {
		if strings.Contains(out.value, "SECRET") || strings.Contains(out.value, "xoxb-") || out.secret {
			t.Errorf("output %s is secret or shows a token: %q", name, out.value)
		}
	}
}

// TestNoSlackAppNoTable: webhook destinations, with or without reminders, get no table and no
// table output; reminders alone add only their schedule, its permission and DescribeAlarms.
func TestNoSlackAppNoTable(t *testing.T) {
	m, outputs := deployDev(t, map[string]string{"remindEveryMinutes": "15"})
	if n := len(m.byType("aws:dynamodb/table:Table")); n != 0 {
		t.Errorf("%d tables without a Slack app", n)
	}
	if _, ok := outputs["stateTable"]; ok {
		t.Error("stateTable output without a table")
	}
	expect(t, "schedule", str(t, m.named(t, "alarm-relay-reminders").Inputs, "scheduleExpression"), "rate(15 minutes)")
	expect(t, "input", str(t, m.named(t, "alarm-relay-reminders-target").Inputs, "input"),
		`{"alarmRelay":"remind","everyMinutes":15,"alarmArns":["`+latencyArn+`"]}`)
	policy := str(t, m.named(t, "alarm-relay-policy").Inputs, "policy")
	if !strings.Contains(policy, `{"Sid":"DescribeOwnAlarms","Effect":"Allow","Action":["cloudwatch:DescribeAlarms"],"Resource":["`+latencyArn+`"]}`) || strings.Contains(policy, "dynamodb") {
		t.Errorf("policy: %s", policy)
	}
	env := object(t, object(t, m.one(t, "aws:lambda/function:Function").Inputs, "environment"), "variables")
	for _, k := range []string{"STATE_TABLE", "DESTINATION", "SLACK_CHANNEL", "SLACK_TOKEN_PARAMETER"} {
		if _, ok := env[resource.PropertyKey(k)]; ok {
			t.Errorf("a webhook relay gets %s", k)
		}
	}

	base, _ := deployDev(t, nil)
	expect(t, "resources added by reminders", len(m.resources)-len(base.resources), 3)
	for _, r := range base.resources {
		after, ok := m.find(r.Name)
		if !ok {
			t.Errorf("reminders removed %s", r.Name)
		} else if r.Name != "alarm-relay-policy" && !after.Inputs.DeepEquals(r.Inputs) {
			t.Errorf("reminders changed %s:\n%s", r.Name, inputDiff(r.Inputs, after.Inputs))
		}
	}
}

func TestRate(t *testing.T) {
	for n, want := range map[int]string{1: "rate(1 minute)", 5: "rate(5 minutes)", 60: "rate(60 minutes)", 1440: "rate(1440 minutes)"} {
		expect(t, "Rate", Rate(n), want)
	}
}

// TestRolePolicyLimit: a role policy over IAM's 10,240 characters fails `pulumi up` with the
// reason, rather than at AWS halfway through.
func TestRolePolicyLimit(t *testing.T) {
	g := Grants{Parameter: "arn:aws:ssm:us-east-1:123456789012:parameter/p", LogGroup: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f",
		Queue: "arn:aws:sqs:us-east-1:123456789012:q", SlackApp: true, StateTable: tableArn}
	for i := range 40 {
		g.Alarms = append(g.Alarms, latencyArn+strings.Repeat("x", i))
	}
	if _, err := RolePolicy(g); err != nil {
		t.Fatalf("40 alarms: %v", err)
	}
	for range 60 {
		g.Alarms = append(g.Alarms, latencyArn+strings.Repeat(" 지연", 40))
	}
	if _, err := RolePolicy(g); err == nil || !strings.Contains(err.Error(), "IAM takes 10240 per role: the reminders list 100 alarms") {
		t.Errorf("RolePolicy of 100 long alarm ARNs: %v", err)
	}
}

// TestAlarmResourcePatterns: an alarm ARN becomes an IAM resource that matches that alarm and,
// where its name allows, no other: IAM's wildcards and policy variables are escaped, and each run
// of characters PutRolePolicy refuses (above U+00FF) becomes *.
func TestAlarmResourcePatterns(t *testing.T) {
	const arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
	for _, tt := range []struct {
		name, want string
		others     []string // alarm names the pattern must not match
	}{
		{"orders-api prod latency (alarm-relay/dev)", "orders-api prod latency (alarm-relay/dev)", []string{"orders-api prod latency (alarm-relay/prod)"}},
		{"checkout * latency (alarm-relay/dev)", "checkout ${*} latency (alarm-relay/dev)", []string{"checkout p99 latency (alarm-relay/dev)"}},
		{"up? (alarm-relay/dev)", "up${?} (alarm-relay/dev)", []string{"upx (alarm-relay/dev)"}},
		{"cost ${aws:username} (alarm-relay/dev)", "cost ${$}{aws:username} (alarm-relay/dev)", nil},
		{"café latency (alarm-relay/dev)", "café latency (alarm-relay/dev)", nil}, // Latin-1 is allowed
		{"주문 API 지연 (alarm-relay/dev)", "* API * (alarm-relay/dev)", []string{"주문 API 지연 (alarm-relay/prod)", "orders latency (alarm-relay/dev)"}},
		{"🔥 checkout (alarm-relay/dev)", "* checkout (alarm-relay/dev)", []string{"checkout (alarm-relay/dev)x"}},
		{"주문*지연? (alarm-relay/dev)", "*${*}*${?} (alarm-relay/dev)", []string{"주문 지연? (alarm-relay/dev)"}},
	} {
		got := resourcePattern(arn + tt.name)
		expect(t, "pattern of "+tt.name, got, arn+tt.want)
		for _, r := range got {
			if r > 0xFF {
				t.Errorf("%s: the pattern holds %q, which PutRolePolicy refuses", tt.name, r)
			}
		}
		if !iamMatches(got, arn+tt.name) {
			t.Errorf("%s: %s does not match the alarm", tt.name, got)
		}
		for _, other := range tt.others {
			if iamMatches(got, arn+other) {
				t.Errorf("%s: %s also matches %s", tt.name, got, other)
			}
		}
	}
}

// iamMatches matches an ARN against an IAM resource pattern: * any characters, ? one, and ${*},
// ${?}, ${$} the literal characters.
func iamMatches(pattern, arn string) bool {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); {
		switch {
		case strings.HasPrefix(pattern[i:], "${") && len(pattern) >= i+4 && pattern[i+3] == '}':
			re.WriteString(regexp.QuoteMeta(pattern[i+2 : i+3]))
			i += 4
		case pattern[i] == '*':
			re.WriteString(".*")
			i++
		case pattern[i] == '?':
			re.WriteString(".")
			i++
		default:
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
			i++
		}
	}
	return regexp.MustCompile(re.String() + "$").MatchString(arn)
}

// TestRolePolicyOfUnusualAlarmNames: a stack reminded of a Korean alarm, and of one with a * in its
// name, gets a role policy IAM accepts that describes those alarms only.
func TestRolePolicyOfUnusualAlarmNames(t *testing.T) {
	m := deployWith(t, map[string]string{
		"alarms":             `[{"kind": "latency", "name": "주문 API 지연"}, {"kind": "errorRate", "name": "checkout * errors"}]`,
		"remindEveryMinutes": "60",
	}, "webhookUrl")
	doc := m.named(t, "alarm-relay-policy").Inputs["policy"].StringValue()
	for _, r := range doc {
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF) {
			t.Fatalf("the role policy holds %q (U+%04X), which PutRolePolicy refuses: %s", r, r, doc)
		}
	}
	var policy policyDocument
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		t.Fatal(err)
	}
	for _, s := range policy.Statement {
		if s.Sid == "DescribeOwnAlarms" {
			expect(t, "alarms described", strings.Join(stringList(s.Resource), "\n"),
				"arn:aws:cloudwatch:us-east-1:123456789012:alarm:* API * (alarm-relay/dev)\n"+
					"arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout ${*} errors (alarm-relay/dev)")
			return
		}
	}
	t.Errorf("no DescribeOwnAlarms statement: %s", doc)
}

func stringList(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// TestGrantsMatchTheRelaysCalls reads the AWS calls the relay's incident store and alarm lister
// make (function/internal cannot be imported from here) and checks the role grants exactly those:
// a new call without its grant, or a grant nothing calls, fails here rather than in Lambda.
func TestGrantsMatchTheRelaysCalls(t *testing.T) {
	root := filepath.Join("..", "..", "..", "function", "internal")
	// CreateTable (with its UpdateTimeToLive) is for tests and local runs; the stack creates the table.
	dynamo := awsCalls(t, filepath.Join(root, "incident", "incident.go"), `^DynamoDB_20120810\.(\w+)$`, "CreateTable")
	cloudwatch := awsCalls(t, filepath.Join(root, "cwalarms", "cwalarms.go"), `^(DescribeAlarms)$`, "")
	g, err := RolePolicy(Grants{Parameter: "p", LogGroup: "l", Queue: "q", SlackApp: true, StateTable: "t", Alarms: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(g), &doc); err != nil {
		t.Fatal(err)
	}
	granted := map[string][]string{}
	for _, s := range doc.Statement {
		granted[s.Sid] = s.Action
	}
	sorted := func(s []string) string { return strings.Join(slices.Sorted(slices.Values(s)), ",") }
	expect(t, "incident store calls", sorted(prefixed("dynamodb:", dynamo)), sorted(granted["KeepIncidents"]))
	expect(t, "alarm lister calls", sorted(prefixed("cloudwatch:", cloudwatch)), sorted(granted["DescribeOwnAlarms"]))
}

// awsCalls lists, in order of first use, the first group of pattern over the string literals of a
// Go file, leaving out the function named skip.
func awsCalls(t *testing.T, path, pattern, skip string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(pattern)
	var out []string
	for _, decl := range f.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Name.Name == skip {
			continue
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			if m := re.FindStringSubmatch(s); m != nil && !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
			return true
		})
	}
	if len(out) == 0 {
		t.Fatalf("%s makes no call matching %s: has the relay moved it?", path, pattern)
	}
	return out
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// TestSlackAppStackSnapshot pins every resource, input and dependency of a stack that mixes a
// webhook and two Slack apps, with reminders: a change to what such a stack declares is a
// reviewed diff of testdata/slack-app-stack.golden.json (-update rewrites it).
func TestSlackAppStackSnapshot(t *testing.T) {
	m, _ := deployMixed(t)
	checkSnapshot(t, m, filepath.Join("testdata", "slack-app-stack.golden.json"))
}
