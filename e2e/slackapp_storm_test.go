package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/stormtest"
)

// TestSlackAppStormUnderTheEmulator runs the built bootstrap as Lambda runs a storm on a Slack
// app destination with its overflow queue (moto_server's SQS and DynamoDB, the stormtest poller
// as the event source mapping), against the scripted Slack Web API taking one post a second per
// channel and one edit a second per message: the channel must end showing every alarm's newest
// state, each alarm in one message (shared digest roots, edited in place), no root posted twice,
// posts a second apart, nothing failed or dead-lettered, and no token in any log.
func TestSlackAppStormUnderTheEmulator(t *testing.T) {
	const (
		changes      = 100
		spread       = time.Second
		environments = 6
		timeout      = 20 // seconds, the function's
		window       = 2 * time.Second
	)
	stage := newStormStage(t, "e2e-app-overflow", timeout, window)
	ctx, sqs, queueURL, dlqURL, cw := stage.ctx, stage.sqs, stage.queueURL, stage.dlqURL, stage.cw
	app := newSlackApp(t, stage.moto, "e2e-storm-incidents")
	app.slack.Limit(time.Second, time.Second)
	fn := function(t, "amd64", timeout, append(app.env, "AWS_ENDPOINT_URL_CLOUDWATCH="+stage.cwURL, "OVERFLOW_QUEUE_URL="+queueURL)...)
	played := playStorm(ctx, t, fn, stormPlay{environments: environments, changes: changes, spread: spread, sqs: sqs, queueURL: queueURL, window: window, cw: cw,
		shown: func(newest map[string]string) bool {
			return len(stormtest.ReadSlackApp(app.slack, channelID, newest).Missing) == 0
		}})
	all, mapping, failures, start, newest := played.all, played.mapping, played.failures, played.start, played.newest
	report := stormtest.ReadSlackApp(app.slack, channelID, newest)
	deadLetters, _ := sqs.Count(context.Background(), dlqURL)
	t.Logf("Slack app storm of %d changes under the emulator: all visible after %v, %d roots, %d replies, %d edits (%d calls answered ratelimited), %d SQS invocations handed %d messages, %d batch items failed, %d dead letters",
		changes, report.AllVisible.Sub(start).Round(10*time.Millisecond), report.Roots, report.Replies, report.Updates, report.Limited, mapping.Invocations.Load(), mapping.Delivered.Load()+mapping.Failed.Load(), mapping.Failed.Load(), deadLetters)
	if len(report.Missing) > 0 {
		t.Errorf("the channel does not show the newest state of %d alarms: %v", len(report.Missing), report.Missing[:min(5, len(report.Missing))])
	}
	if len(report.Duplicated) > 0 || len(report.RootsTwice) > 0 {
		t.Errorf("alarms in more than one message: %v; roots posted twice: %v", report.Duplicated[:min(5, len(report.Duplicated))], report.RootsTwice)
	}
	if len(failures) > 0 || mapping.Failed.Load() > 0 || deadLetters > 0 {
		t.Errorf("failed invocations %v, %d failed batch items, %d dead letters; want none", failures, mapping.Failed.Load(), deadLetters)
	}
	if report.Posts > 1 && report.MinGap < time.Second {
		t.Errorf("two posts %v apart: the channel takes one a second", report.MinGap)
	}
	if report.Roots >= changes/4 {
		t.Errorf("%d roots for %d changes: the storm was not digested", report.Roots, changes)
	}
	if !logsShow(`"msg":"storm digest: root posted"`, all...) || !logsShow(`"msg":"queued for a digest: the webhook is busy"`, all...) {
		t.Error("the logs do not show the overflow at work (queued, digest root posted)")
	}
	noSecretLogged(t, all...)
}
