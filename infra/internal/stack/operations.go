package stack

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// ReplayCommand is the shell command that delivers what waits in a relay's dead-letter queue with
// that relay's own settings: `go run ./function -replay-dead-letters` from the project directory,
// in a subshell that takes the caller's AWS credentials from the AWS CLI (the relay reads only
// credentials in the environment, as Lambda provides them). env is the relay's environment with
// its secret's parameter named without a version: a replay uses the current webhook or token,
// which may have been fixed since.
func ReplayCommand(queueURL, region string, env map[string]string) string {
	vars := map[string]string{"AWS_REGION": region}
	for k, v := range env {
		vars[k] = v
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`( creds="$(aws configure export-credentials --format env)" && eval "$creds" && `)
	for _, k := range names {
		b.WriteString(k + "=" + shellQuote(vars[k]) + " ")
	}
	b.WriteString("go run ./function -replay-dead-letters " + shellQuote(queueURL) + " )")
	return b.String()
}

// replayCommand is ReplayCommand for one destination's relay, as a stack output.
func replayCommand(dest settings.Destination, param *ssm.Parameter, queue *sqs.Queue, table *dynamodb.Table) pulumi.StringOutput {
	env := relayEnvironment(dest, param.Name, table)
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	values := []any{queue.Url, queue.Arn}
	for _, k := range names {
		values = append(values, env[k])
	}
	return pulumi.All(values...).ApplyT(func(v []any) string {
		vars := map[string]string{}
		for i, k := range names {
			vars[k] = v[2+i].(string)
		}
		return ReplayCommand(v[0].(string), regionOf(v[1].(string)), vars)
	}).(pulumi.StringOutput)
}
