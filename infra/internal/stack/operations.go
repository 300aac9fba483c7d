package stack

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// ReplayCommand is the shell command that delivers what waits in a relay's dead-letter queue with
// that relay's own settings: `go run ./function -replay-dead-letters` from the project directory,
// in a subshell that takes the caller's AWS credentials from the AWS CLI (the relay reads only
// credentials in the environment, as Lambda provides them). parameter is the webhook parameter
// without a version: a replay uses the current webhook, which may have been fixed since.
func ReplayCommand(queueURL, region, parameter string, env map[string]string) string {
	vars := map[string]string{"AWS_REGION": region, "WEBHOOK_PARAMETER": parameter}
	for k, v := range env {
		if k != "WEBHOOK_PARAMETER" {
			vars[k] = v
		}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`( eval "$(aws configure export-credentials --format env)" && `)
	for _, k := range names {
		b.WriteString(k + "=" + shellQuote(vars[k]) + " ")
	}
	b.WriteString("go run ./function -replay-dead-letters " + shellQuote(queueURL) + " )")
	return b.String()
}

// replayCommand is ReplayCommand for one destination's relay, as a stack output.
func replayCommand(dest settings.Destination, param *ssm.Parameter, queue *sqs.Queue) pulumi.StringOutput {
	env := map[string]string{}
	for k, v := range relayEnvironment(dest, param.Name) {
		if s, ok := v.(pulumi.String); ok { // the settings; the parameter reference is an output
			env[k] = string(s)
		}
	}
	return pulumi.All(queue.Url, queue.Arn, param.Name).ApplyT(func(v []any) string {
		return ReplayCommand(v[0].(string), regionOf(v[1].(string)), v[2].(string), env)
	}).(pulumi.StringOutput)
}

// joinLines joins one string output of each item, one per line (commands for eval).
func joinLines[T any](items []T, get func(T) pulumi.StringOutput) pulumi.StringOutput {
	outs := make([]any, len(items))
	for i, item := range items {
		outs[i] = get(item)
	}
	return pulumi.All(outs...).ApplyT(func(v []any) string {
		lines := make([]string, len(v))
		for i, s := range v {
			lines[i] = s.(string)
		}
		return strings.Join(lines, "\n")
	}).(pulumi.StringOutput)
}
