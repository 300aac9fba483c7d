package e2e

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/emulator"
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
		budget       = 2 * time.Minute // the whole storm; it must never hang CI
	)
	moto := testsupport.StartMoto(t)
	sqs := stormtest.SQS{Endpoint: moto}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	queueURL, dlqURL, err := sqs.Queues(ctx, "e2e-overflow", 6*timeout*time.Second+window, 5)
	if err != nil {
		t.Fatal(err)
	}
	chat := stormtest.NewChat()
	hook := httptest.NewServer(chat)
	defer hook.Close()
	cw := stormtest.NewCloudWatch()
	cwSrv := httptest.NewServer(cw)
	defer cwSrv.Close()

	env := append(testsupport.AWSEnv(moto), "AWS_ENDPOINT_URL_CLOUDWATCH="+cwSrv.URL,
		"WEBHOOK_URL="+hook.URL+secretPath, "MESSENGER=slack", "OVERFLOW_QUEUE_URL="+queueURL)
	fn := function(t, "amd64", timeout, env...)
	pool := make(chan *emulator.Emulator, environments)
	var all []*emulator.Emulator
	for range environments {
		e := start(t, fn)
		all = append(all, e)
		pool <- e
	}
	var (
		mu       sync.Mutex
		failures []string
	)
	invoke := func(ctx context.Context, event []byte) ([]byte, bool, error) {
		var e *emulator.Emulator
		select {
		case e = <-pool: // one event at a time per environment, as in Lambda
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		defer func() { pool <- e }()
		res, err := e.Invoke(ctx, event)
		if err == nil && res.FunctionError {
			mu.Lock()
			failures = append(failures, res.ErrorType+": "+res.ErrorMessage)
			mu.Unlock()
		}
		return res.Body, res.FunctionError, err
	}
	mapping := &stormtest.Mapping{SQS: sqs, QueueURL: queueURL, BatchSize: 50, Window: window, MaxConcurrency: 2, Invoke: invoke}
	mctx, stop := context.WithCancel(ctx)
	mappingDone := make(chan error, 1)
	go func() { mappingDone <- mapping.Run(mctx) }()

	start := time.Now()
	storm := stormtest.Storm(changes, start, spread)
	newest := stormtest.Newest(storm)
	var wg sync.WaitGroup
	for _, c := range storm {
		time.Sleep(time.Until(c.At)) // SNS hands each change over when it happens
		cw.Set(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := invoke(ctx, stormtest.Event(c)); err != nil {
				mu.Lock()
				failures = append(failures, "invoke: "+err.Error())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for ctx.Err() == nil {
		waiting, err := sqs.Count(ctx, queueURL)
		if err == nil && waiting == 0 && len(chat.Check(newest).Missing) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling the queue and chat, not timing anything
	}
	stop()
	if err := <-mappingDone; err != nil {
		t.Errorf("event source mapping: %v", err)
	}
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
