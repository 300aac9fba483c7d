// Package alarmrelay is the alarm-relay stack as a Pulumi component for Go programs: CloudWatch
// alarms on an API Gateway API → an SNS topic → a relay Lambda per destination → Slack or Teams,
// with the relay's secret, role, logs, retries, dead-letter queue and health alarms.
//
//	api, _ := apigateway.NewRestApi(ctx, "orders", nil)
//	relay, err := alarmrelay.New(ctx, "orders-alerts", &alarmrelay.Args{
//		APIName:    api.Name,
//		APIStage:   "prod",
//		WebhookURL: cfg.RequireSecret("webhookUrl"),
//	})
//	ctx.Export("alarmTopic", relay.TopicArn)
//
// New builds the relay from this module's source (the go command must be on PATH) unless
// Args.RelayZip names a zip built already. The alarm-relay program (infra/) is a user of New.
package alarmrelay

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/infra/internal/stack"
)

// Type is the component's type token, as `pulumi preview` shows it.
const Type = stack.ComponentType

// AlarmRelay is the component; its fields are what it declared.
type AlarmRelay struct {
	pulumi.ResourceState

	TopicArn     pulumi.StringOutput // the topic every alarm notifies: publish to it to reach the destinations
	AlarmName    pulumi.StringOutput // the first alarm's CloudWatch name
	AlarmArn     pulumi.StringOutput
	FunctionName pulumi.StringOutput // the first destination's relay
	// DeadLetterQueueURL is the first relay's: notifications it could not deliver.
	DeadLetterQueueURL pulumi.StringOutput
	OpsTopicArn        pulumi.StringOutput // the relays' own health alarms
	LogGroupName       pulumi.StringOutput // the first relay's logs
	TestCommand        pulumi.StringOutput // sets the first alarm to ALARM: the whole path end to end
	ReplayCommand      pulumi.StringOutput // delivers the first relay's dead letters; run it in the program's directory
	Region             pulumi.StringOutput

	// Every alarm's and every relay's, in the order of Args (one each for the single alarm and
	// the single webhook).
	AlarmNames     pulumi.StringArrayOutput
	FunctionNames  pulumi.StringArrayOutput
	LogGroupNames  pulumi.StringArrayOutput
	ReplayCommands pulumi.StringOutput // one per line

	// WebhookParameter and SlackTokenParameter are the SSM parameters of the first webhook and
	// the first Slack app destination; StateTable the Slack apps' incident table. Each is unset
	// (a zero output) without such a destination.
	WebhookParameter    pulumi.StringOutput
	SlackTokenParameter pulumi.StringOutput
	StateTable          pulumi.StringOutput
	// MaintenanceWindows says when each window starts next, one per line; unset without windows.
	MaintenanceWindows pulumi.StringOutput
}

// New declares an alarm relay named name (not blank). All problems of args are reported together, each naming its field
// (Alarms[1].Threshold), before anything is built or declared. The AWS names of what it declares
// (alarms, functions, parameters) come from the project and stack names, so a stack holds one
// AlarmRelay.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*AlarmRelay, error) {
	if problem := nameProblem(name); problem != "" {
		return nil, &Error{Component: name, Problems: []Problem{{Field: "name", Message: problem}}}
	}
	if args == nil {
		args = &Args{}
	}
	cfg, err := settingsOf(ctx, name, args)
	if err != nil {
		return nil, err
	}
	if err := claimStack(ctx, name); err != nil {
		return nil, err
	}
	art, err := artifact(ctx.Context(), args.RelayZip)
	if err != nil {
		return nil, fmt.Errorf("alarmrelay %s: %w", name, err)
	}
	r := &AlarmRelay{}
	if err := ctx.RegisterComponentResource(Type, name, r, opts...); err != nil {
		return nil, err
	}
	var out stack.Results
	if err := stack.Declare(ctx, name, cfg, art, r, &out); err != nil {
		return nil, err
	}
	r.set(out)
	return r, nil
}

// set copies what the stack declared; the lists hold every alarm and relay even when there is
// one (the program's stack outputs leave them out then).
func (r *AlarmRelay) set(out stack.Results) {
	r.TopicArn, r.AlarmName, r.AlarmArn, r.FunctionName = out.TopicArn, out.AlarmName, out.AlarmArn, out.FunctionName
	r.DeadLetterQueueURL, r.OpsTopicArn, r.LogGroupName = out.DeadLetterQueueURL, out.OpsTopicArn, out.LogGroupName
	r.TestCommand, r.ReplayCommand, r.Region = out.TestCommand, out.ReplayCommand, out.Region
	r.AlarmNames, r.FunctionNames, r.LogGroupNames, r.ReplayCommands = out.AlarmNames, out.FunctionNames, out.LogGroupNames, out.ReplayCommands
	if r.AlarmNames.OutputState == nil {
		r.AlarmNames = pulumi.StringArray{out.AlarmName}.ToStringArrayOutput()
	}
	if r.FunctionNames.OutputState == nil {
		r.FunctionNames = pulumi.StringArray{out.FunctionName}.ToStringArrayOutput()
		r.LogGroupNames = pulumi.StringArray{out.LogGroupName}.ToStringArrayOutput()
		r.ReplayCommands = out.ReplayCommand
	}
	r.WebhookParameter, r.SlackTokenParameter, r.StateTable, r.MaintenanceWindows = out.WebhookParameter, out.SlackTokenParameter, out.StateTable, out.MaintenanceWindows
	r.ReplayCommand, r.ReplayCommands = replayCommands(r.ReplayCommand), replayCommands(r.ReplayCommands)
}

// Problem is one thing wrong with Args: the field (Destinations[0].Webhook) and a sentence with
// the value (never a secret) and what is allowed.
type Problem struct {
	Field, Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Error is every problem of one component's Args.
type Error struct {
	Component string
	Problems  []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "alarmrelay %s: invalid Args (%d problem", e.Component, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p.Error())
	}
	return b.String()
}

// settingsOf checks args by the rules of the stack configuration (one rule book: a value the
// program refuses in Pulumi.<stack>.yaml, New refuses in Args) and returns the stack's settings.
func settingsOf(ctx *pulumi.Context, name string, args *Args) (settings.Settings, error) {
	label, apiValue := apiName(name, args)
	values, problems := values(ctx, args, label)
	cfg, err := settings.FromValues(ctx.Project(), ctx.Stack(), values)
	if invalid, ok := err.(*settings.Error); ok {
		reported := map[string]bool{}
		for _, p := range problems {
			reported[p.Field] = true
		}
		for _, p := range invalid.Problems {
			field := fieldOf(p.Key)
			if field == "APIName" && apiValue != nil && args.APILabel != "" {
				field = "APILabel" // what the rules read as apiName is the label
			}
			if !reported[field] { // a secret that could not be read is not also "not set"
				problems = append(problems, Problem{Field: field, Message: argsMessage(field, p.Message)})
			}
		}
	} else if err != nil {
		return settings.Settings{}, err
	}
	if len(problems) > 0 {
		return settings.Settings{}, &Error{Component: name, Problems: problems}
	}
	cfg.APIValue = apiValue
	return cfg, nil
}

// apiName is the API's name as names and labels use it, and its output where the alarms'
// dimension takes one: a plain pulumi.String names the alarms itself; anything else (an
// output such as restApi.Name) is labelled by APILabel or the component's name.
func apiName(name string, args *Args) (label string, value pulumi.StringInput) {
	if args.APIName == nil {
		return "", nil
	}
	if s, plain := args.APIName.(pulumi.String); plain && args.APILabel == "" {
		return string(s), nil
	}
	if args.APILabel != "" {
		return args.APILabel, args.APIName
	}
	return name, args.APIName
}
