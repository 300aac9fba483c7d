package stack

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// relay is one destination's delivery path: its own secret, function, retries and dead letters.
type relay struct {
	parameter   *ssm.Parameter
	deadLetters *sqs.Queue
	function    *lambda.Function
	logGroup    *cloudwatch.LogGroup
	replay      pulumi.StringOutput // the command that replays its dead letters
}

// shared are the stack's resources a relay may refer to.
type shared struct {
	topic, ops *sns.Topic
	alarms     []*cloudwatch.MetricAlarm // in the order of settings.Alarms
	stateTable *dynamodb.Table           // nil without slack-app destinations
}

// relay declares one destination's relay from the shared artifact, subscribed to the topic on
// its own. Resources are named after the destination, so adding or changing one destination
// touches only its own resources.
func (d *declarer) relay(dest settings.Destination, sh shared, art build.Artifact) (*relay, error) {
	topic, ops := sh.topic, sh.ops
	r := relayDeclarer{declarer: d, dest: dest}
	param, err := r.secret()
	if err != nil {
		return nil, err
	}
	deadLetters, err := r.deadLetterQueue()
	if err != nil {
		return nil, err
	}
	logGroup, err := r.logGroup()
	if err != nil {
		return nil, err
	}
	if r.overflow, err = r.overflowQueue(deadLetters); err != nil {
		return nil, err
	}
	reminded := r.remindedAlarms(sh.alarms)
	fn, err := r.function(param, deadLetters, logGroup, sh.stateTable, r.describedAlarms(reminded, sh.alarms), art)
	if err != nil {
		return nil, err
	}
	if err := r.drainOverflow(fn); err != nil {
		return nil, err
	}
	if err := r.subscribe(fn, topic); err != nil {
		return nil, err
	}
	if err := r.reminders(fn, reminded); err != nil {
		return nil, err
	}
	if err := r.windowSchedules(fn, sh.alarms, settings.Now()); err != nil {
		return nil, err
	}
	if err := r.healthAlarms(fn, deadLetters, ops); err != nil {
		return nil, err
	}
	return &relay{parameter: param, deadLetters: deadLetters, function: fn, logGroup: logGroup, replay: replayCommand(r.dest, param, deadLetters, sh.stateTable)}, nil
}

// relayDeclarer declares the resources of one destination's relay, step by step.
type relayDeclarer struct {
	*declarer
	dest     settings.Destination
	overflow *sqs.Queue // nil without one
}

// name is a resource name of this destination; the webhookUrl shorthand keeps the names it
// always had.
func (r relayDeclarer) name(s string) string {
	if r.dest.Shorthand {
		return r.declarer.name(s)
	}
	return r.declarer.name(r.dest.Name + "-" + s)
}

// who names this relay in texts people read: "(project/stack)", with the destination's name
// before it unless it is the webhookUrl shorthand.
func (r relayDeclarer) who() string {
	who := "(" + r.cfg.Project + "/" + r.cfg.Stack + ")"
	if !r.dest.Shorthand {
		who = r.dest.Name + " " + who
	}
	return who
}

// secret stores the webhook (or a Slack app's bot token) in SSM; the function only learns the
// parameter's name and version, so a new webhook (a new version) reaches new containers on the
// next `pulumi up`.
func (r relayDeclarer) secret() (*ssm.Parameter, error) {
	if r.dest.SlackApp() {
		return ssm.NewParameter(r.ctx, r.name("slack-token"), &ssm.ParameterArgs{
			Name:        pulumi.String(SlackTokenParameterName(r.cfg.Project, r.cfg.Stack, r.dest.Name)),
			Description: pulumi.String("Slack bot token the alarm relay posts with (secret)."),
			Type:        pulumi.String("SecureString"),
			Value:       r.dest.SlackToken,
			Tags:        r.tags(),
		}, r.parent)
	}
	destination := r.dest.Name
	if r.dest.Shorthand {
		destination = ""
	}
	physical := settings.ParameterName(r.cfg.Project, r.cfg.Stack, destination, "webhook-url")
	return ssm.NewParameter(r.ctx, r.name("webhook"), &ssm.ParameterArgs{
		Name:        pulumi.String(physical),
		Description: pulumi.String("Chat webhook URL the alarm relay posts to (secret)."),
		Type:        pulumi.String("SecureString"),
		Value:       r.dest.Webhook,
		Tags:        r.tags(),
	}, r.parent)
}

// deadLetterQueue keeps the alerts the relay could not deliver.
func (r relayDeclarer) deadLetterQueue() (*sqs.Queue, error) {
	return sqs.NewQueue(r.ctx, r.name("dead-letters"), &sqs.QueueArgs{
		SqsManagedSseEnabled:    pulumi.Bool(true),
		MessageRetentionSeconds: pulumi.Int(14 * 24 * 3600), // the maximum: two weeks to notice and replay
		Tags:                    r.tags(),
	}, r.parent)
}

// logGroup is the function's log group, declared so that `pulumi destroy` removes it.
func (r relayDeclarer) logGroup() (*cloudwatch.LogGroup, error) {
	functionName := settings.FunctionName(r.cfg.Project, r.cfg.Stack, r.dest.Name)
	return cloudwatch.NewLogGroup(r.ctx, r.name("logs"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/lambda/" + functionName),
		RetentionInDays: pulumi.Int(r.cfg.LogRetentionDays),
		Tags:            r.tags(),
	}, r.parent)
}

// function declares the relay function with its role and retries into the queue.
func (r relayDeclarer) function(param *ssm.Parameter, deadLetters *sqs.Queue, logGroup *cloudwatch.LogGroup, table *dynamodb.Table,
	reminded []pulumi.StringOutput, art build.Artifact) (*lambda.Function, error) {
	ctx, cfg, dest := r.ctx, r.cfg, r.dest
	functionName := settings.FunctionName(cfg.Project, cfg.Stack, dest.Name)

	description := "Alarm relay function: read its webhook parameter, write its logs, dead-letter failed alerts."
	if dest.SlackApp() {
		description = "Alarm relay function: read its Slack token parameter, keep its incidents, write its logs, dead-letter failed alerts."
	}
	role, err := iam.NewRole(ctx, r.name("role"), &iam.RoleArgs{
		Description:      pulumi.String(description),
		AssumeRolePolicy: pulumi.String(AssumeRolePolicy),
		Tags:             r.tags(),
	}, r.parent)
	if err != nil {
		return nil, err
	}
	policy, err := iam.NewRolePolicy(ctx, r.name("policy"), &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: r.rolePolicy(param, logGroup, deadLetters, table, reminded),
	}, r.parent)
	if err != nil {
		return nil, err
	}

	paramRef := pulumi.Sprintf("%s:%d", param.Name, param.Version)
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
		Environment:    &lambda.FunctionEnvironmentArgs{Variables: r.withOverflow(relayEnvironment(dest, paramRef, table))},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  logGroup.Name,
		},
		Tags: r.tags(),
	}
	if cfg.ReservedConcurrency > 0 {
		fnArgs.ReservedConcurrentExecutions = pulumi.Int(cfg.ReservedConcurrency)
	}
	// The log group and the policy first: a function that starts before either loses its first logs.
	fn, err := lambda.NewFunction(ctx, r.name("function"), fnArgs, r.parent, pulumi.DependsOn([]pulumi.Resource{logGroup, policy}))
	if err != nil {
		return nil, err
	}

	if _, err := lambda.NewFunctionEventInvokeConfig(ctx, r.name("async"), &lambda.FunctionEventInvokeConfigArgs{
		FunctionName:             fn.Name,
		MaximumRetryAttempts:     pulumi.Int(cfg.MaxRetryAttempts),
		MaximumEventAgeInSeconds: pulumi.Int(cfg.MaxEventAgeSeconds),
		DestinationConfig: &lambda.FunctionEventInvokeConfigDestinationConfigArgs{
			OnFailure: &lambda.FunctionEventInvokeConfigDestinationConfigOnFailureArgs{Destination: deadLetters.Arn},
		},
	}, r.parent); err != nil {
		return nil, err
	}
	return fn, nil
}

// subscribe lets the topic invoke the function and subscribes it, with the destination's filter.
func (r relayDeclarer) subscribe(fn *lambda.Function, topic *sns.Topic) error {
	permission, err := lambda.NewPermission(r.ctx, r.name("sns-invoke"), &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  fn.Name,
		Principal: pulumi.String("sns.amazonaws.com"),
		SourceArn: topic.Arn,
	}, r.parent)
	if err != nil {
		return err
	}
	subArgs := &sns.TopicSubscriptionArgs{
		Topic:    topic.Arn,
		Protocol: pulumi.String("lambda"),
		Endpoint: fn.Arn,
	}
	if filter := r.dest.FilterPolicy(); filter != "" {
		subArgs.FilterPolicy = pulumi.String(filter)
		subArgs.FilterPolicyScope = pulumi.String("MessageBody")
	}
	_, err = sns.NewTopicSubscription(r.ctx, r.name("subscription"), subArgs, r.parent, pulumi.DependsOn([]pulumi.Resource{permission}))
	return err
}

// healthAlarms watch the relay itself: its errors and the dead letters waiting.
func (r relayDeclarer) healthAlarms(fn *lambda.Function, deadLetters *sqs.Queue, ops *sns.Topic) error {
	failing, deadLettersWaiting := settings.HealthAlarmNames(r.cfg.Project, r.cfg.Stack, r.dest.Name)
	if err := r.healthAlarm(r.name("relay-errors"), ops, &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String(failing),
		AlarmDescription: pulumi.String("The alarm relay function failed: alerts may not be reaching chat. Check its logs and the dead-letter queue."),
		Namespace:        pulumi.String("AWS/Lambda"),
		MetricName:       pulumi.String("Errors"),
		Dimensions:       pulumi.StringMap{"FunctionName": fn.Name},
		Statistic:        pulumi.String("Sum"),
	}); err != nil {
		return err
	}
	return r.healthAlarm(r.name("dead-letters-waiting"), ops, &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String(deadLettersWaiting),
		AlarmDescription: pulumi.String("Alerts the relay could not deliver wait in the dead-letter queue: they never reached chat."),
		Namespace:        pulumi.String("AWS/SQS"),
		MetricName:       pulumi.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:       pulumi.StringMap{"QueueName": deadLetters.Name},
		Statistic:        pulumi.String("Maximum"),
	})
}

// relayEnvironment is the relay's configuration (see relayconfig); the webhook (or bot token)
// itself stays in SSM, and the function gets the parameter's name and version. table is the
// incident table, for slack-app destinations.
func relayEnvironment(dest settings.Destination, parameter pulumi.StringOutput, table *dynamodb.Table) pulumi.StringMap {
	config := relayconfig.Config{Messenger: dest.Messenger, Timezone: dest.Timezone, Language: dest.Language, Mentions: dest.Mentions, Trend: dest.Trend}
	if dest.SlackApp() {
		config.SlackChannel, config.Destination = dest.SlackChannel, dest.Name
	}
	env := pulumi.StringMap{}
	for k, v := range config.Env() {
		env[k] = pulumi.String(v)
	}
	if windows, err := dest.Windows.Encode(); err == nil && windows != "" { // settings checked it encodes
		env[maintenance.EnvWindows] = pulumi.String(windows)
	}
	// Known once deployed, each on its own so that a preview shows which one changes: the
	// parameter's version and the table's name.
	if dest.SlackApp() {
		env[relayconfig.EnvSlackTokenParameter] = parameter
		env[relayconfig.EnvStateTable] = table.Name
	} else {
		env[relayconfig.EnvWebhookParameter] = parameter
	}
	return env
}

// healthAlarm completes args as a relay health alarm: any one occurrence in 5 minutes fires it,
// and both ALARM and OK go to the ops topic.
func (d *declarer) healthAlarm(resourceName string, ops *sns.Topic, args *cloudwatch.MetricAlarmArgs) error {
	args.Period = pulumi.Int(300)
	args.EvaluationPeriods = pulumi.Int(1)
	args.Threshold = pulumi.Float64(1)
	args.ComparisonOperator = pulumi.String("GreaterThanOrEqualToThreshold")
	args.TreatMissingData = pulumi.String("notBreaching")
	args.AlarmActions = pulumi.Array{ops.Arn}
	args.OkActions = pulumi.Array{ops.Arn}
	args.Tags = d.tags()
	_, err := cloudwatch.NewMetricAlarm(d.ctx, resourceName, args, d.parent)
	return err
}
