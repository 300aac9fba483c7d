// Package program is the alarm-relay Pulumi program (infra/main.go): the stack configuration,
// checked as a stack file is checked, handed to the public component as its Args.
package program

import (
	"errors"

	"github.com/hashicorp/go-multierror"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/alarmrelay"
	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/infra/internal/stack"
	"github.com/alarm-relay/alarm-relay/internal/build"
)

// Name is the component's name in the program: every URN of an existing stack holds it.
const Name = "alarm-relay"

// Run is the program. relay builds the relay zip (tests pass a memoized build).
func Run(relay func() (build.Artifact, error)) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := Deploy(ctx, relay)
		return err
	}
}

// Deploy checks the configuration before anything else (an invalid stack creates nothing and
// builds nothing: unknown keys, plain-text secrets, the region, the APIs at preview), builds the
// relay, declares the component and exports the stack outputs, which it returns.
func Deploy(ctx *pulumi.Context, relay func() (build.Artifact, error)) (map[string]pulumi.Output, error) {
	cfg, err := settings.Load(ctx)
	if err != nil {
		return nil, problems(err)
	}
	if cfg.CheckAPIs {
		if found := stack.CheckAPIs(ctx, cfg); len(found) > 0 {
			return nil, problems(&settings.Error{Stack: cfg.Stack, Problems: found})
		}
	}
	args, err := Args(ctx, cfg)
	if err != nil {
		return nil, err
	}
	art, err := relay()
	if err != nil {
		return nil, err
	}
	args.RelayZip = art.ZipPath
	r, err := alarmrelay.New(ctx, Name, args)
	if err != nil {
		return nil, err
	}
	outputs := stackOutputs(r, len(cfg.Alarms), len(cfg.Destinations))
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return outputs, nil
}

// stackOutputs are the stack outputs of r, as they always were: the lists only with several
// alarms or destinations.
func stackOutputs(r *alarmrelay.AlarmRelay, alarms, destinations int) map[string]pulumi.Output {
	res := stack.Results{
		TopicArn: r.TopicArn, AlarmName: r.AlarmName, AlarmArn: r.AlarmArn, FunctionName: r.FunctionName,
		DeadLetterQueueURL: r.DeadLetterQueueURL, OpsTopicArn: r.OpsTopicArn, WebhookParameter: r.WebhookParameter,
		TestCommand: r.TestCommand, LogGroupName: r.LogGroupName, ReplayCommand: r.ReplayCommand,
		SlackTokenParameter: r.SlackTokenParameter, Region: r.Region, StateTable: r.StateTable, MaintenanceWindows: r.MaintenanceWindows,
	}
	if alarms > 1 {
		res.AlarmNames = r.AlarmNames
	}
	if destinations > 1 {
		res.FunctionNames, res.LogGroupNames, res.ReplayCommands = r.FunctionNames, r.LogGroupNames, r.ReplayCommands
	}
	return res.Outputs()
}

// problems hands the configuration's problems to Pulumi one by one: the SDK flattens a
// multierror into the failure it reports, so the CLI shows "3 errors occurred:" and one line per
// problem, rather than "1 error occurred:" above a block.
func problems(err error) error {
	var invalid *settings.Error
	if !errors.As(err, &invalid) {
		return err
	}
	out := &multierror.Error{}
	for _, p := range invalid.Problems {
		out.Errors = append(out.Errors, p)
	}
	return out
}
