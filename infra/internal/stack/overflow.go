package stack

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// A destination's overflow: what the webhook (or the Slack app's channel) pushes back on during an
// alarm storm waits in an SQS queue, which Lambda's event source mapping hands back to the same
// function in batches (each posted as a digest; for a Slack app, shown in shared digest roots
// edited in place). Messages that keep failing go to the destination's
// dead-letter queue, where the replay command finds them beside the function's own.

// overflowRetentionSeconds keeps an overflow message four days (SQS's default). A message that
// cannot be posted is dead-lettered after OverflowMaxReceives tries, long before; the dead-letter
// queue's two weeks count from the message's first enqueue, so they must be the longer.
const overflowRetentionSeconds = 4 * 24 * 3600

// OverflowVisibilitySeconds is the overflow queue's visibility timeout: six times the function's
// timeout plus the batching window, as AWS asks of a queue an event source mapping reads, so
// that a batch is not handed out again while an invocation (with its retries) still works on it.
func OverflowVisibilitySeconds(functionTimeout, window int) int {
	return 6*functionTimeout + window
}

// declareAsBeforeOverflow declares stacks as the program did before the overflow existed, for
// TestOverflowJoinsExistingStacks to compare with: it is never set otherwise.
var declareAsBeforeOverflow bool

// declareAsBeforeSlackAppOverflow declares stacks as the program did when only webhook
// destinations had an overflow queue, for the same test: it is never set otherwise.
var declareAsBeforeSlackAppOverflow bool

// overflowQueue declares the destination's overflow queue, redriving to its dead-letter queue;
// nil for a destination without one.
func (r relayDeclarer) overflowQueue(deadLetters *sqs.Queue) (*sqs.Queue, error) {
	if !r.dest.Overflow() || declareAsBeforeOverflow || declareAsBeforeSlackAppOverflow && r.dest.SlackApp() {
		return nil, nil
	}
	if n := r.cfg.ReservedConcurrency; n > 0 && n < settings.OverflowMaxConcurrency {
		// Throttled batches go back to the queue and count as receives: they would reach the
		// dead-letter queue without ever being tried.
		return nil, fmt.Errorf("reservedConcurrency: %d is less than the overflow queue's %d concurrent digests (its event source mapping would be throttled, and its messages dead-lettered untried); use %d or more (%d leaves room for alerts beside two digests), or -1 (no reservation)",
			n, settings.OverflowMaxConcurrency, settings.OverflowMaxConcurrency, settings.OverflowMaxConcurrency+1)
	}
	redrive := deadLetters.Arn.ApplyT(func(arn string) (string, error) {
		out, err := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": settings.OverflowMaxReceives})
		return string(out), err
	}).(pulumi.StringOutput)
	return sqs.NewQueue(r.ctx, r.name("overflow"), &sqs.QueueArgs{
		SqsManagedSseEnabled:     pulumi.Bool(true),
		MessageRetentionSeconds:  pulumi.Int(overflowRetentionSeconds),
		VisibilityTimeoutSeconds: pulumi.Int(OverflowVisibilitySeconds(r.cfg.TimeoutSeconds, r.dest.OverflowWindow())),
		RedrivePolicy:            redrive,
		Tags:                     r.tags(),
	}, r.parent)
}

// withOverflow adds the overflow queue's URL to the function's environment.
func (r relayDeclarer) withOverflow(env pulumi.StringMap) pulumi.StringMap {
	if r.overflow != nil {
		env[relayconfig.EnvOverflowQueueURL] = r.overflow.Url
	}
	return env
}

// drainOverflow lets the function use its overflow queue (its own policy on the function's role:
// send and count there; receive and delete, for the mapping) and maps the queue to the function.
func (r relayDeclarer) drainOverflow(fn *lambda.Function) error {
	if r.overflow == nil {
		return nil
	}
	role := fn.Role.ApplyT(roleName).(pulumi.StringOutput)
	policy, err := iam.NewRolePolicy(r.ctx, r.name("overflow-policy"), &iam.RolePolicyArgs{
		Role:   role,
		Policy: r.overflow.Arn.ApplyT(OverflowPolicy).(pulumi.StringOutput),
	}, r.parent)
	if err != nil {
		return err
	}
	// The policy first: the mapping checks at creation that the role may read the queue.
	_, err = lambda.NewEventSourceMapping(r.ctx, r.name("overflow-mapping"), &lambda.EventSourceMappingArgs{
		EventSourceArn:                 r.overflow.Arn,
		FunctionName:                   fn.Arn,
		BatchSize:                      pulumi.Int(settings.OverflowBatchSize),
		MaximumBatchingWindowInSeconds: pulumi.Int(r.dest.OverflowWindow()),
		ScalingConfig:                  &lambda.EventSourceMappingScalingConfigArgs{MaximumConcurrency: pulumi.Int(settings.OverflowMaxConcurrency)},
		FunctionResponseTypes:          pulumi.StringArray{pulumi.String("ReportBatchItemFailures")},
		Tags:                           r.tags(),
	}, r.parent, pulumi.DependsOn([]pulumi.Resource{policy}))
	return err
}

// roleName is the name in a role's ARN (arn:aws:iam::123456789012:role/path/name).
func roleName(arn string) (string, error) {
	i := strings.LastIndexByte(arn, '/')
	if !strings.Contains(arn, ":role/") || i == len(arn)-1 {
		return "", fmt.Errorf("function role %q is not a role ARN", arn)
	}
	return arn[i+1:], nil
}

// OverflowPolicy grants the relay its overflow queue and nothing else: send a pushed-back
// notification and count what waits (the function's code), receive and delete batches (the
// event source mapping, which runs with the function's role). And it may read the current state
// of the account's metric alarms in the queue's region (DescribeAlarms, read-only), so that a
// digest never shows an alarm older than a digest posted before it: the alarms a topic carries
// are not all the stack's (anyone may add an alarm action to it), and listing the stack's alarms
// beside the reminders' would double the role's share of IAM's 10,240 characters.
func OverflowPolicy(queueArn string) (string, error) {
	parts := strings.SplitN(queueArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		return "", fmt.Errorf("overflow policy: %q is not an SQS queue ARN", queueArn)
	}
	alarms := "arn:" + parts[1] + ":cloudwatch:" + parts[3] + ":" + parts[4] + ":alarm:*"
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "QueueWhenThrottled", Effect: "Allow", Action: []string{"sqs:SendMessage", "sqs:GetQueueAttributes"}, Resource: []string{queueArn}},
		{Sid: "DrainOverflow", Effect: "Allow", Action: []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, Resource: []string{queueArn}},
		{Sid: "DigestCurrentStates", Effect: "Allow", Action: []string{"cloudwatch:DescribeAlarms"}, Resource: []string{alarms}},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("overflow policy: %w", err)
	}
	return string(out), nil
}
