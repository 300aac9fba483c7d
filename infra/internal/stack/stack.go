// Package stack declares every resource of one alarm-relay stack inside a single component:
// latency alarm → SNS topic → relay Lambda → chat, with the relay's secret, role, logs, retries,
// dead-letter queue and its own health alarms.
package stack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/build"
)

// ComponentType is the component's type token, as `pulumi preview` shows it.
const ComponentType = "alarm-relay:index:AlarmRelay"

// AlarmRelay is the component; its fields are the stack outputs.
type AlarmRelay struct {
	pulumi.ResourceState

	TopicArn           pulumi.StringOutput
	AlarmName          pulumi.StringOutput
	AlarmArn           pulumi.StringOutput
	FunctionName       pulumi.StringOutput
	DeadLetterQueueURL pulumi.StringOutput
	OpsTopicArn        pulumi.StringOutput
	WebhookParameter   pulumi.StringOutput
	TestCommand        pulumi.StringOutput
}

// Outputs are the stack outputs, by name.
func (r *AlarmRelay) Outputs() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{
		"topicArn":           r.TopicArn,
		"alarmName":          r.AlarmName,
		"alarmArn":           r.AlarmArn,
		"functionName":       r.FunctionName,
		"deadLetterQueueUrl": r.DeadLetterQueueURL,
		"opsTopicArn":        r.OpsTopicArn,
		"webhookParameter":   r.WebhookParameter,
		"testCommand":        r.TestCommand,
	}
}

// Program is the Pulumi program. artifact builds the relay zip (tests pass a memoized build).
func Program(artifact func() (build.Artifact, error)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := Deploy(ctx, artifact)
		return err
	}
}

// Deploy validates the configuration before anything else (an invalid stack creates nothing and
// builds nothing), builds the relay, declares the stack and exports its outputs.
func Deploy(ctx *pulumi.Context, artifact func() (build.Artifact, error)) (*AlarmRelay, error) {
	cfg, err := settings.Load(ctx)
	if err != nil {
		return nil, err
	}
	art, err := artifact()
	if err != nil {
		return nil, err
	}
	relay, err := New(ctx, "alarm-relay", cfg, art)
	if err != nil {
		return nil, err
	}
	for name, value := range relay.Outputs() {
		ctx.Export(name, value)
	}
	return relay, nil
}

// New declares the stack's resources under one component.
func New(ctx *pulumi.Context, name string, cfg settings.Settings, art build.Artifact, opts ...pulumi.ResourceOption) (*AlarmRelay, error) {
	r := &AlarmRelay{}
	if err := ctx.RegisterComponentResource(ComponentType, name, r, opts...); err != nil {
		return nil, err
	}
	d := declarer{ctx: ctx, cfg: cfg, parent: pulumi.Parent(r), prefix: name}
	if err := d.declare(r, art); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(r, pulumi.Map{
		"topicArn": r.TopicArn, "alarmName": r.AlarmName, "functionName": r.FunctionName,
	}); err != nil {
		return nil, err
	}
	return r, nil
}

// declarer carries what every resource needs.
type declarer struct {
	ctx    *pulumi.Context
	cfg    settings.Settings
	parent pulumi.ResourceOption
	prefix string
}

func (d *declarer) name(s string) string { return d.prefix + "-" + s }

func (d *declarer) tags() pulumi.StringMap {
	return pulumi.StringMap{
		"alarm-relay:project": pulumi.String(d.cfg.Project),
		"alarm-relay:stack":   pulumi.String(d.cfg.Stack),
		"managed-by":          pulumi.String("pulumi"),
	}
}

func (d *declarer) declare(r *AlarmRelay, art build.Artifact) error {
	ctx, cfg := d.ctx, d.cfg

	topic, err := d.topic()
	if err != nil {
		return err
	}

	alarm, err := cloudwatch.NewMetricAlarm(ctx, d.name("latency"), &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(AlarmName(cfg)),
		AlarmDescription:   pulumi.String(AlarmDescription(cfg)),
		Namespace:          pulumi.String("AWS/ApiGateway"),
		MetricName:         pulumi.String("Latency"),
		Dimensions:         pulumi.ToStringMap(Dimensions(cfg)),
		Statistic:          pulumi.String("Average"),
		Period:             pulumi.Int(cfg.PeriodSeconds),
		EvaluationPeriods:  pulumi.Int(cfg.EvaluationPeriods),
		DatapointsToAlarm:  pulumi.Int(cfg.DatapointsToAlarm),
		Threshold:          pulumi.Float64(cfg.LatencyThresholdMs),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		TreatMissingData:   pulumi.String(cfg.TreatMissingData),
		Unit:               pulumi.String("Milliseconds"),
		ActionsEnabled:     pulumi.Bool(true),
		AlarmActions:       pulumi.Array{topic.Arn},
		OkActions:          pulumi.Array{topic.Arn},
		Tags:               d.tags(),
	}, d.parent)
	if err != nil {
		return err
	}

	// The secret lives in SSM; the function only learns the parameter's name and version, so a new
	// webhook (a new version) reaches new containers on the next `pulumi up`.
	param, err := ssm.NewParameter(ctx, d.name("webhook"), &ssm.ParameterArgs{
		Name:        pulumi.String(fmt.Sprintf("/%s/%s/webhook-url", cfg.Project, cfg.Stack)),
		Description: pulumi.String("Chat webhook URL the alarm relay posts to (secret)."),
		Type:        pulumi.String("SecureString"),
		Value:       cfg.Webhook,
		Tags:        d.tags(),
	}, d.parent)
	if err != nil {
		return err
	}
	paramRef := pulumi.Sprintf("%s:%d", param.Name, param.Version)

	deadLetters, err := sqs.NewQueue(ctx, d.name("dead-letters"), &sqs.QueueArgs{
		SqsManagedSseEnabled:    pulumi.Bool(true),
		MessageRetentionSeconds: pulumi.Int(14 * 24 * 3600), // the maximum: two weeks to notice and replay
		Tags:                    d.tags(),
	}, d.parent)
	if err != nil {
		return err
	}

	functionName := FunctionName(cfg)
	logGroup, err := cloudwatch.NewLogGroup(ctx, d.name("logs"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/lambda/" + functionName),
		RetentionInDays: pulumi.Int(cfg.LogRetentionDays),
		Tags:            d.tags(),
	}, d.parent)
	if err != nil {
		return err
	}

	role, err := iam.NewRole(ctx, d.name("role"), &iam.RoleArgs{
		Description:      pulumi.String("Alarm relay function: read its webhook parameter, write its logs, dead-letter failed alerts."),
		AssumeRolePolicy: pulumi.String(AssumeRolePolicy),
		Tags:             d.tags(),
	}, d.parent)
	if err != nil {
		return err
	}
	policy, err := iam.NewRolePolicy(ctx, d.name("policy"), &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: pulumi.All(param.Arn, logGroup.Arn, deadLetters.Arn).ApplyT(func(arns []any) (string, error) {
			return RolePolicy(arns[0].(string), arns[1].(string), arns[2].(string))
		}).(pulumi.StringOutput),
	}, d.parent)
	if err != nil {
		return err
	}

	fnArgs := &lambda.FunctionArgs{
		Name:           pulumi.String(functionName),
		Description:    pulumi.String("Relays CloudWatch alarm notifications from SNS to the team's chat."),
		Runtime:        pulumi.String("provided.al2023"),
		Architectures:  pulumi.StringArray{pulumi.String("arm64")},
		Handler:        pulumi.String("bootstrap"),
		Code:           pulumi.NewFileArchive(art.ZipPath),
		SourceCodeHash: pulumi.String(art.SHA256),
		Role:           role.Arn,
		MemorySize:     pulumi.Int(cfg.MemoryMB),
		Timeout:        pulumi.Int(cfg.TimeoutSeconds),
		Environment: &lambda.FunctionEnvironmentArgs{Variables: pulumi.StringMap{
			"WEBHOOK_PARAMETER": paramRef,
			"MESSENGER":         pulumi.String(cfg.Messenger),
			"TIMEZONE":          pulumi.String(cfg.Timezone),
		}},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  logGroup.Name,
		},
		Tags: d.tags(),
	}
	if cfg.ReservedConcurrency > 0 {
		fnArgs.ReservedConcurrentExecutions = pulumi.Int(cfg.ReservedConcurrency)
	}
	// The log group and the policy first: a function that starts before either loses its first logs.
	fn, err := lambda.NewFunction(ctx, d.name("function"), fnArgs, d.parent, pulumi.DependsOn([]pulumi.Resource{logGroup, policy}))
	if err != nil {
		return err
	}

	if _, err := lambda.NewFunctionEventInvokeConfig(ctx, d.name("async"), &lambda.FunctionEventInvokeConfigArgs{
		FunctionName:             fn.Name,
		MaximumRetryAttempts:     pulumi.Int(cfg.MaxRetryAttempts),
		MaximumEventAgeInSeconds: pulumi.Int(cfg.MaxEventAgeSeconds),
		DestinationConfig: &lambda.FunctionEventInvokeConfigDestinationConfigArgs{
			OnFailure: &lambda.FunctionEventInvokeConfigDestinationConfigOnFailureArgs{Destination: deadLetters.Arn},
		},
	}, d.parent); err != nil {
		return err
	}

	permission, err := lambda.NewPermission(ctx, d.name("sns-invoke"), &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  fn.Name,
		Principal: pulumi.String("sns.amazonaws.com"),
		SourceArn: topic.Arn,
	}, d.parent)
	if err != nil {
		return err
	}
	if _, err := sns.NewTopicSubscription(ctx, d.name("subscription"), &sns.TopicSubscriptionArgs{
		Topic:    topic.Arn,
		Protocol: pulumi.String("lambda"),
		Endpoint: fn.Arn,
	}, d.parent, pulumi.DependsOn([]pulumi.Resource{permission})); err != nil {
		return err
	}

	opsTopic, err := d.health(fn, deadLetters)
	if err != nil {
		return err
	}

	r.TopicArn = topic.Arn
	r.AlarmName = alarm.Name
	r.AlarmArn = alarm.Arn
	r.FunctionName = fn.Name
	r.DeadLetterQueueURL = deadLetters.Url
	r.OpsTopicArn = opsTopic.Arn
	r.WebhookParameter = param.Name
	r.TestCommand = pulumi.All(alarm.Name, alarm.Arn).ApplyT(func(v []any) string {
		return TestCommand(v[0].(string), regionOf(v[1].(string)))
	}).(pulumi.StringOutput)
	return nil
}

// topic is the alarm's SNS topic. Encrypted only with a customer-managed key whose policy lets
// CloudWatch use it: with the AWS-managed aws/sns key, alarm notifications are silently dropped.
func (d *declarer) topic() (*sns.Topic, error) {
	args := &sns.TopicArgs{
		DisplayName: pulumi.String("API latency alarms"),
		Tags:        d.tags(),
	}
	if d.cfg.EncryptTopic {
		caller, err := aws.GetCallerIdentity(d.ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("encryptTopic: look up the account for the key policy: %w", err)
		}
		partition, err := aws.GetPartition(d.ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("encryptTopic: look up the partition for the key policy: %w", err)
		}
		policy, err := TopicKeyPolicy(partition.Partition, caller.AccountId)
		if err != nil {
			return nil, err
		}
		key, err := kms.NewKey(d.ctx, d.name("topic-key"), &kms.KeyArgs{
			Description:       pulumi.String("Encrypts the alarm topic; CloudWatch may use it to publish."),
			EnableKeyRotation: pulumi.Bool(true),
			Policy:            pulumi.String(policy),
			Tags:              d.tags(),
		}, d.parent)
		if err != nil {
			return nil, err
		}
		args.KmsMasterKeyId = key.Arn
	}
	return sns.NewTopic(d.ctx, d.name("topic"), args, d.parent)
}

// health declares the relay's own alarms on a separate topic, so that a broken relay is noticed
// through a path that does not go through the relay.
func (d *declarer) health(fn *lambda.Function, deadLetters *sqs.Queue) (*sns.Topic, error) {
	ctx, cfg := d.ctx, d.cfg
	ops, err := sns.NewTopic(ctx, d.name("ops-topic"), &sns.TopicArgs{
		DisplayName: pulumi.String("Alarm relay health"),
		Tags:        d.tags(),
	}, d.parent)
	if err != nil {
		return nil, err
	}
	if cfg.AlertEmail != "" {
		if _, err := sns.NewTopicSubscription(ctx, d.name("ops-email"), &sns.TopicSubscriptionArgs{
			Topic:    ops.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(cfg.AlertEmail),
		}, d.parent); err != nil {
			return nil, err
		}
	}
	stackID := cfg.Project + "/" + cfg.Stack
	if err := d.healthAlarm("relay-errors", ops, &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String("alarm relay failing (" + stackID + ")"),
		AlarmDescription: pulumi.String("The alarm relay function failed: alerts may not be reaching chat. Check its logs and the dead-letter queue."),
		Namespace:        pulumi.String("AWS/Lambda"),
		MetricName:       pulumi.String("Errors"),
		Dimensions:       pulumi.StringMap{"FunctionName": fn.Name},
		Statistic:        pulumi.String("Sum"),
	}); err != nil {
		return nil, err
	}
	if err := d.healthAlarm("dead-letters-waiting", ops, &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String("alarm relay dead letters (" + stackID + ")"),
		AlarmDescription: pulumi.String("Alerts the relay could not deliver wait in the dead-letter queue: they never reached chat."),
		Namespace:        pulumi.String("AWS/SQS"),
		MetricName:       pulumi.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:       pulumi.StringMap{"QueueName": deadLetters.Name},
		Statistic:        pulumi.String("Maximum"),
	}); err != nil {
		return nil, err
	}
	return ops, nil
}

// healthAlarm completes args as a relay health alarm: any one occurrence in 5 minutes fires it,
// and both ALARM and OK go to the ops topic.
func (d *declarer) healthAlarm(name string, ops *sns.Topic, args *cloudwatch.MetricAlarmArgs) error {
	args.Period = pulumi.Int(300)
	args.EvaluationPeriods = pulumi.Int(1)
	args.Threshold = pulumi.Float64(1)
	args.ComparisonOperator = pulumi.String("GreaterThanOrEqualToThreshold")
	args.TreatMissingData = pulumi.String("notBreaching")
	args.AlarmActions = pulumi.Array{ops.Arn}
	args.OkActions = pulumi.Array{ops.Arn}
	args.Tags = d.tags()
	_, err := cloudwatch.NewMetricAlarm(d.ctx, d.name(name), args, d.parent)
	return err
}

// Dimensions are the latency metric's: ApiName (REST) or ApiId (HTTP), and Stage when set.
func Dimensions(cfg settings.Settings) map[string]string {
	dims := map[string]string{}
	if cfg.APIName != "" {
		dims["ApiName"] = cfg.APIName
	} else {
		dims["ApiId"] = cfg.APIID
	}
	if cfg.APIStage != "" {
		dims["Stage"] = cfg.APIStage
	}
	return dims
}

// apiLabel names the API as people say it: "orders-api", "orders-api prod".
func apiLabel(cfg settings.Settings) string {
	api := cfg.APIName
	if api == "" {
		api = cfg.APIID
	}
	if cfg.APIStage != "" {
		api += " " + cfg.APIStage
	}
	return api
}

// AlarmName is readable in chat and unique per stack: two stacks in one account must not share
// (and silently take over) one alarm.
func AlarmName(cfg settings.Settings) string {
	name := fmt.Sprintf("%s latency (%s/%s)", apiLabel(cfg), cfg.Project, cfg.Stack)
	return truncateRunes(name, 255)
}

// AlarmDescription says what the alarm means and whom it concerns.
func AlarmDescription(cfg settings.Settings) string {
	d := fmt.Sprintf("Average latency of API Gateway API %s is above %s ms for %d of %d periods of %d seconds. "+
		"Clients are waiting longer than usual: check recent deployments, integration latency and downstream services. "+
		"Managed by Pulumi stack %s/%s.",
		apiLabel(cfg), strconv.FormatFloat(cfg.LatencyThresholdMs, 'f', -1, 64), cfg.DatapointsToAlarm, cfg.EvaluationPeriods, cfg.PeriodSeconds, cfg.Project, cfg.Stack)
	return truncateRunes(d, 1024)
}

var notFunctionNameChar = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// FunctionName is "<project>-<stack>-relay", made of the characters Lambda allows, at most 64.
func FunctionName(cfg settings.Settings) string {
	base := notFunctionNameChar.ReplaceAllString(cfg.Project+"-"+cfg.Stack, "-")
	return truncateRunes(base, 64-len("-relay")) + "-relay"
}

// AssumeRolePolicy lets Lambda, and nothing else, assume the relay's role.
const AssumeRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["sts:AssumeRole"]}]}`

// policyDocument is an IAM policy document.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    []string       `json:"Action"`
	Resource  any            `json:"Resource"`
}

// RolePolicy grants exactly what the relay does: read its one parameter, write its own log group,
// send failed events to its own dead-letter queue. No wildcard actions.
func RolePolicy(parameterArn, logGroupArn, queueArn string) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "ReadWebhookParameter", Effect: "Allow", Action: []string{"ssm:GetParameter"}, Resource: []string{parameterArn}},
		{Sid: "WriteOwnLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupArn + ":*"}},
		{Sid: "DeadLetterFailedAlerts", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{queueArn}},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("role policy: %w", err)
	}
	return string(out), nil
}

// TopicKeyPolicy lets the account administer the key and CloudWatch publish to the topic with it.
func TopicKeyPolicy(partition, account string) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "AccountAdministers", Effect: "Allow", Principal: map[string]any{"AWS": "arn:" + partition + ":iam::" + account + ":root"}, Action: []string{"kms:*"}, Resource: "*"},
		{Sid: "CloudWatchPublishes", Effect: "Allow", Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"}, Action: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: "*"},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("topic key policy: %w", err)
	}
	return string(out), nil
}

// TestCommand sets the alarm to ALARM by hand: it exercises topic, relay and webhook end to end
// (CloudWatch resets the state at the next evaluation).
func TestCommand(alarmName, region string) string {
	return "aws cloudwatch set-alarm-state --alarm-name " + shellQuote(alarmName) +
		" --state-value ALARM --state-reason 'alarm-relay test' --region " + region
}

// regionOf reads the region from an ARN ("arn:aws:cloudwatch:us-east-1:...").
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func truncateRunes(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit])
}
