package stack

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/alarmkind"
	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/clip"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// alarm declares one CloudWatch alarm that notifies the topic of every state change: ALARM, OK
// and INSUFFICIENT_DATA (without that action CloudWatch publishes no INSUFFICIENT_DATA change at
// all). Each destination's filter policy picks the changes it hears.
func (d *declarer) alarm(a settings.Alarm, topic *sns.Topic) (*cloudwatch.MetricAlarm, error) {
	args := &cloudwatch.MetricAlarmArgs{
		Name:                    pulumi.String(a.Name),
		AlarmDescription:        pulumi.String(AlarmDescription(a, d.cfg.Project, d.cfg.Stack)),
		EvaluationPeriods:       pulumi.Int(a.EvaluationPeriods),
		DatapointsToAlarm:       pulumi.Int(a.DatapointsToAlarm),
		ComparisonOperator:      pulumi.String(a.Operator),
		TreatMissingData:        pulumi.String(a.TreatMissingData),
		ActionsEnabled:          pulumi.Bool(true),
		AlarmActions:            pulumi.Array{topic.Arn},
		OkActions:               pulumi.Array{topic.Arn},
		InsufficientDataActions: pulumi.Array{topic.Arn},
		Tags:                    d.tags(),
	}
	kind, ok := alarmkind.Lookup(a.Kind)
	if !ok {
		return nil, fmt.Errorf("alarm %s: unknown kind %q", a.ID, a.Kind)
	}
	if d.cfg.APIValue != nil && a.APIKey == "apiName" { // the top-level API, given as an output
		a.APIValue = d.cfg.APIValue
	}
	kind.Args(a, args)
	name := d.name("alarm-" + a.ID)
	if a.Shorthand {
		name = d.name("latency") // the name every stack had before the alarms key existed
	}
	// The same CloudWatch alarm may exist in the stack under another resource name: keep it.
	var aliases []pulumi.Alias
	for _, id := range a.FormerIDs {
		aliases = append(aliases, pulumi.Alias{Name: pulumi.String(d.name("alarm-" + id))})
	}
	if a.FormerShorthand {
		aliases = append(aliases, pulumi.Alias{Name: pulumi.String(d.name("latency"))})
	}
	opts := []pulumi.ResourceOption{d.parent}
	if len(aliases) > 0 {
		opts = append(opts, pulumi.Aliases(aliases))
	}
	return cloudwatch.NewMetricAlarm(d.ctx, name, args, opts...)
}

// AlarmDescription says what the alarm means, what to look at, and which stack manages it.
func AlarmDescription(a settings.Alarm, project, stack string) string {
	window := fmt.Sprintf("for %d of %d periods of %d seconds", a.DatapointsToAlarm, a.EvaluationPeriods, a.PeriodSeconds)
	what := ""
	if kind, ok := alarmkind.Lookup(a.Kind); ok {
		what = kind.Describe(a, window)
	}
	if a.Description != "" {
		what = strings.TrimSpace(a.Description) + " " + what
	}
	tail := " Managed by Pulumi stack " + project + "/" + stack + "."
	if a.Runbook != "" { // last, never cut: the relay turns it into a button
		tail += " " + relayconfig.RunbookText(a.Runbook)
	}
	// CloudWatch counts the description's bytes; a cut ends on a whole character, with "…".
	if room := settings.AlarmDescriptionBytes - len(tail); len(what) > room {
		what = clip.String(what, room)
	}
	return what + tail
}
