package overflow

import (
	"context"
	"encoding/json"
	"fmt"

	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// The storm driver runs the relay in-process as Lambda would: SNS invocations at the changes'
// times, each on a free execution environment (a new one when none is free, up to
// stormMaxContainers, each with its own container-local state), the overflow queue in moto_server
// handed back by stormtest.Mapping (the event source mapping's batch size, window and maximum
// concurrency as the stack sets them) and a webhook taking one post a second. Real time
// throughout: no clock is scaled.
const (
	stormMaxContainers = 50
	stormTimeout       = 30 * time.Second // the function's
	stormBatchSize     = 50               // settings.OverflowBatchSize
	stormWindow        = 2 * time.Second  // settings.DefaultOverflowWindowSeconds
	stormConcurrency   = 2                // settings.OverflowMaxConcurrency
	stormBudget        = 4 * time.Minute  // a run that has not ended by then is reported as it stands
	// stormVisibility is the overflow queue's visibility timeout as the stack sets it (6 × the
	// function's timeout + the window): a message a failed ReceiveMessage took (moto answers 500
	// when overloaded, sometimes after it marked messages received) comes back only after it.
	stormVisibility = 6*stormTimeout + stormWindow
	// stormSettle is how long a storm test waits for chat to show everything and the queue to
	// empty: past the visibility timeout, so that a message a failed poll took is shown, not
	// reported missing (how long that takes is the benchmark's to say).
	stormSettle = stormVisibility + time.Minute
)

// stormResult is what a storm left in chat and what it cost.
type stormResult struct {
	changes         int
	visibleAfter    time.Duration // from the first change until every alarm's newest state is in chat
	posts, refused  int           // accepted by the webhook; answered 429
	snsInvocations  int64
	sqsInvocations  int64
	failedSNS       int64 // invocations that failed (Lambda would retry them)
	missing, dupes  []string
	minGap          time.Duration
	deadLetters     int
	batchesFailures int64
	problems        string        // the relay's log
	snsDone         time.Duration // when the last SNS invocation had returned
	again           int64         // messages the queue handed again after they were posted
	// settled: chat showed every alarm's newest state and the queue was empty before the budget
	// ended; otherwise leftInQueue messages were still in it (visible or in flight).
	settled     bool
	leftInQueue int
	pollErrors  int64 // ReceiveMessage calls of the mapping that failed (and were retried)
	// A Slack app's channel: edits, thread replies, and root posts made twice.
	updates, replies int
	rootsTwice       []string
}

func (r stormResult) String() string {
	return fmt.Sprintf("%d changes: all visible after %v, %d posts, %d updates, %d replies, %d roots posted twice (%d answered 429, closest two %v apart), %d SNS + %d SQS invocations, %d failed invocations, %d missing, %d duplicated, %d dead letters, %d failed batch items, %d handed again by the queue, %d failed polls, %d left in the queue; SNS invocations done after %v",
		r.changes, r.visibleAfter.Round(10*time.Millisecond), r.posts, r.updates, r.replies, len(r.rootsTwice), r.refused, r.minGap.Round(time.Millisecond), r.snsInvocations, r.sqsInvocations, r.failedSNS, len(r.missing), len(r.dupes), r.deadLetters, r.batchesFailures, r.again, r.pollErrors, r.leftInQueue, r.snsDone.Round(10*time.Millisecond))
}

// runStorm sends n changes spread over spread and waits until chat shows every alarm's newest
// state and the overflow queue is empty, or budget has passed.
// backend is "moto" (moto_server) or "memory" (stormtest.MemSQS, for storms moto cannot keep up
// with on a shared machine).
func runStorm(tb testing.TB, backend string, n int, spread, budget time.Duration) stormResult {
	return runStormTo(tb, webhookDest(), backend, n, spread, budget)
}

// stormDest is the destination a storm goes to: its chat (started per storm), each execution
// environment's handler, and what the chat shows against what happened.
type stormDest struct {
	start   func(tb testing.TB, getenv func(string) string)
	handler func(getenv func(string) string, queueURL string, log *slog.Logger) (func(context.Context, json.RawMessage) (any, error), error)
	check   func(newest map[string]string) (stormtest.Report, stormExtra)
	posts   func() int
	// after, when set, runs once the storm has settled: changes after the storm (through
	// invoke, an SNS invocation), to be shown too.
	after func(invoke func(event []byte) error, cw *stormtest.CloudWatch) []stormtest.Change
}

// stormExtra is what a Slack app's channel tells besides a Report.
type stormExtra struct {
	updates, replies int
	rootsTwice       []string
}

// webhookDest is a Slack webhook taking one post a second.
func webhookDest() stormDest {
	chat := stormtest.NewChat()
	var hookURL webhook.URL
	d := stormDest{check: func(newest map[string]string) (stormtest.Report, stormExtra) { return chat.Check(newest), stormExtra{} }, posts: chat.Posts}
	d.start = func(tb testing.TB, _ func(string) string) {
		srv := httptest.NewServer(chat)
		tb.Cleanup(srv.Close)
		u, err := webhook.Parse(srv.URL + "/services/T0/B0/stormSECRET")
		if err != nil {
			tb.Fatal(err)
		}
		hookURL = u
	}
	d.handler = func(getenv func(string) string, queueURL string, log *slog.Logger) (func(context.Context, json.RawMessage) (any, error), error) {
		judge, _ := render.JudgeFor(render.Slack)
		hook := &deliver.Webhook{URL: hookURL, Messenger: render.Slack, Judge: judge, Client: deliver.NewHTTPClient(), Policy: retry.DefaultPolicy}
		q, err := NewSQS(getenv, queueURL, hook.Client)
		if err != nil {
			return nil, err
		}
		lister, err := cwalarms.NewFromEnv(getenv, hook.Client)
		if err != nil {
			return nil, err
		}
		r := relay.New(render.Slack, render.Options{}, relay.NewWebhook(hook), log)
		r.SetAlarms(lister.Describe)
		return Handler(r, q)
	}
	return d
}

func runStormTo(tb testing.TB, dest stormDest, backend string, n int, spread, budget time.Duration) stormResult {
	var endpoint string
	switch backend {
	case "moto":
		endpoint = testsupport.StartMoto(tb)
	case "memory":
		mem := httptest.NewServer(stormtest.NewMemSQS())
		defer mem.Close()
		endpoint = mem.URL
	default:
		tb.Fatalf("unknown SQS backend %q", backend)
	}
	env := map[string]string{}
	for _, kv := range testsupport.AWSEnv(endpoint) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cw := stormtest.NewCloudWatch()
	cwSrv := httptest.NewServer(cw)
	defer cwSrv.Close()
	env["AWS_ENDPOINT_URL_CLOUDWATCH"] = cwSrv.URL
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	sqs := stormtest.SQS{Endpoint: endpoint}
	queueURL, dlqURL, err := sqs.Queues(ctx, "storm-overflow", stormVisibility, 5)
	if err != nil {
		tb.Fatal(err)
	}

	dest.start(tb, getenv)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))

	// Execution environments: each its own relay, overflow client and container-local memory.
	var (
		mu    sync.Mutex
		free  []func(context.Context, json.RawMessage) (any, error)
		total int
	)
	acquire := func() func(context.Context, json.RawMessage) (any, error) {
		for {
			mu.Lock()
			if len(free) > 0 {
				h := free[len(free)-1]
				free = free[:len(free)-1]
				mu.Unlock()
				return h
			}
			if total < stormMaxContainers {
				total++
				mu.Unlock()
				h, err := dest.handler(getenv, queueURL, log)
				if err != nil {
					tb.Error(err)
					return nil
				}
				return h
			}
			mu.Unlock()
			time.Sleep(5 * time.Millisecond) // Lambda would throttle: wait for a free environment
		}
	}
	release := func(h func(context.Context, json.RawMessage) (any, error)) {
		mu.Lock()
		free = append(free, h)
		mu.Unlock()
	}
	invoke := func(event []byte) (response []byte, functionError bool, err error) {
		h := acquire()
		if h == nil {
			return nil, false, fmt.Errorf("no execution environment")
		}
		defer release(h)
		ictx, icancel := context.WithTimeout(context.Background(), stormTimeout)
		defer icancel()
		resp, ferr := h(ictx, event)
		if ferr != nil {
			return nil, true, nil
		}
		out, err := json.Marshal(resp)
		return out, false, err
	}

	mapping := &stormtest.Mapping{SQS: sqs, QueueURL: queueURL, BatchSize: stormBatchSize, Window: stormWindow, MaxConcurrency: stormConcurrency, Invoke: func(_ context.Context, event []byte) ([]byte, bool, error) { return invoke(event) }}
	var trace []string
	var traceMu sync.Mutex
	t0 := time.Now()
	mapping.Trace = func(size int) {
		traceMu.Lock()
		trace = append(trace, fmt.Sprintf("%.1fs:%d", time.Since(t0).Seconds(), size))
		traceMu.Unlock()
	}
	mctx, mcancel := context.WithCancel(ctx)
	mappingDone := make(chan error, 1)
	go func() { mappingDone <- mapping.Run(mctx) }()

	start := time.Now()
	changes := stormtest.Storm(n, start, spread)
	newest := stormtest.Newest(changes)
	var snsCalls, snsFailed atomic.Int64
	var wg sync.WaitGroup
	for _, c := range changes {
		time.Sleep(time.Until(c.At)) // SNS hands each change over when it happens
		cw.Set(c)                    // as CloudWatch knows it from then on
		wg.Add(1)
		go func() {
			defer wg.Done()
			snsCalls.Add(1)
			if _, fnErr, err := invoke(stormtest.Event(c)); err != nil || fnErr {
				snsFailed.Add(1)
			}
		}()
	}
	wg.Wait()
	snsDone := time.Since(start)
	// Until chat shows everything and nothing waits in the queue (or the budget ends).
	settle := func() bool {
		for ctx.Err() == nil {
			waiting, err := sqs.Count(ctx, queueURL)
			if report, _ := dest.check(newest); err == nil && waiting == 0 && len(report.Missing) == 0 {
				return true
			}
			time.Sleep(100 * time.Millisecond)
		}
		return false
	}
	settled := settle()
	if dest.after != nil && settled {
		later := dest.after(func(event []byte) error {
			if _, fnErr, err := invoke(event); err != nil || fnErr {
				return fmt.Errorf("the invocation failed (%v)", err)
			}
			return nil
		}, cw)
		for k, v := range stormtest.Newest(later) {
			newest[k] = v
		}
		settled = settle()
	}
	mcancel()
	if err := <-mappingDone; err != nil {
		tb.Errorf("event source mapping: %v", err)
	}
	report, extra := dest.check(newest)
	res := stormResult{updates: extra.updates, replies: extra.replies, rootsTwice: extra.rootsTwice, changes: n, posts: report.Posts, refused: report.Refused, snsInvocations: snsCalls.Load(), sqsInvocations: mapping.Invocations.Load(),
		failedSNS: snsFailed.Load(), missing: report.Missing, dupes: report.Duplicated, minGap: report.MinGap, batchesFailures: mapping.Failed.Load()}
	if !report.AllVisible.IsZero() {
		res.visibleAfter = report.AllVisible.Sub(start)
	}
	res.deadLetters, _ = sqs.Count(context.Background(), dlqURL)
	res.problems = logs.String()
	res.snsDone = snsDone
	res.again = mapping.Again.Load()
	res.settled, res.pollErrors = settled, mapping.PollErrors.Load()
	res.leftInQueue, _ = sqs.Count(context.Background(), queueURL)
	tb.Logf("batches (time:size): %s", strings.Join(trace, " "))
	return res
}

// TestStormThroughTheOverflow: 200 changes in 2 s against a webhook that takes one post a
// second end with every alarm's newest state in chat, none lost, none shown twice, posts a
// second apart, and no invocation failed. (How fast is BenchmarkStorm's to say.)
func TestStormThroughTheOverflow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a storm in real time")
	}
	res := runStorm(t, "moto", 200, 2*time.Second, stormSettle)
	t.Log(res)
	if !res.settled {
		t.Errorf("not settled within %v: %d messages still in the overflow queue, %d failed polls", stormSettle, res.leftInQueue, res.pollErrors)
	}
	if len(res.missing) > 0 {
		t.Errorf("chat does not end on the newest state of %d alarms: %v", len(res.missing), res.missing[:min(5, len(res.missing))])
	}
	if len(res.dupes) > int(res.again) { // see TestStormOverflowUnderTheEmulator
		t.Errorf("shown twice: %v (the queue handed %d messages again)", res.dupes, res.again)
		for _, d := range res.dupes {
			name := d[:strings.LastIndexByte(d, ' ')]
			for _, line := range strings.Split(res.problems, "\n") {
				if strings.Contains(line, name) || strings.Contains(line, "digest") {
					t.Log(line)
				}
			}
		}
	}
	if res.failedSNS > 0 || res.deadLetters > 0 || res.batchesFailures > 0 {
		t.Errorf("%d failed invocations, %d failed batch items, %d dead letters; want none", res.failedSNS, res.batchesFailures, res.deadLetters)
	}
	if res.posts > 1 && res.minGap < time.Second {
		t.Errorf("two posts %v apart: the webhook takes one a second", res.minGap)
	}
	if res.posts >= 200 {
		t.Errorf("%d posts for 200 changes: no digest", res.posts)
	}
}

// BenchmarkStorm prints, for 50, 200 and 1,000 changes (in 0.5 s, 2 s and 10 s), the time until
// chat shows every alarm's newest state, the posts and the invocations (scripts/stormbench makes
// the table). Goals: 200 in 2 s visible within 60 s, 1,000 in 10 s within 3 minutes; 0 lost, 0
// duplicated, at most one post a second.
func BenchmarkStorm(b *testing.B) {
	for _, tt := range []struct {
		backend string
		n       int
		spread  time.Duration
	}{
		{"moto", 50, 500 * time.Millisecond}, {"moto", 200, 2 * time.Second}, {"moto", 1000, 10 * time.Second},
		{"memory", 50, 500 * time.Millisecond}, {"memory", 200, 2 * time.Second}, {"memory", 1000, 10 * time.Second},
	} {
		b.Run(fmt.Sprintf("%s/%d", tt.backend, tt.n), func(b *testing.B) {
			var res stormResult
			for range b.N {
				res = runStorm(b, tt.backend, tt.n, tt.spread, stormBudget)
			}
			b.ReportMetric(res.visibleAfter.Seconds(), "s-to-visible")
			b.ReportMetric(float64(res.posts), "posts")
			b.ReportMetric(float64(res.refused), "429s")
			b.ReportMetric(float64(res.snsInvocations+res.sqsInvocations), "invocations")
			b.ReportMetric(float64(res.sqsInvocations), "sqs-invocations")
			b.ReportMetric(float64(len(res.missing)), "missing")
			b.ReportMetric(float64(len(res.dupes)), "duplicated")
			b.ReportMetric(float64(res.failedSNS+int64(res.deadLetters)), "failed")
			b.ReportMetric(res.minGap.Seconds(), "min-gap-s")
			b.Log(res)
			if len(res.missing)+len(res.dupes) > 0 {
				b.Logf("missing: %v; duplicated: %v", res.missing[:min(10, len(res.missing))], res.dupes[:min(10, len(res.dupes))])
			}
		})
	}
}

// lockedBuffer collects the relay's log lines from every execution environment.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
