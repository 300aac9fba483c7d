package e2e

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/emulator"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// stormStage is what a storm test under the emulator plays on: moto_server's SQS with the
// destination's overflow queue and dead-letter queue, the stand-in CloudWatch, and a context whose
// budget outlasts the queue's visibility timeout (messages a lost ReceiveMessage answer took come
// back after it), so that a storm never hangs CI.
type stormStage struct {
	ctx              context.Context
	moto             string // moto_server's endpoint
	sqs              stormtest.SQS
	queueURL, dlqURL string
	cw               *stormtest.CloudWatch
	cwURL            string
}

// newStormStage sets the stage for a function of the given timeout (seconds) whose overflow queue
// is batched with window: the queue's visibility timeout is the stack's, 6 × timeout + window.
func newStormStage(t *testing.T, queue string, timeout int, window time.Duration) stormStage {
	t.Helper()
	visibility := 6*time.Duration(timeout)*time.Second + window
	moto := testsupport.StartMoto(t)
	sqs := stormtest.SQS{Endpoint: moto}
	ctx, cancel := context.WithTimeout(context.Background(), visibility+time.Minute)
	t.Cleanup(cancel)
	queueURL, dlqURL, err := sqs.Queues(ctx, queue, visibility, 5)
	if err != nil {
		t.Fatal(err)
	}
	cw := stormtest.NewCloudWatch()
	cwSrv := httptest.NewServer(cw)
	t.Cleanup(cwSrv.Close)
	return stormStage{ctx: ctx, moto: moto, sqs: sqs, queueURL: queueURL, dlqURL: dlqURL, cw: cw, cwURL: cwSrv.URL}
}

// stormPlay is a storm to play on a function with an overflow queue (playStorm).
type stormPlay struct {
	environments int                   // execution environments of the function
	changes      int                   // alarm state changes (stormtest.Storm)
	spread       time.Duration         // over how long they happen
	sqs          stormtest.SQS         // where the overflow queue is
	queueURL     string                // the overflow queue
	window       time.Duration         // the event source mapping's batching window
	cw           *stormtest.CloudWatch // answers DescribeAlarms with each change as it happens
	// shown tells whether chat shows every alarm's newest state.
	shown func(newest map[string]string) bool
}

// stormPlayed is what a played storm left to check.
type stormPlayed struct {
	all      []*emulator.Emulator // the execution environments, for their logs
	mapping  *stormtest.Mapping
	failures []string // failed invocations
	start    time.Time
	newest   map[string]string // alarm → its newest state (stormtest.Newest)
}

// playStorm plays a storm as Lambda runs it: each change's SNS event at its time, on a pool of
// execution environments taking one event at a time each, and the overflow queue handed back in
// batches by stormtest's event source mapping (batch size 50, maximum concurrency 2, partial
// batch failures). It returns once the queue is empty and chat shows every alarm's newest state,
// or when ctx ends.
func playStorm(ctx context.Context, t *testing.T, fn emulator.Function, p stormPlay) stormPlayed {
	t.Helper()
	pool := make(chan *emulator.Emulator, p.environments)
	var played stormPlayed
	for range p.environments {
		e := start(t, fn)
		played.all = append(played.all, e)
		pool <- e
	}
	var mu sync.Mutex
	failed := func(what string) {
		mu.Lock()
		played.failures = append(played.failures, what)
		mu.Unlock()
	}
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
			failed(res.ErrorType + ": " + res.ErrorMessage)
		}
		return res.Body, res.FunctionError, err
	}
	played.mapping = &stormtest.Mapping{SQS: p.sqs, QueueURL: p.queueURL, BatchSize: 50, Window: p.window, MaxConcurrency: 2, Invoke: invoke}
	mctx, stop := context.WithCancel(ctx)
	mappingDone := make(chan error, 1)
	go func() { mappingDone <- played.mapping.Run(mctx) }()

	played.start = time.Now()
	storm := stormtest.Storm(p.changes, played.start, p.spread)
	played.newest = stormtest.Newest(storm)
	var wg sync.WaitGroup
	for _, c := range storm {
		time.Sleep(time.Until(c.At)) // SNS hands each change over when it happens
		p.cw.Set(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := invoke(ctx, stormtest.Event(c)); err != nil {
				failed("invoke: " + err.Error())
			}
		}()
	}
	wg.Wait()
	for ctx.Err() == nil {
		waiting, err := p.sqs.Count(ctx, p.queueURL)
		if err == nil && waiting == 0 && p.shown(played.newest) {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling the queue and chat, not timing anything
	}
	stop()
	if err := <-mappingDone; err != nil {
		t.Errorf("event source mapping: %v", err)
	}
	return played
}
