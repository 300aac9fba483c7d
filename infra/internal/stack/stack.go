// Package stack declares every resource of one alarm-relay stack inside a single component (the
// public infra/alarmrelay registers it; Declare fills it):
// CloudWatch alarms → one SNS topic → a relay Lambda per destination → chat, each relay with its
// secret, role, logs, retries, dead-letter queue and its own health alarms (on a separate ops
// topic), and the incident table and reminder schedules of Slack app destinations.
package stack

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// ComponentType is the component's type token, as `pulumi preview` shows it.
const ComponentType = "alarm-relay:index:AlarmRelay"

// Results are what a stack declared, as outputs: the program's stack outputs, and the public
// component's fields.
type Results struct {
	TopicArn           pulumi.StringOutput
	AlarmName          pulumi.StringOutput
	AlarmArn           pulumi.StringOutput
	FunctionName       pulumi.StringOutput
	DeadLetterQueueURL pulumi.StringOutput
	OpsTopicArn        pulumi.StringOutput
	WebhookParameter   pulumi.StringOutput // the first webhook destination's; unset without one
	TestCommand        pulumi.StringOutput // quoted for the shell: eval "$(pulumi stack output testCommand)"
	LogGroupName       pulumi.StringOutput // the relay's logs: aws logs tail NAME --follow
	ReplayCommand      pulumi.StringOutput // delivers the dead letters: eval "$(pulumi stack output replayCommand)"

	// SlackTokenParameter is the first Slack app destination's token parameter; unset without one.
	SlackTokenParameter pulumi.StringOutput
	Region              pulumi.StringOutput // the stack's aws:region, where everything is

	// With several alarms or destinations, all their names as lists (`pulumi stack output --json`
	// gives JSON arrays); the single ones above are the first.
	AlarmNames    pulumi.StringArrayOutput
	FunctionNames pulumi.StringArrayOutput
	// With several destinations, every relay's log group, and its replay command (one per line,
	// for eval).
	LogGroupNames  pulumi.StringArrayOutput
	ReplayCommands pulumi.StringOutput
	// With Slack app destinations, the table of their incidents.
	StateTable pulumi.StringOutput
	// With maintenance windows, each one's next start in its zone (one per line).
	MaintenanceWindows pulumi.StringOutput
}

// Outputs are the stack outputs, by name: text, or lists of text.
func (r *Results) Outputs() map[string]pulumi.Output {
	out := map[string]pulumi.Output{
		"topicArn":           r.TopicArn,
		"alarmName":          r.AlarmName,
		"alarmArn":           r.AlarmArn,
		"functionName":       r.FunctionName,
		"deadLetterQueueUrl": r.DeadLetterQueueURL,
		"opsTopicArn":        r.OpsTopicArn,
		"testCommand":        r.TestCommand,
		"logGroupName":       r.LogGroupName,
		"replayCommand":      r.ReplayCommand,
		"region":             r.Region,
	}
	if r.WebhookParameter.OutputState != nil {
		out["webhookParameter"] = r.WebhookParameter
	}
	if r.SlackTokenParameter.OutputState != nil {
		out["slackTokenParameter"] = r.SlackTokenParameter
	}
	if r.AlarmNames.OutputState != nil {
		out["alarmNames"] = r.AlarmNames
	}
	if r.FunctionNames.OutputState != nil {
		out["functionNames"] = r.FunctionNames
	}
	if r.StateTable.OutputState != nil {
		out["stateTable"] = r.StateTable
	}
	if r.MaintenanceWindows.OutputState != nil {
		out["maintenanceWindows"] = r.MaintenanceWindows
	}
	if r.LogGroupNames.OutputState != nil {
		out["logGroupNames"] = r.LogGroupNames
		out["replayCommands"] = r.ReplayCommands
	}
	return out
}

// Declare declares the stack's resources as children of component (registered as ComponentType
// under name: the URNs of an existing stack depend on both), sets out, and completes the
// component with its outputs.
func Declare(ctx *pulumi.Context, name string, cfg settings.Settings, art build.Artifact, component pulumi.ComponentResource, out *Results) error {
	d := declarer{ctx: ctx, cfg: cfg, parent: pulumi.Parent(component), prefix: name}
	if err := d.declare(out, art); err != nil {
		return err
	}
	return ctx.RegisterResourceOutputs(component, pulumi.Map{
		"topicArn": out.TopicArn, "alarmName": out.AlarmName, "functionName": out.FunctionName,
	})
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

// declare: one topic for every alarm; one relay per destination, each subscribed on its own, so
// that a failing destination cannot delay or duplicate another's messages.
func (d *declarer) declare(r *Results, art build.Artifact) error {
	topic, err := d.topic()
	if err != nil {
		return err
	}
	var alarms []*cloudwatch.MetricAlarm
	for _, a := range d.cfg.Alarms {
		alarm, err := d.alarm(a, topic)
		if err != nil {
			return err
		}
		alarms = append(alarms, alarm)
	}
	ops, err := d.opsTopic()
	if err != nil {
		return err
	}
	sh := shared{topic: topic, ops: ops, alarms: alarms}
	if d.cfg.SlackApps() {
		if sh.stateTable, err = d.stateTable(); err != nil {
			return err
		}
		r.StateTable = sh.stateTable.Name
	}
	var relays []*relay
	for _, dest := range d.cfg.Destinations {
		rel, err := d.relay(dest, sh, art)
		if err != nil {
			return err
		}
		relays = append(relays, rel)
	}

	if windows := WindowsOutput(d.cfg, settings.Now()); windows != "" {
		r.MaintenanceWindows = pulumi.String(windows).ToStringOutput()
	}
	first, firstRelay := alarms[0], relays[0]
	r.TopicArn = topic.Arn
	r.AlarmName = first.Name
	r.AlarmArn = first.Arn
	r.FunctionName = firstRelay.function.Name
	r.DeadLetterQueueURL = firstRelay.deadLetters.Url
	r.OpsTopicArn = ops.Arn
	// A parameter output says what it holds: a Slack app's is a token, not a webhook.
	for i, dest := range d.cfg.Destinations {
		switch {
		case dest.SlackApp() && r.SlackTokenParameter.OutputState == nil:
			r.SlackTokenParameter = relays[i].parameter.Name
		case !dest.SlackApp() && r.WebhookParameter.OutputState == nil:
			r.WebhookParameter = relays[i].parameter.Name
		}
	}
	r.Region = pulumi.String(d.cfg.Region).ToStringOutput()
	r.TestCommand = pulumi.All(first.Name, first.Arn).ApplyT(func(v []any) string {
		return TestCommand(v[0].(string), regionOf(v[1].(string)))
	}).(pulumi.StringOutput)
	if len(alarms) > 1 {
		r.AlarmNames = listOutputs(alarms, func(a *cloudwatch.MetricAlarm) pulumi.StringOutput { return a.Name })
	}
	r.LogGroupName = firstRelay.logGroup.Name
	r.ReplayCommand = firstRelay.replay
	if len(relays) > 1 {
		r.FunctionNames = listOutputs(relays, func(rel *relay) pulumi.StringOutput { return rel.function.Name })
		r.LogGroupNames = listOutputs(relays, func(rel *relay) pulumi.StringOutput { return rel.logGroup.Name })
		r.ReplayCommands = joinOutputs(relays, "\n", func(rel *relay) pulumi.StringOutput { return rel.replay })
	}
	return nil
}

// listOutputs is one string output of each item, as a list.
func listOutputs[T any](items []T, get func(T) pulumi.StringOutput) pulumi.StringArrayOutput {
	outs := make(pulumi.StringArray, len(items))
	for i, item := range items {
		outs[i] = get(item)
	}
	return outs.ToStringArrayOutput()
}

// joinOutputs joins one string output of each item with sep ("\n" for commands: one per line,
// for eval).
func joinOutputs[T any](items []T, sep string, get func(T) pulumi.StringOutput) pulumi.StringOutput {
	outs := make([]any, len(items))
	for i, item := range items {
		outs[i] = get(item)
	}
	return pulumi.All(outs...).ApplyT(func(v []any) string {
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = s.(string)
		}
		return strings.Join(parts, sep)
	}).(pulumi.StringOutput)
}

// topic is the SNS topic every alarm of the stack notifies. Encrypted only with a customer-managed
// key whose policy lets CloudWatch use it: with the AWS-managed aws/sns key, alarm notifications
// are silently dropped.
func (d *declarer) topic() (*sns.Topic, error) {
	args := &sns.TopicArgs{
		DisplayName: pulumi.String(TopicDisplayName(d.cfg.Project, d.cfg.Stack)),
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
			// The shortest wait AWS allows: after `pulumi destroy` the key stops costing in 7 days, not 30.
			DeletionWindowInDays: pulumi.Int(7),
			Policy:               pulumi.String(policy),
			Tags:                 d.tags(),
		}, d.parent)
		if err != nil {
			return nil, err
		}
		args.KmsMasterKeyId = key.Arn
	}
	return sns.NewTopic(d.ctx, d.name("topic"), args, d.parent)
}

// topicDisplayNameChars is SNS's limit on a topic's display name.
const topicDisplayNameChars = 100

// TopicDisplayName names the alarm topic for people ("alarm-relay alarms (alarm-relay/dev)"),
// within SNS's 100 characters however long the project and stack names are.
func TopicDisplayName(project, stack string) string {
	return clip.String("alarm-relay alarms"+settings.StackSuffix(project, stack), topicDisplayNameChars)
}

// opsTopic receives the relays' own health alarms, so that a broken relay is noticed through a
// path that does not go through a relay.
func (d *declarer) opsTopic() (*sns.Topic, error) {
	ops, err := sns.NewTopic(d.ctx, d.name("ops-topic"), &sns.TopicArgs{
		DisplayName: pulumi.String("Alarm relay health"),
		Tags:        d.tags(),
	}, d.parent)
	if err != nil {
		return nil, err
	}
	if d.cfg.AlertEmail != "" {
		if _, err := sns.NewTopicSubscription(d.ctx, d.name("ops-email"), &sns.TopicSubscriptionArgs{
			Topic:    ops.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(d.cfg.AlertEmail),
		}, d.parent); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

// TestCommand sets an alarm (the stack's first) to ALARM by hand: it exercises topic, relay and webhook end to end
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
