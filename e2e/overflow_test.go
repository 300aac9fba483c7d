package e2e

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestStormOverflowUnderTheEmulator runs the built bootstrap as Lambda runs a storm on a webhook
// destination with its overflow queue: SNS invocations on a pool of execution environments, the
// overflow queue in moto_server handed back in batches by a poller behaving as the SQS event
// source mapping (batch size, window, maximum concurrency 2, visibility timeout, partial batch
// failures), against a webhook that takes one post a second. Chat must end showing every alarm's
// newest state, each once, with posts a second apart, no invocation failing, nothing
// dead-lettered, and no secret in any log. (How fast: BenchmarkStorm.)
func TestStormOverflowUnderTheEmulator(t *testing.T) {
	const (
		changes      = 100
		spread       = time.Second
		environments = 6
		timeout      = 10 // seconds, the function's
		window       = 2 * time.Second
	)
	stage := newStormStage(t, "e2e-overflow", timeout, window)
	ctx, sqs, queueURL, dlqURL, cw, moto := stage.ctx, stage.sqs, stage.queueURL, stage.dlqURL, stage.cw, stage.moto
	chat := stormtest.NewChat()
	hook := httptest.NewServer(chat)
	defer hook.Close()

	env := append(testsupport.AWSEnv(moto), "AWS_ENDPOINT_URL_CLOUDWATCH="+stage.cwURL,
		"WEBHOOK_URL="+hook.URL+secretPath, "MESSENGER=slack", "OVERFLOW_QUEUE_URL="+queueURL)
	fn := function(t, "amd64", timeout, env...)
	played := playStorm(ctx, t, fn, stormPlay{environments: environments, changes: changes, spread: spread, sqs: sqs, queueURL: queueURL, window: window, cw: cw,
		shown: func(newest map[string]string) bool { return len(chat.Check(newest).Missing) == 0 }})
	all, mapping, failures, start, newest := played.all, played.mapping, played.failures, played.start, played.newest
	report := chat.Check(newest)
	deadLetters, _ := sqs.Count(context.Background(), dlqURL)
	queued := 0
	for _, e := range all {
		queued += strings.Count(e.Logs.String(), `"msg":"queued for a digest: the webhook is busy"`)
	}
	t.Logf("storm of %d changes under the emulator: all visible after %v, %d posts (%d answered 429), %d queued, %d SQS invocations handed %d messages, %d batch items failed, %d dead letters",
		changes, report.AllVisible.Sub(start).Round(10*time.Millisecond), report.Posts, report.Refused, queued, mapping.Invocations.Load(), mapping.Delivered.Load()+mapping.Failed.Load(), mapping.Failed.Load(), deadLetters)
	if len(report.Missing) > 0 {
		t.Errorf("chat does not show the newest state of %d alarms: %v", len(report.Missing), report.Missing[:min(5, len(report.Missing))])
	}
	// A line shown twice is the relay's doing unless the queue handed its message twice (SQS
	// delivers at least once, moto's receive races under two pollers): the second copy then
	// reaches the other execution environment, which has not seen it.
	if again := int(mapping.Again.Load()); len(report.Duplicated) > again {
		t.Errorf("shown twice: %v (the queue handed %d messages again)", report.Duplicated, again)
	} else if len(report.Duplicated) > 0 {
		t.Logf("shown twice, as the queue handed %d messages twice: %v", again, report.Duplicated)
	}
	if len(failures) > 0 || mapping.Failed.Load() > 0 || deadLetters > 0 {
		t.Errorf("failed invocations %v, %d failed batch items, %d dead letters; want none", failures, mapping.Failed.Load(), deadLetters)
	}
	if report.Posts > 1 && report.MinGap < time.Second {
		t.Errorf("two posts %v apart: the webhook takes one a second", report.MinGap)
	}
	if report.Posts >= changes/2 {
		t.Errorf("%d posts for %d changes: the storm was not digested", report.Posts, changes)
	}
	if !logsShow(`"msg":"digest delivered"`, all...) || !logsShow(`"msg":"queued for a digest: the webhook is busy"`, all...) {
		t.Error("the logs do not show the overflow at work (queued, digest delivered)")
	}
	noSecretLogged(t, all...)
}
