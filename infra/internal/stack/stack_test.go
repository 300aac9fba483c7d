package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"gopkg.in/yaml.v3"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

const (
	unset      = "<unset>" // a value that removes a key deploy would otherwise set
	project    = "alarm-relay"
	stackName  = "dev"
	webhookURL = "https://hooks.slack.com/services/T0SECRET/B0SECRET/webhookSECRETtoken"
	account    = "123456789012"
	region     = "us-east-1"
)

// mocks records every resource the program registers and answers with plausible computed outputs.
type mocks struct {
	mu        sync.Mutex
	resources []pulumi.MockResourceArgs
	// apis answers the API Gateway lookups; nil finds every API asked for.
	apis *apiWorld
	// invokes are the tokens of the data sources the program called.
	invokes []string
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.resources = append(m.resources, args)
	m.mu.Unlock()
	outs := args.Inputs.Copy()
	arn := func(service, rest string) {
		outs["arn"] = resource.NewStringProperty("arn:aws:" + service + ":" + region + ":" + account + ":" + rest)
	}
	name := args.Name
	if v, ok := args.Inputs["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	outs["name"] = resource.NewStringProperty(name)
	switch args.TypeToken {
	case "aws:sns/topic:Topic":
		arn("sns", name)
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		arn("cloudwatch", "alarm:"+name)
	case "aws:ssm/parameter:Parameter":
		arn("ssm", "parameter"+name)
		outs["version"] = resource.NewNumberProperty(3)
	case "aws:sqs/queue:Queue":
		arn("sqs", name)
		outs["url"] = resource.NewStringProperty("https://sqs." + region + ".amazonaws.com/" + account + "/" + name)
	case "aws:cloudwatch/logGroup:LogGroup":
		arn("logs", "log-group:"+name)
	case "aws:iam/role:Role":
		outs["arn"] = resource.NewStringProperty("arn:aws:iam::" + account + ":role/" + name)
	case "aws:lambda/function:Function":
		arn("lambda", "function:"+name)
	case "aws:kms/key:Key":
		arn("kms", "key/"+name)
	case "aws:dynamodb/table:Table":
		arn("dynamodb", "table/"+name)
	case "aws:cloudwatch/eventRule:EventRule":
		arn("events", "rule/"+name)
	}
	return name + "-id", outs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, args.Token)
	m.mu.Unlock()
	if strings.HasPrefix(args.Token, "aws:apigateway") {
		return m.apis.call(args)
	}
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{"accountId": account, "arn": "arn:aws:iam::" + account + ":user/ci", "userId": "AIDA"}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{"partition": "aws", "dnsSuffix": "amazonaws.com"}), nil
	}
	return nil, errors.New("unexpected call " + args.Token)
}

// byType returns the recorded resources of one type.
func (m *mocks) byType(token string) []pulumi.MockResourceArgs {
	var out []pulumi.MockResourceArgs
	for _, r := range m.resources {
		if r.TypeToken == token {
			out = append(out, r)
		}
	}
	return out
}

func (m *mocks) one(t *testing.T, token string) pulumi.MockResourceArgs {
	t.Helper()
	rs := m.byType(token)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), token)
	}
	return rs[0]
}

func (m *mocks) find(name string) (pulumi.MockResourceArgs, bool) {
	for _, r := range m.resources {
		if r.Name == name {
			return r, true
		}
	}
	return pulumi.MockResourceArgs{}, false
}

func (m *mocks) named(t *testing.T, name string) pulumi.MockResourceArgs {
	t.Helper()
	for _, r := range m.resources {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no resource named %s", name)
	return pulumi.MockResourceArgs{}
}

// awaited is a resolved stack output.
type awaited struct {
	value  string
	list   []string // a list output's items (value then joins them with ", ")
	secret bool
}

// artifact builds the real relay once for the whole test binary: the program under test builds
// from source, and the build itself is tested in internal/build. It comes from the build cache
// outside the module, so an unchanged `go test` rewrites nothing and can use its cached result.
var artifact = sync.OnceValues(func() (build.Artifact, error) {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		return build.Artifact{}, err
	}
	return build.Cached(ctx, root, "arm64")
})

// deploy runs the real program with mocks and the given stack config ("key": "value"; keys in
// secret are marked secret, as `pulumi config set --secret` does).
func deploy(t *testing.T, config map[string]string, secret []string, builder func() (build.Artifact, error)) (*mocks, map[string]awaited, error) {
	t.Helper()
	return deployAs(t, project, stackName, config, secret, builder)
}

// deployAs is deploy for another project and stack name.
func deployAs(t *testing.T, project, stackName string, config map[string]string, secret []string, builder func() (build.Artifact, error)) (*mocks, map[string]awaited, error) {
	t.Helper()
	return deployMocked(t, &mocks{}, project, stackName, config, secret, builder)
}

// deployMocked is deployAs with mocks of the test's own (the API lookups' answers).
func deployMocked(t *testing.T, m *mocks, project, stackName string, config map[string]string, secret []string, builder func() (build.Artifact, error)) (*mocks, map[string]awaited, error) {
	t.Helper()
	// Every stack names its region (settings refuses one without): a key with a namespace
	// ("aws:region") is taken as it is, unset removes it.
	full := map[string]string{"aws:region": region}
	for k, v := range config {
		if !strings.Contains(k, ":") {
			k = project + ":" + k
		}
		full[k] = v
		if v == unset {
			delete(full, k)
		}
	}
	cfgJSON, _ := json.Marshal(full)
	var secretKeys []string
	for _, k := range secret {
		secretKeys = append(secretKeys, project+":"+k)
	}
	keysJSON, _ := json.Marshal(secretKeys)
	t.Setenv(pulumi.EnvConfig, string(cfgJSON))
	t.Setenv(pulumi.EnvConfigSecretKeys, string(keysJSON))

	outputs := map[string]awaited{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		exported, err := DeployProgram(ctx, builder)
		if err != nil {
			return err
		}
		for name, out := range exported {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
			if err != nil {
				return err
			}
			a := awaited{secret: res.Secret}
			switch v := res.Value.(type) {
			case string:
				a.value = v
			case []string: // a list output; value joins it for tests that compare text
				a.list, a.value = v, strings.Join(v, ", ")
			default:
				return fmt.Errorf("output %s is %T, neither text nor a list of text", name, res.Value)
			}
			outputs[name] = a
		}
		return nil
	}, pulumi.WithMocks(project, stackName, m))
	return m, outputs, err
}

// devConfig is Pulumi.dev.yaml plus the secret webhook.
func devConfig() map[string]string {
	return map[string]string{"apiName": "orders-api", "apiStage": "prod", "timezone": "Asia/Seoul", "webhookUrl": webhookURL}
}

// devConfigWith is devConfig with overrides; an empty value removes the key.
func devConfigWith(overrides map[string]string) map[string]string {
	return testsupport.Override(devConfig(), overrides)
}

func deployDev(t *testing.T, overrides map[string]string) (*mocks, map[string]awaited) {
	t.Helper()
	cfg := devConfig()
	for k, v := range overrides {
		cfg[k] = v
	}
	m, outputs, err := deploy(t, cfg, []string{"webhookUrl"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	return m, outputs
}

func str(t *testing.T, props resource.PropertyMap, key string) string {
	t.Helper()
	v, ok := props[resource.PropertyKey(key)]
	if !ok {
		t.Fatalf("property %s missing", key)
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		t.Fatalf("property %s = %v, want a string", key, v)
	}
	return v.StringValue()
}

func num(t *testing.T, props resource.PropertyMap, key string) float64 {
	t.Helper()
	v, ok := props[resource.PropertyKey(key)]
	if !ok || !v.IsNumber() {
		t.Fatalf("property %s = %v, want a number", key, v)
	}
	return v.NumberValue()
}

func strings1(t *testing.T, props resource.PropertyMap, key string) []string {
	t.Helper()
	v, ok := props[resource.PropertyKey(key)]
	if !ok || !v.IsArray() {
		t.Fatalf("property %s = %v, want an array", key, v)
	}
	var out []string
	for _, e := range v.ArrayValue() {
		out = append(out, e.StringValue())
	}
	return out
}

func object(t *testing.T, props resource.PropertyMap, key string) resource.PropertyMap {
	t.Helper()
	v, ok := props[resource.PropertyKey(key)]
	if !ok || !v.IsObject() {
		t.Fatalf("property %s = %v, want an object", key, v)
	}
	return v.ObjectValue()
}

func expect[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func dependsOn(t *testing.T, r pulumi.MockResourceArgs, names ...string) {
	t.Helper()
	deps := r.RegisterRPC.GetDependencies()
	for _, name := range names {
		if !slices.ContainsFunc(deps, func(urn string) bool { return strings.HasSuffix(urn, "::"+name) }) {
			t.Errorf("%s does not depend on %s (deps %v)", r.Name, name, deps)
		}
	}
}

func TestDevStackResources(t *testing.T) {
	m, outputs := deployDev(t, nil)
	art, _ := artifact()

	counts := map[string]int{}
	for _, r := range m.resources {
		counts[r.TypeToken]++
	}
	wantCounts := map[string]int{
		ComponentType:                            1,
		"aws:sns/topic:Topic":                    2,
		"aws:cloudwatch/metricAlarm:MetricAlarm": 3,
		"aws:ssm/parameter:Parameter":            1,
		"aws:sqs/queue:Queue":                    2, // dead letters and the overflow
		"aws:cloudwatch/logGroup:LogGroup":       1,
		"aws:iam/role:Role":                      1,
		"aws:iam/rolePolicy:RolePolicy":          2, // the relay's and its overflow's
		"aws:lambda/function:Function":           1,
		"aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 1,
		"aws:lambda/permission:Permission":                               1,
		"aws:sns/topicSubscription:TopicSubscription":                    1,
		"aws:lambda/eventSourceMapping:EventSourceMapping":               1,
	}
	for token, n := range wantCounts {
		expect(t, "count of "+token, counts[token], n)
	}
	expect(t, "resource types", len(counts), len(wantCounts))
	for _, r := range m.resources {
		if r.TypeToken != ComponentType && !strings.HasSuffix(r.RegisterRPC.GetParent(), "::alarm-relay") {
			t.Errorf("%s is not inside the component (parent %q)", r.Name, r.RegisterRPC.GetParent())
		}
	}

	topicArn := "arn:aws:sns:us-east-1:123456789012:alarm-relay-topic"
	opsTopicArn := "arn:aws:sns:us-east-1:123456789012:alarm-relay-ops-topic"
	fnName := "alarm-relay-dev-relay"
	fnArn := "arn:aws:lambda:us-east-1:123456789012:function:" + fnName
	queueArn := "arn:aws:sqs:us-east-1:123456789012:alarm-relay-dead-letters"

	t.Run("latency alarm", func(t *testing.T) {
		a := m.named(t, "alarm-relay-latency").Inputs
		expect(t, "name", str(t, a, "name"), "orders-api prod latency (alarm-relay/dev)")
		expect(t, "namespace", str(t, a, "namespace"), "AWS/ApiGateway")
		expect(t, "metricName", str(t, a, "metricName"), "Latency")
		expect(t, "statistic", str(t, a, "statistic"), "Average")
		expect(t, "period", num(t, a, "period"), 300)
		expect(t, "evaluationPeriods", num(t, a, "evaluationPeriods"), 1)
		expect(t, "datapointsToAlarm", num(t, a, "datapointsToAlarm"), 1)
		expect(t, "threshold", num(t, a, "threshold"), 300)
		expect(t, "comparisonOperator", str(t, a, "comparisonOperator"), "GreaterThanThreshold")
		expect(t, "treatMissingData", str(t, a, "treatMissingData"), "notBreaching")
		expect(t, "unit", str(t, a, "unit"), "Milliseconds")
		dims := object(t, a, "dimensions")
		expect(t, "dimensions", len(dims), 2)
		expect(t, "ApiName", str(t, dims, "ApiName"), "orders-api")
		expect(t, "Stage", str(t, dims, "Stage"), "prod")
		expect(t, "alarmActions", strings.Join(strings1(t, a, "alarmActions"), ","), topicArn)
		expect(t, "okActions", strings.Join(strings1(t, a, "okActions"), ","), topicArn)
		expect(t, "insufficientDataActions", strings.Join(strings1(t, a, "insufficientDataActions"), ","), topicArn)
		desc := str(t, a, "alarmDescription")
		for _, want := range []string{"orders-api prod", "above 300 ms", "1 of 1 periods of 300 seconds", "alarm-relay/dev"} {
			if !strings.Contains(desc, want) {
				t.Errorf("description %q lacks %q", desc, want)
			}
		}
	})

	t.Run("topic", func(t *testing.T) {
		topic := m.named(t, "alarm-relay-topic").Inputs
		if _, encrypted := topic["kmsMasterKeyId"]; encrypted {
			t.Error("topic is encrypted by default; only a customer-managed key CloudWatch may use works")
		}
		expect(t, "displayName", str(t, topic, "displayName"), "alarm-relay alarms (alarm-relay/dev)")
	})

	t.Run("webhook parameter", func(t *testing.T) {
		p := m.one(t, "aws:ssm/parameter:Parameter").Inputs
		expect(t, "name", str(t, p, "name"), "/alarm-relay/dev/webhook-url")
		expect(t, "type", str(t, p, "type"), "SecureString")
		if v := p["value"]; !v.IsSecret() || v.SecretValue().Element.StringValue() != webhookURL {
			t.Errorf("value = %v, want the webhook as a secret", v)
		}
	})

	t.Run("function", func(t *testing.T) {
		r := m.one(t, "aws:lambda/function:Function")
		f := r.Inputs
		expect(t, "name", str(t, f, "name"), fnName)
		expect(t, "runtime", str(t, f, "runtime"), "provided.al2023")
		expect(t, "architectures", strings.Join(strings1(t, f, "architectures"), ","), "arm64")
		expect(t, "handler", str(t, f, "handler"), "bootstrap")
		expect(t, "memorySize", num(t, f, "memorySize"), 128)
		expect(t, "timeout", num(t, f, "timeout"), 30)
		expect(t, "role", str(t, f, "role"), "arn:aws:iam::123456789012:role/alarm-relay-role")
		expect(t, "sourceCodeHash", str(t, f, "sourceCodeHash"), art.SHA256)
		code := f["code"]
		if !code.IsArchive() || code.ArchiveValue().Path != art.ZipPath {
			t.Errorf("code = %v, want the file archive %s", code, art.ZipPath)
		}
		if _, ok := f["reservedConcurrentExecutions"]; ok {
			t.Error("reserved concurrency is set by default; new accounts reject it")
		}
		env := object(t, object(t, f, "environment"), "variables")
		expect(t, "environment size", len(env), 6)
		expect(t, "OVERFLOW_QUEUE_URL", str(t, env, "OVERFLOW_QUEUE_URL"), "https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-overflow")
		expect(t, "LANGUAGE", str(t, env, "LANGUAGE"), "en")
		expect(t, "TREND", str(t, env, "TREND"), "on")
		expect(t, "WEBHOOK_PARAMETER", str(t, env, "WEBHOOK_PARAMETER"), "/alarm-relay/dev/webhook-url:3")
		expect(t, "MESSENGER", str(t, env, "MESSENGER"), "auto")
		expect(t, "TIMEZONE", str(t, env, "TIMEZONE"), "Asia/Seoul")
		logging := object(t, f, "loggingConfig")
		expect(t, "logFormat", str(t, logging, "logFormat"), "JSON")
		expect(t, "logGroup", str(t, logging, "logGroup"), "/aws/lambda/"+fnName)
		dependsOn(t, r, "alarm-relay-logs", "alarm-relay-policy")
	})

	t.Run("log group", func(t *testing.T) {
		lg := m.one(t, "aws:cloudwatch/logGroup:LogGroup").Inputs
		expect(t, "name", str(t, lg, "name"), "/aws/lambda/"+fnName)
		expect(t, "retentionInDays", num(t, lg, "retentionInDays"), 14)
	})

	t.Run("role", func(t *testing.T) {
		var assume policyDocument
		if err := json.Unmarshal([]byte(str(t, m.one(t, "aws:iam/role:Role").Inputs, "assumeRolePolicy")), &assume); err != nil {
			t.Fatal(err)
		}
		if len(assume.Statement) != 1 || assume.Statement[0].Principal["Service"] != "lambda.amazonaws.com" || assume.Statement[0].Action[0] != "sts:AssumeRole" {
			t.Errorf("assume role policy = %+v", assume)
		}
		if _, ok := m.one(t, "aws:iam/role:Role").Inputs["managedPolicyArns"]; ok {
			t.Error("role has managed policies; it should have only its inline policy")
		}
		var doc struct {
			Statement []struct {
				Effect   string
				Action   []string
				Resource []string
			}
		}
		if err := json.Unmarshal([]byte(str(t, m.named(t, "alarm-relay-policy").Inputs, "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, s := range doc.Statement {
			if s.Effect != "Allow" {
				t.Errorf("statement effect %q", s.Effect)
			}
			for _, a := range s.Action {
				if strings.Contains(a, "*") {
					t.Errorf("wildcard action %q", a)
				}
				got[a] = strings.Join(s.Resource, ",")
			}
		}
		want := map[string]string{
			"ssm:GetParameter":         "arn:aws:ssm:us-east-1:123456789012:parameter/alarm-relay/dev/webhook-url",
			"logs:CreateLogStream":     "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + fnName + ":*",
			"logs:PutLogEvents":        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/" + fnName + ":*",
			"sqs:SendMessage":          queueArn,
			"cloudwatch:GetMetricData": "*", // the trend; this action takes no narrower resource
		}
		if len(got) != len(want) {
			t.Errorf("policy grants %v, want exactly %v", got, want)
		}
		for action, resource := range want {
			expect(t, "resource of "+action, got[action], resource)
		}
	})

	t.Run("dead letters and retries", func(t *testing.T) {
		q := m.named(t, "alarm-relay-dead-letters").Inputs
		expect(t, "sqsManagedSseEnabled", q["sqsManagedSseEnabled"].BoolValue(), true)
		expect(t, "messageRetentionSeconds", num(t, q, "messageRetentionSeconds"), 1209600)
		c := m.one(t, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").Inputs
		expect(t, "functionName", str(t, c, "functionName"), fnName)
		expect(t, "maximumRetryAttempts", num(t, c, "maximumRetryAttempts"), 2)
		expect(t, "maximumEventAgeInSeconds", num(t, c, "maximumEventAgeInSeconds"), 21600)
		expect(t, "onFailure", str(t, object(t, object(t, c, "destinationConfig"), "onFailure"), "destination"), queueArn)
	})

	t.Run("subscription and permission", func(t *testing.T) {
		p := m.one(t, "aws:lambda/permission:Permission").Inputs
		expect(t, "action", str(t, p, "action"), "lambda:InvokeFunction")
		expect(t, "principal", str(t, p, "principal"), "sns.amazonaws.com")
		expect(t, "sourceArn", str(t, p, "sourceArn"), topicArn)
		expect(t, "function", str(t, p, "function"), fnName)
		sub := m.one(t, "aws:sns/topicSubscription:TopicSubscription")
		expect(t, "protocol", str(t, sub.Inputs, "protocol"), "lambda")
		expect(t, "endpoint", str(t, sub.Inputs, "endpoint"), fnArn)
		expect(t, "topic", str(t, sub.Inputs, "topic"), topicArn)
		dependsOn(t, sub, "alarm-relay-sns-invoke")
		// ALARM and OK changes, and ALARM → INSUFFICIENT_DATA; not OK → INSUFFICIENT_DATA.
		expect(t, "filterPolicy", str(t, sub.Inputs, "filterPolicy"), `{"$or":[{"NewStateValue":["ALARM","OK"]},{"OldStateValue":["ALARM"]}]}`)
		expect(t, "filterPolicyScope", str(t, sub.Inputs, "filterPolicyScope"), "MessageBody")
	})

	t.Run("relay health", func(t *testing.T) {
		errs := m.named(t, "alarm-relay-relay-errors").Inputs
		expect(t, "errors metric", str(t, errs, "namespace")+" "+str(t, errs, "metricName"), "AWS/Lambda Errors")
		expect(t, "errors dimension", str(t, object(t, errs, "dimensions"), "FunctionName"), fnName)
		expect(t, "errors actions", strings.Join(strings1(t, errs, "alarmActions"), ","), opsTopicArn)
		dlq := m.named(t, "alarm-relay-dead-letters-waiting").Inputs
		expect(t, "dlq metric", str(t, dlq, "namespace")+" "+str(t, dlq, "metricName"), "AWS/SQS ApproximateNumberOfMessagesVisible")
		expect(t, "dlq dimension", str(t, object(t, dlq, "dimensions"), "QueueName"), "alarm-relay-dead-letters")
		expect(t, "dlq actions", strings.Join(strings1(t, dlq, "alarmActions"), ","), opsTopicArn)
		for _, a := range []resource.PropertyMap{errs, dlq} {
			expect(t, "threshold", num(t, a, "threshold"), 1)
			expect(t, "operator", str(t, a, "comparisonOperator"), "GreaterThanOrEqualToThreshold")
			expect(t, "period", num(t, a, "period"), 300)
			expect(t, "evaluationPeriods", num(t, a, "evaluationPeriods"), 1)
			expect(t, "treatMissingData", str(t, a, "treatMissingData"), "notBreaching")
			expect(t, "okActions", strings.Join(strings1(t, a, "okActions"), ","), opsTopicArn)
		}
	})

	t.Run("outputs", func(t *testing.T) {
		want := map[string]string{
			"topicArn":           topicArn,
			"alarmName":          "orders-api prod latency (alarm-relay/dev)",
			"alarmArn":           "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)",
			"functionName":       fnName,
			"deadLetterQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-dead-letters",
			"opsTopicArn":        opsTopicArn,
			"webhookParameter":   "/alarm-relay/dev/webhook-url",
			"region":             "us-east-1",
			"testCommand":        "aws cloudwatch set-alarm-state --alarm-name 'orders-api prod latency (alarm-relay/dev)' --state-value ALARM --state-reason 'alarm-relay test' --region us-east-1",
			"logGroupName":       "/aws/lambda/" + fnName,
			"replayCommand": `( creds="$(aws configure export-credentials --format env)" && eval "$creds" && AWS_REGION='us-east-1' LANGUAGE='en' MESSENGER='auto' TIMEZONE='Asia/Seoul' TREND='on' ` +
				`WEBHOOK_PARAMETER='/alarm-relay/dev/webhook-url' go run ./function -replay-dead-letters 'https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-dead-letters' )`,
		}
		expect(t, "output count", len(outputs), len(want))
		for name, value := range want {
			expect(t, name, outputs[name].value, value)
			if outputs[name].secret {
				t.Errorf("output %s is secret; outputs a user acts on must be readable", name)
			}
		}
	})
}

// TestWebhookNeverInPlainText: the webhook appears only as a secret, only in the SSM parameter.
// TestTopicDisplayName: SNS refuses a display name over 100 characters; Pulumi allows project and
// stack names of 100 each.
func TestTopicDisplayName(t *testing.T) {
	long := strings.Repeat("x", 100)
	for _, tt := range [][2]string{{"alarm-relay", "dev"}, {long, "dev"}, {"p", long}, {long, long}} {
		got := TopicDisplayName(tt[0], tt[1])
		if len(got) > 100 || !strings.HasPrefix(got, "alarm-relay alarms (") {
			t.Errorf("TopicDisplayName(%d chars, %d chars) = %q (%d bytes)", len(tt[0]), len(tt[1]), got, len(got))
		}
	}
}

func TestWebhookNeverInPlainText(t *testing.T) {
	m, outputs := deployDev(t, map[string]string{"alertEmail": "oncall@example.com"})
	var holders []string
	for _, r := range m.resources {
		for _, leak := range findString(resource.NewObjectProperty(r.Inputs), webhookURL, false) {
			if leak {
				t.Errorf("%s carries the webhook in plain text", r.Name)
			} else {
				holders = append(holders, r.Name)
			}
		}
	}
	expect(t, "resources holding the secret", strings.Join(holders, ","), "alarm-relay-webhook")
	for name, out := range outputs {
		if strings.Contains(out.value, "SECRET") {
			t.Errorf("output %s shows the webhook", name)
		}
	}
}

// findString reports every place s occurs in v: true where it is in plain text.
func findString(v resource.PropertyValue, s string, inSecret bool) []bool {
	switch {
	case v.IsSecret():
		return findString(v.SecretValue().Element, s, true)
	case v.IsString():
		if strings.Contains(v.StringValue(), s) {
			return []bool{!inSecret}
		}
	case v.IsArray():
		var out []bool
		for _, e := range v.ArrayValue() {
			out = append(out, findString(e, s, inSecret)...)
		}
		return out
	case v.IsObject():
		var out []bool
		for _, e := range v.ObjectValue() {
			out = append(out, findString(e, s, inSecret)...)
		}
		return out
	}
	return nil
}

func TestOptions(t *testing.T) {
	m, _ := deployDev(t, map[string]string{
		"apiName": "", "apiId": "a1b2c3d4e5", "apiStage": "$default",
		"alertEmail": "oncall@example.com", "reservedConcurrency": "5", "encryptTopic": "true",
		"latencyThresholdMs": "1200", "periodSeconds": "60", "evaluationPeriods": "5", "datapointsToAlarm": "3",
		"messenger": "slack", "logRetentionDays": "30", "memoryMb": "256", "timeoutSeconds": "60",
		"maxRetryAttempts": "1", "maxEventAgeSeconds": "3600", "treatMissingData": "breaching",
	})
	a := m.named(t, "alarm-relay-latency").Inputs
	dims := object(t, a, "dimensions")
	expect(t, "dimensions", len(dims), 2)
	expect(t, "ApiId", str(t, dims, "ApiId"), "a1b2c3d4e5")
	expect(t, "Stage", str(t, dims, "Stage"), "$default")
	expect(t, "name", str(t, a, "name"), "a1b2c3d4e5 $default latency (alarm-relay/dev)")
	expect(t, "threshold", num(t, a, "threshold"), 1200)
	expect(t, "period", num(t, a, "period"), 60)
	expect(t, "evaluationPeriods", num(t, a, "evaluationPeriods"), 5)
	expect(t, "datapointsToAlarm", num(t, a, "datapointsToAlarm"), 3)
	expect(t, "treatMissingData", str(t, a, "treatMissingData"), "breaching")

	f := m.one(t, "aws:lambda/function:Function").Inputs
	expect(t, "reservedConcurrentExecutions", num(t, f, "reservedConcurrentExecutions"), 5)
	expect(t, "memorySize", num(t, f, "memorySize"), 256)
	expect(t, "timeout", num(t, f, "timeout"), 60)
	expect(t, "MESSENGER", str(t, object(t, object(t, f, "environment"), "variables"), "MESSENGER"), "slack")
	expect(t, "retention", num(t, m.one(t, "aws:cloudwatch/logGroup:LogGroup").Inputs, "retentionInDays"), 30)
	c := m.one(t, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").Inputs
	expect(t, "maximumRetryAttempts", num(t, c, "maximumRetryAttempts"), 1)
	expect(t, "maximumEventAgeInSeconds", num(t, c, "maximumEventAgeInSeconds"), 3600)

	subs := m.byType("aws:sns/topicSubscription:TopicSubscription")
	expect(t, "subscriptions", len(subs), 2)
	email := m.named(t, "alarm-relay-ops-email").Inputs
	expect(t, "email protocol", str(t, email, "protocol"), "email")
	expect(t, "email endpoint", str(t, email, "endpoint"), "oncall@example.com")
	expect(t, "email topic", str(t, email, "topic"), "arn:aws:sns:us-east-1:123456789012:alarm-relay-ops-topic")

	key := m.one(t, "aws:kms/key:Key").Inputs
	expect(t, "key rotation", key["enableKeyRotation"].BoolValue(), true)
	expect(t, "key deletion window", num(t, key, "deletionWindowInDays"), 7)
	var policy policyDocument
	if err := json.Unmarshal([]byte(str(t, key, "policy")), &policy); err != nil {
		t.Fatal(err)
	}
	var cloudwatchMayUse bool
	for _, s := range policy.Statement {
		if s.Principal["Service"] == "cloudwatch.amazonaws.com" && slices.Contains(s.Action, "kms:GenerateDataKey*") && slices.Contains(s.Action, "kms:Decrypt") {
			cloudwatchMayUse = true
			// For this account's alarms only, not any account's (the confused deputy).
			expect(t, "CloudWatch's condition", fmt.Sprint(s.Condition), "map[StringEquals:map[aws:SourceAccount:123456789012]]")
		}
		if s.Principal["AWS"] != nil && s.Principal["AWS"] != "arn:aws:iam::123456789012:root" {
			t.Errorf("key administered by %v", s.Principal["AWS"])
		}
	}
	if !cloudwatchMayUse {
		t.Errorf("key policy does not let CloudWatch publish: %s", str(t, key, "policy"))
	}
	expect(t, "topic key", str(t, m.named(t, "alarm-relay-topic").Inputs, "kmsMasterKeyId"), "arn:aws:kms:us-east-1:123456789012:key/alarm-relay-topic-key")
}

func TestInvalidConfigCreatesNothing(t *testing.T) {
	tests := []struct {
		name     string
		override map[string]string
		secret   bool
		errHas   []string
	}{
		{"no api", map[string]string{"apiName": ""}, true, []string{"apiName: set apiName to the REST API's name"}},
		{"both apis", map[string]string{"apiId": "abc"}, true, []string{"apiId: set apiName (REST API) or apiId (HTTP API), not both"}},
		{"zero threshold", map[string]string{"latencyThresholdMs": "0"}, true, []string{"latencyThresholdMs: 0 must be a number of milliseconds above 0"}},
		{"threshold not a number", map[string]string{"latencyThresholdMs": "fast"}, true, []string{`latencyThresholdMs: "fast" is not a number`}},
		{"odd period", map[string]string{"periodSeconds": "45"}, true, []string{"periodSeconds: 45: API Gateway publishes its metrics per minute; use a multiple of 60"}},
		{"high-resolution period on API Gateway", map[string]string{"periodSeconds": "10"}, true, []string{"periodSeconds: 10: API Gateway publishes its metrics per minute"}},
		{"datapoints above periods", map[string]string{"datapointsToAlarm": "3"}, true, []string{"datapointsToAlarm: 3 must be between 1 and evaluationPeriods (1)"}},
		{"window over a day", map[string]string{"periodSeconds": "300", "evaluationPeriods": "289"}, true, []string{"evaluationPeriods: 289 periods of 300 seconds exceed the one day CloudWatch evaluates for this period (288 periods at most)"}},
		{"unknown time zone", map[string]string{"timezone": "Seoul"}, true, []string{`timezone: "Seoul" is not an IANA time zone name`}},
		{"unknown messenger", map[string]string{"messenger": "discord"}, true, []string{`messenger: unknown messenger "discord"`}},
		{"unknown webhook host", map[string]string{"webhookUrl": "https://chat.example.com/hooks/SECRET"}, true, []string{`messenger: auto: cannot tell the messenger from webhook host "chat.example.com"`}},
		{"http webhook", map[string]string{"webhookUrl": "http://hooks.slack.com/services/SECRET"}, true, []string{`webhookUrl: webhook URL must use https (got scheme "http")`}},
		{"webhook not secret", nil, false, []string{"webhookUrl: is stored in plain text: set it again with pulumi config set --secret webhookUrl"}},
		{"no webhook", map[string]string{"webhookUrl": ""}, true, []string{"webhookUrl: not set: pulumi config set --secret webhookUrl"}},
		{"bad retention", map[string]string{"logRetentionDays": "10"}, true, []string{"logRetentionDays: 10 is not a retention CloudWatch Logs accepts"}},
		{"bad email", map[string]string{"alertEmail": "oncall at example"}, true, []string{`alertEmail: "oncall at example" is not a plain e-mail address`}},
		{"zero reservation", map[string]string{"reservedConcurrency": "0"}, true, []string{"reservedConcurrency: 0 must be -1 (no reservation) or 1 and more"}},
		{"tiny memory", map[string]string{"memoryMb": "64"}, true, []string{"memoryMb: 64 must be between 128 and 10240"}},
		{"short timeout", map[string]string{"timeoutSeconds": "3"}, true, []string{"timeoutSeconds: 3 must be between 10"}},
		{"too many retries", map[string]string{"maxRetryAttempts": "5"}, true, []string{"maxRetryAttempts: 5 must be 0, 1 or 2"}},
		{"bad treatMissingData", map[string]string{"treatMissingData": "zero"}, true, []string{`treatMissingData: "zero" is not one of`}},
		{"bad boolean", map[string]string{"encryptTopic": "yes please"}, true, []string{`encryptTopic: "yes please" is not true or false`}},
		{"several at once", map[string]string{"periodSeconds": "45", "timezone": "Nowhere"}, true, []string{"periodSeconds: 45", `timezone: "Nowhere"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := devConfig()
			for k, v := range tt.override {
				cfg[k] = v
			}
			var secret []string
			if tt.secret {
				secret = []string{"webhookUrl"}
			}
			expectRejected(t, cfg, secret, tt.errHas...)
		})
	}
}

// expectRejected deploys an invalid configuration: it must fail with every one of errHas, show no
// webhook, and neither build the relay nor create anything.
func expectRejected(t *testing.T, cfg map[string]string, secret []string, errHas ...string) {
	t.Helper()
	built := false
	m, _, err := deploy(t, cfg, secret, func() (build.Artifact, error) {
		built = true
		return artifact()
	})
	if err == nil {
		t.Fatal("invalid configuration deployed")
	}
	for _, want := range errHas {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error shows a webhook: %v", err)
	}
	if len(m.resources) != 0 || built {
		t.Errorf("created %d resources (built: %v) for an invalid configuration", len(m.resources), built)
	}
}

func TestBuildFailureStopsTheDeployment(t *testing.T) {
	m, _, err := deploy(t, devConfig(), []string{"webhookUrl"}, func() (build.Artifact, error) {
		return build.Artifact{}, errors.New("build the relay: undefined: x")
	})
	if err == nil || !strings.Contains(err.Error(), "undefined: x") {
		t.Fatalf("err = %v, want the build error", err)
	}
	if len(m.resources) != 0 {
		t.Errorf("created %d resources without a relay", len(m.resources))
	}
}

// TestPulumiYAMLDeclaresEveryKey keeps Pulumi.yaml and the program's defaults in step.
func TestPulumiYAMLDeclaresEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Name    string
		Runtime string
		Main    string
		Config  map[string]struct {
			Type    string
			Default any
			Secret  bool
			Desc    string `yaml:"description"`
		}
	}
	if err := yamlUnmarshal(data, &project); err != nil {
		t.Fatal(err)
	}
	expect(t, "name", project.Name, "alarm-relay")
	expect(t, "runtime", project.Runtime, "go")
	expect(t, "main", project.Main, "infra/")
	var declared []string
	for key, c := range project.Config {
		declared = append(declared, key)
		if c.Desc == "" || c.Type == "" {
			t.Errorf("%s lacks a type or description", key)
		}
	}
	var known []string
	for key := range settingsDefaults() {
		known = append(known, key)
	}
	sort.Strings(declared)
	sort.Strings(known)
	expect(t, "declared keys", strings.Join(declared, ","), strings.Join(known, ","))
	for key, want := range settingsDefaults() {
		if got := yamlScalar(project.Config[key].Default); got != want {
			t.Errorf("%s: Pulumi.yaml default %q, program default %q", key, got, want)
		}
	}
	// The CLI demands a value for a key without a default, and refuses a plain default for a
	// `secret: true` key: either would make a destinations-only stack impossible. The program
	// refuses a webhook that is not stored as a secret instead.
	for key, c := range project.Config {
		if c.Default == nil {
			t.Errorf("%s has no default: the CLI would demand it of every stack", key)
		}
		if c.Secret {
			t.Errorf("%s is declared secret: the CLI then refuses its plain default (the program checks secrecy itself)", key)
		}
	}
}

func yamlUnmarshal(data []byte, v any) error { return yaml.Unmarshal(data, v) }

// yamlScalar prints a YAML default the way the program's Defaults spell it.
func yamlScalar(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func settingsDefaults() map[string]string { return settings.Defaults }
