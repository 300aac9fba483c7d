package stack

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/clip"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
)

// scheduleNameChars is EventBridge Scheduler's limit on a schedule's name.
const scheduleNameChars = 64

// WindowScheduleName is the AWS name of a window's end schedule: the relay function's name and
// the window's, cut to fit, with a hash of all four parts so that no two stacks, destinations or
// windows share one.
func WindowScheduleName(project, stack, destination, window string) string {
	tail := "-" + window + "-" + settings.ShortHash(project, stack, destination, window)
	fn := strings.TrimSuffix(settings.FunctionName(project, stack, destination), "-relay")
	return strings.TrimRight(clip.Prefix(fn, scheduleNameChars-len(tail)), "-_") + tail
}

// SchedulerAssumeRolePolicy lets EventBridge Scheduler assume the role that invokes the relay at
// a window's end, for the schedules of the relay's own account and region only (the confused
// deputy: aws:SourceAccount, and aws:SourceArn the default schedule group, where the stack puts
// them). A trust policy names no Resource (IAM refuses the field, even as null), so it has its
// own shape, not policyStatement's.
func SchedulerAssumeRolePolicy(functionARN string) (string, error) {
	f := strings.SplitN(functionARN, ":", 7)
	if len(f) < 7 || f[0] != "arn" || f[1] == "" || f[3] == "" || f[4] == "" {
		return "", fmt.Errorf("function ARN %q has no partition, region or account", functionARN)
	}
	type statement struct {
		Effect    string                       `json:"Effect"`
		Principal map[string]string            `json:"Principal"`
		Action    []string                     `json:"Action"`
		Condition map[string]map[string]string `json:"Condition"`
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", []statement{{
		Effect: "Allow", Principal: map[string]string{"Service": "scheduler.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{"StringEquals": {
			"aws:SourceAccount": f[4],
			"aws:SourceArn":     "arn:" + f[1] + ":scheduler:" + f[3] + ":" + f[4] + ":schedule-group/default",
		}},
	}}}
	out, err := json.Marshal(doc)
	return string(out), err
}

// InvokeOnlyPolicy may invoke the one function, nothing else.
func InvokeOnlyPolicy(functionARN string) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "InvokeTheRelay", Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: []string{functionARN}},
	}}
	out, err := json.Marshal(doc)
	return string(out), err
}

// windowAlarms are the ARNs of the destination's alarms a window holds, in the stack's order.
func (r relayDeclarer) windowAlarms(w maintenance.Window, alarms []*cloudwatch.MetricAlarm) []pulumi.StringOutput {
	var out []pulumi.StringOutput
	for i, a := range r.cfg.Alarms {
		if (len(r.dest.Alarms) == 0 || slices.Contains(r.dest.Alarms, a.Name)) && w.Holds(a.Name) {
			out = append(out, alarms[i].Arn)
		}
	}
	return out
}

// describedAlarms are the alarms the relay may describe: those it reminds of, and those its
// windows hold (their summaries read the alarms' states).
func (r relayDeclarer) describedAlarms(reminded []pulumi.StringOutput, alarms []*cloudwatch.MetricAlarm) []pulumi.StringOutput {
	if len(reminded) > 0 || len(r.dest.Windows) == 0 {
		return reminded // every alarm the destination receives, a superset of its windows'
	}
	var out []pulumi.StringOutput
	for i, a := range r.cfg.Alarms {
		if !(len(r.dest.Alarms) == 0 || slices.Contains(r.dest.Alarms, a.Name)) {
			continue
		}
		for _, w := range r.dest.Windows {
			if w.Holds(a.Name) {
				out = append(out, alarms[i].Arn)
				break
			}
		}
	}
	return out
}

// windowSchedules create, for each of the destination's windows, an EventBridge Scheduler
// schedule at the window's end that invokes the relay (asynchronously: the function's retries and
// dead-letter queue cover a failed summary) with the window's name and alarms; the scheduler
// assumes a role that may invoke this function and nothing else. A one-off window that has ended
// gets no schedule.
func (r relayDeclarer) windowSchedules(fn *lambda.Function, alarms []*cloudwatch.MetricAlarm, now time.Time) error {
	type planned struct {
		w    maintenance.Window
		arns []pulumi.StringOutput
	}
	var plans []planned
	for _, w := range r.dest.Windows {
		if _, ended := w.LastEnded(now); ended && !w.Recurring() {
			continue
		}
		if arns := r.windowAlarms(w, alarms); len(arns) > 0 {
			plans = append(plans, planned{w, arns})
		}
	}
	if len(plans) == 0 {
		return nil
	}
	role, err := iam.NewRole(r.ctx, r.name("windows-role"), &iam.RoleArgs{
		Description:      pulumi.String("EventBridge Scheduler invokes the alarm relay at the end of its maintenance windows."),
		AssumeRolePolicy: fn.Arn.ApplyT(SchedulerAssumeRolePolicy).(pulumi.StringOutput),
		Tags:             r.tags(),
	}, r.parent)
	if err != nil {
		return err
	}
	policy, err := iam.NewRolePolicy(r.ctx, r.name("windows-policy"), &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: fn.Arn.ApplyT(InvokeOnlyPolicy).(pulumi.StringOutput),
	}, r.parent)
	if err != nil {
		return err
	}
	for _, p := range plans {
		expression, zone := p.w.EndSchedule()
		arns := make([]any, len(p.arns))
		for i, a := range p.arns {
			arns[i] = a
		}
		name := p.w.Name
		input := pulumi.All(arns...).ApplyT(func(v []any) (string, error) {
			list := make([]string, len(v))
			for i, a := range v {
				list[i] = a.(string)
			}
			in, err := maintenance.EndInput(name, list)
			if err == nil && len(in) > ReminderInputLimit {
				err = fmt.Errorf("window %s of %s: its end schedule's input lists %d alarms in %d bytes; EventBridge Scheduler takes %d: list fewer alarms in the window", name, r.who(), len(list), len(in), ReminderInputLimit)
			}
			return in, err
		}).(pulumi.StringOutput)
		if _, err := scheduler.NewSchedule(r.ctx, r.name("window-"+name), &scheduler.ScheduleArgs{
			Name:                       pulumi.String(WindowScheduleName(r.cfg.Project, r.cfg.Stack, r.dest.Name, name)),
			Description:                pulumi.Sprintf("Alarm relay %s: maintenance window %s ended; sum up what it held.", r.who(), name),
			ScheduleExpression:         pulumi.String(expression),
			ScheduleExpressionTimezone: pulumi.String(zone),
			FlexibleTimeWindow:         &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
			Target: &scheduler.ScheduleTargetArgs{
				Arn:     fn.Arn,
				RoleArn: role.Arn,
				Input:   input,
			},
		}, r.parent, pulumi.DependsOn([]pulumi.Resource{policy})); err != nil {
			return err
		}
	}
	return nil
}

// WindowsOutput is the maintenanceWindows stack output: each window's next start in its zone,
// one line per window and destination ("sunday-deploy: next Sun 2026-12-06 02:00 KST (Asia/Seoul)
// until 04:00 KST"); "" without windows.
func WindowsOutput(cfg settings.Settings, now time.Time) string {
	var lines []string
	for _, d := range cfg.Destinations {
		for _, w := range d.Windows {
			who := w.Name
			if !d.Shorthand {
				who += " (" + d.Name + ")"
			}
			if !holdsAny(cfg, d, w) {
				// No schedule either (windowSchedules): saying when it starts would suggest it does something.
				lines = append(lines, who+": holds none of the destination's alarms (check the window's alarms and the destination's)")
				continue
			}
			loc := w.Location()
			zone := loc.String()
			if !w.Recurring() {
				loc = time.FixedZone("", offsetOf(w.Start))
				zone = "as written"
			}
			const layout = "Mon 2006-01-02 15:04 MST"
			if o, ok := w.At(now); ok {
				lines = append(lines, fmt.Sprintf("%s: now, since %s (%s) until %s", who, o.Start.In(loc).Format(layout), zone, o.End.In(loc).Format(layout)))
			} else if o, ok := w.Next(now); ok {
				lines = append(lines, fmt.Sprintf("%s: next %s (%s) until %s", who, o.Start.In(loc).Format(layout), zone, o.End.In(loc).Format(layout)))
			} else {
				lines = append(lines, who+": ended (a one-off window: remove it from the configuration)")
			}
		}
	}
	return strings.Join(lines, "\n")
}

// holdsAny tells whether the window holds any alarm the destination receives.
func holdsAny(cfg settings.Settings, d settings.Destination, w maintenance.Window) bool {
	for _, a := range cfg.Alarms {
		if (len(d.Alarms) == 0 || slices.Contains(d.Alarms, a.Name)) && w.Holds(a.Name) {
			return true
		}
	}
	return false
}

// offsetOf is the UTC offset, in seconds, an RFC 3339 timestamp was written with.
func offsetOf(rfc3339 string) int {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return 0
	}
	_, off := t.Zone()
	return off
}
