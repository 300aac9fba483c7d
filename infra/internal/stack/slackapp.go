package stack

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// ReminderInputLimit is EventBridge's limit on a target's constant input.
const ReminderInputLimit = 8192

// SlackTokenParameterName is the SSM parameter of a slack-app destination's bot token.
func SlackTokenParameterName(project, stack, destination string) string {
	return settings.ParameterName(project, stack, destination, "slack-token")
}

// stateTable is the stack's one table of Slack app incidents, shared by its slack-app
// destinations (the destination is the range key). On demand: a few writes per alarm change cost
// less than any provisioned capacity. Encrypted with the AWS-managed key (aws/dynamodb, no key
// policy or IAM of ours needed); closed incidents expire by TTL; no deletion protection, so
// `pulumi destroy` removes it.
func (d *declarer) stateTable() (*dynamodb.Table, error) {
	return dynamodb.NewTable(d.ctx, d.name("incidents"), &dynamodb.TableArgs{
		Name:        pulumi.String(settings.StateTableName(d.cfg.Project, d.cfg.Stack)),
		BillingMode: pulumi.String("PAY_PER_REQUEST"),
		HashKey:     pulumi.String(relayconfig.IncidentHashKey),
		RangeKey:    pulumi.String(relayconfig.IncidentRangeKey),
		Attributes: dynamodb.TableAttributeArray{
			dynamodb.TableAttributeArgs{Name: pulumi.String(relayconfig.IncidentHashKey), Type: pulumi.String("S")},
			dynamodb.TableAttributeArgs{Name: pulumi.String(relayconfig.IncidentRangeKey), Type: pulumi.String("S")},
		},
		Ttl:                       &dynamodb.TableTtlArgs{AttributeName: pulumi.String(relayconfig.IncidentTTLAttribute), Enabled: pulumi.Bool(true)},
		ServerSideEncryption:      &dynamodb.TableServerSideEncryptionArgs{Enabled: pulumi.Bool(true)},
		DeletionProtectionEnabled: pulumi.Bool(false),
		Tags:                      d.tags(),
	}, d.parent)
}

// remindedAlarms are the ARNs of the alarms the destination is reminded of: those it receives
// (its alarms filter, else all of the stack's); none without reminders.
func (r relayDeclarer) remindedAlarms(alarms []*cloudwatch.MetricAlarm) []pulumi.StringOutput {
	if r.dest.RemindEveryMinutes == 0 {
		return nil
	}
	var out []pulumi.StringOutput
	for i, a := range r.cfg.Alarms {
		if len(r.dest.Alarms) == 0 || slices.Contains(r.dest.Alarms, a.Name) {
			out = append(out, alarms[i].Arn)
		}
	}
	return out
}

// rolePolicy is the relay role's policy document (see RolePolicy).
func (r relayDeclarer) rolePolicy(param *ssm.Parameter, logGroup *cloudwatch.LogGroup, deadLetters *sqs.Queue, table *dynamodb.Table,
	reminded []pulumi.StringOutput) pulumi.StringOutput {
	dest := r.dest
	inputs := []any{param.Arn, logGroup.Arn, deadLetters.Arn}
	if dest.SlackApp() {
		inputs = append(inputs, table.Arn)
	}
	for _, arn := range reminded {
		inputs = append(inputs, arn)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		g := Grants{Parameter: v[0].(string), LogGroup: v[1].(string), Queue: v[2].(string), Trend: dest.Trend, SlackApp: dest.SlackApp()}
		rest := v[3:]
		if dest.SlackApp() {
			g.StateTable, rest = rest[0].(string), rest[1:]
		}
		for _, arn := range rest {
			g.Alarms = append(g.Alarms, arn.(string))
		}
		return RolePolicy(g)
	}).(pulumi.StringOutput)
}

// Rate is the schedule expression of a reminder every n minutes (EventBridge wants the singular
// for 1).
func Rate(n int) string {
	if n == 1 {
		return "rate(1 minute)"
	}
	return fmt.Sprintf("rate(%d minutes)", n)
}

// reminders schedule the destination's reminder ticks: every RemindEveryMinutes, EventBridge
// invokes its relay (asynchronously, so the function's retries and dead-letter queue cover a
// failed tick) with the alarms to look at; the relay reminds of those still in ALARM.
func (r relayDeclarer) reminders(fn *lambda.Function, reminded []pulumi.StringOutput) error {
	every := r.dest.RemindEveryMinutes
	if every == 0 || len(reminded) == 0 {
		return nil
	}
	who := r.who()
	rule, err := cloudwatch.NewEventRule(r.ctx, r.name("reminders"), &cloudwatch.EventRuleArgs{
		Description:        pulumi.Sprintf("Alarm relay %s: remind of alarms still in ALARM every %d minutes.", who, every),
		ScheduleExpression: pulumi.String(Rate(every)),
		Tags:               r.tags(),
	}, r.parent)
	if err != nil {
		return err
	}
	permission, err := lambda.NewPermission(r.ctx, r.name("reminders-invoke"), &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  fn.Name,
		Principal: pulumi.String("events.amazonaws.com"),
		SourceArn: rule.Arn,
	}, r.parent)
	if err != nil {
		return err
	}
	arns := make([]any, len(reminded))
	for i, a := range reminded {
		arns[i] = a
	}
	input := pulumi.All(arns...).ApplyT(func(v []any) (string, error) {
		list := make([]string, len(v))
		for i, a := range v {
			list[i] = a.(string)
		}
		in, err := relayconfig.ReminderInput(every, list)
		if err == nil && len(in) > ReminderInputLimit {
			err = fmt.Errorf("reminder schedule of %s: its input lists %d alarms in %d bytes; EventBridge takes %d: list fewer alarms for the destination", who, len(list), len(in), ReminderInputLimit)
		}
		return in, err
	}).(pulumi.StringOutput)
	_, err = cloudwatch.NewEventTarget(r.ctx, r.name("reminders-target"), &cloudwatch.EventTargetArgs{
		Rule:  rule.Name,
		Arn:   fn.Arn,
		Input: input,
	}, r.parent, pulumi.DependsOn([]pulumi.Resource{permission}))
	return err
}
