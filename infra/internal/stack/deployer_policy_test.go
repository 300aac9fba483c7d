package stack

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployerActions is what the deploying identity needs for each resource type and provider call
// the program declares: create, read (refresh), update, tag and delete, as the AWS provider makes
// them. A type missing here fails TestDeployerPolicy, so a new resource cannot ship without its
// permissions in infra/deployer-policy.json.
var deployerActions = map[string][]string{
	"pulumi:providers:aws":                          {"sts:GetCallerIdentity"}, // the provider checks its credentials
	"aws:index/getCallerIdentity:getCallerIdentity": {"sts:GetCallerIdentity"},
	"aws:index/getPartition:getPartition":           {},
	// checkApis: the API Gateway lookups at preview (GetRestApis, GetApi, GetApis are all GET).
	"aws:apigateway/getRestApi:getRestApi": {"apigateway:GET"},
	"aws:apigatewayv2/getApi:getApi":       {"apigateway:GET"},
	"aws:apigatewayv2/getApis:getApis":     {"apigateway:GET"},
	ComponentType:                          {},
	"aws:sns/topic:Topic": {"sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
		"sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource"},
	"aws:sns/topicSubscription:TopicSubscription": {"sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {"cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
		"cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"},
	"aws:cloudwatch/logGroup:LogGroup": {"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy",
		"logs:DeleteRetentionPolicy", "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource",
		"logs:ListTagsLogGroup", "logs:TagLogGroup", "logs:UntagLogGroup"}, // the older tag calls, still used for log groups
	"aws:iam/role:Role": {"iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
		"iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
		"iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"}, // deleting a role lists what hangs on it
	"aws:iam/rolePolicy:RolePolicy": {"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"},
	"aws:lambda/function:Function": {"iam:PassRole", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
		"lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
		"lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:PutFunctionConcurrency",
		"lambda:DeleteFunctionConcurrency", "lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"},
	"aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {"lambda:PutFunctionEventInvokeConfig",
		"lambda:UpdateFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig"},
	"aws:lambda/permission:Permission": {"lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"},
	// The overflow queue's mapping; its tags are the function's tag calls.
	"aws:lambda/eventSourceMapping:EventSourceMapping": {"lambda:CreateEventSourceMapping", "lambda:GetEventSourceMapping",
		"lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"},
	"aws:sqs/queue:Queue": {"sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes",
		"sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:TagQueue", "sqs:UntagQueue"},
	"aws:ssm/parameter:Parameter": {"ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters",
		"ssm:DeleteParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"},
	// The table's read also asks KMS for the aws/dynamodb key's ARN, and goes on without it.
	"aws:dynamodb/table:Table": {"dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable",
		"dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive", "dynamodb:DescribeContinuousBackups",
		"dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource"},
	"aws:cloudwatch/eventRule:EventRule": {"events:PutRule", "events:DescribeRule", "events:DeleteRule",
		"events:ListTagsForResource", "events:TagResource", "events:UntagResource"},
	"aws:cloudwatch/eventTarget:EventTarget": {"events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"},
	// The schedule passes its role to EventBridge Scheduler.
	"aws:scheduler/schedule:Schedule": {"iam:PassRole", "scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"},
	"aws:kms/key:Key": {"kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
		"kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:UpdateKeyDescription", "kms:ListResourceTags",
		"kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion"},
}

// recordingMocks also records the provider functions the program calls.
type recordingMocks struct {
	*mocks
	calls []string
}

func (m *recordingMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.calls = append(m.calls, args.Token)
	m.mu.Unlock()
	return m.mocks.Call(args)
}

// declaredTypes runs the program with every optional feature on (KMS-encrypted topic, ops
// e-mail, every alarm kind, two webhook destinations and a Slack app, reminders, reserved
// concurrency) and returns the resource types and provider calls it declares.
func declaredTypes(t *testing.T) []string {
	t.Helper()
	cfg := devConfig()
	delete(cfg, "webhookUrl")
	dests := strings.TrimSuffix(strings.TrimSpace(twoDestinations), "]") + ", " + slackAppDestination + "]"
	for k, v := range map[string]string{"alarms": alarmSet, "destinations": dests, "encryptTopic": "true",
		"alertEmail": "oncall@example.com", "reservedConcurrency": "5", "remindEveryMinutes": "60", "maintenanceWindows": sundayWindow} {
		cfg[k] = v
	}
	full := map[string]string{"aws:region": region}
	for k, v := range cfg {
		full[project+":"+k] = v
	}
	cfgJSON, _ := json.Marshal(full)
	t.Setenv(pulumi.EnvConfig, string(cfgJSON))
	t.Setenv(pulumi.EnvConfigSecretKeys, `["`+project+`:destinations"]`)
	m := &recordingMocks{mocks: &mocks{}}
	if err := pulumi.RunErr(func(ctx *pulumi.Context) error { _, err := DeployProgram(ctx, artifact); return err }, pulumi.WithMocks(project, stackName, m)); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"pulumi:providers:aws": true} // the default provider, which mocks do not see
	for _, r := range m.resources {
		seen[r.TypeToken] = true
	}
	for _, c := range m.calls {
		seen[c] = true
	}
	var types []string
	for typ := range seen {
		types = append(types, typ)
	}
	sort.Strings(types)
	return types
}

type deployerPolicy struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Action    []string
		Resource  string
		Condition map[string]map[string]any // a value, or a list of values
	}
}

// TestDeployerPolicy: infra/deployer-policy.json grants every action each declared resource type
// needs, and nothing no resource needs; iam:PassRole only towards Lambda.
func TestDeployerPolicy(t *testing.T) {
	data, err := os.ReadFile("../../deployer-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc deployerPolicy
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("infra/deployer-policy.json: %v", err)
	}
	expect(t, "Version", doc.Version, "2012-10-17")
	granted := map[string]string{} // action → Sid
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("statement %s: Effect %q", s.Sid, s.Effect)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("statement %s grants the wildcard %s; list the actions", s.Sid, a)
			}
			if other, dup := granted[a]; dup {
				t.Errorf("%s is granted twice (%s, %s)", a, other, s.Sid)
			}
			granted[a] = s.Sid
		}
		if slices.Contains(s.Action, "iam:PassRole") {
			// The relay's role goes to Lambda, the window schedules' role to EventBridge Scheduler.
			services, _ := json.Marshal(s.Condition["StringEquals"]["iam:PassedToService"])
			if len(s.Action) != 1 || string(services) != `["lambda.amazonaws.com","scheduler.amazonaws.com"]` {
				t.Errorf("iam:PassRole must stand alone, conditioned on iam:PassedToService lambda.amazonaws.com and scheduler.amazonaws.com: %+v", s)
			}
		}
	}

	needed := map[string]bool{}
	for _, typ := range declaredTypes(t) {
		actions, ok := deployerActions[typ]
		if !ok {
			t.Errorf("the program declares %s, which deployerActions does not list: add the actions it needs here and to infra/deployer-policy.json", typ)
			continue
		}
		for _, a := range actions {
			needed[a] = true
			if _, ok := granted[a]; !ok {
				t.Errorf("infra/deployer-policy.json lacks %s (needed for %s)", a, typ)
			}
		}
	}
	for a, sid := range granted {
		if !needed[a] {
			t.Errorf("infra/deployer-policy.json grants %s (statement %s), which no declared resource needs", a, sid)
		}
	}
}
