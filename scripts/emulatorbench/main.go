// Command emulatorbench measures the deployed artifact under the Lambda Runtime Interface Emulator:
// cold start, warm invoke latency against a local webhook, peak RSS, bootstrap and zip size. A
// no-op aws-lambda-go function (scripts/noop), built the same way, is measured beside it: the
// relay's own cold-start cost is the difference ("vs no-op"). It prints a Markdown table
// (scripts/bench runs it; docs/development.md shows its output).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/emulator"
)

func main() {
	colds := flag.Int("cold", 9, "cold starts to measure per architecture")
	warms := flag.Int("warm", 200, "warm invocations to measure per architecture")
	qemu := flag.String("qemu", "qemu-aarch64-static", "runs the arm64 build on a non-arm64 machine; empty skips arm64")
	flag.Parse()
	if err := run(*colds, *warms, *qemu); err != nil {
		fmt.Fprintln(os.Stderr, "emulatorbench:", err)
		os.Exit(1)
	}
}

type row struct {
	arch, name                      string
	coldMedian, warmMedian, warmP99 time.Duration
	peakRSS, binary, zip            int64
}

// NoopPackage is the no-op function the relay is compared with.
const NoopPackage = "./scripts/noop"

// budget is how much slower than the no-op a relay's cold start may be (issue 14).
const budget = 3500 * time.Microsecond

func run(colds, warms int, qemu string) error {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "alarm-relay-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rie, err := emulator.BuildRIE(ctx, root, dir)
	if err != nil {
		return err
	}
	event, err := os.ReadFile(filepath.Join(root, "function", "testdata", "latency-alarm.json"))
	if err != nil {
		return err
	}
	settling, err := os.ReadFile(filepath.Join(root, "function", "testdata", "settling-ok.json"))
	if err != nil {
		return err
	}
	// The webhook answers at once: what is measured is the relay and the emulator, not a network.
	// It stands in for DynamoDB too, answering {} (no incident; lock taken and released).
	webhook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_") {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			_, _ = io.WriteString(w, "{}")
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer webhook.Close()

	archs := []string{"amd64"}
	if qemu != "" {
		archs = append(archs, "arm64")
	}
	var rows []row
	for _, arch := range archs {
		archDir := filepath.Join(dir, arch)
		if err := os.MkdirAll(filepath.Join(archDir, "noop"), 0o755); err != nil {
			return err
		}
		art, err := build.Relay(ctx, root, arch)
		if err != nil {
			return err
		}
		relay, err := emulator.Unzip(art.ZipPath, archDir)
		if err != nil {
			return err
		}
		noop := filepath.Join(archDir, "noop", "bootstrap")
		if err := build.BinaryOf(ctx, root, NoopPackage, arch, noop); err != nil {
			return err
		}
		var noopZip countingWriter
		if err := zipFile(&noopZip, noop); err != nil {
			return err
		}
		runs := []struct {
			name      string
			bootstrap string
			zip       int64
			env       []string
			event     []byte
		}{
			{"no-op aws-lambda-go", noop, noopZip.n, nil, event},
			{"relay, webhook", relay, art.Size, []string{"WEBHOOK_URL=" + webhook.URL + "/hook", "MESSENGER=slack"}, event},
			// Start-up of a Slack app destination (token, channel, incident store, lifecycle) with
			// an event that posts nothing: the Web API calls of a real alarm would measure the
			// local stand-in, not the relay. A settling OK asks its incident (none is open), so
			// the incident's lock is taken and released at the stand-in.
			{"relay, slack-app (start-up; settling alarm, no post)", relay, art.Size, []string{"MESSENGER=slack-app",
				"SLACK_TOKEN=xoxb-0000000000-0000000000-benchmark", "SLACK_CHANNEL=C0BENCH000", "STATE_TABLE=bench",
				"SLACK_API_URL=" + webhook.URL + "/api/", "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench",
				"AWS_ENDPOINT_URL=" + webhook.URL}, settling},
		}
		// Cold starts take turns (no-op, relay, relay, no-op, …) so that the machine's drift
		// (other builds on a shared box) falls on every row alike.
		fns := make([]emulator.Function, len(runs))
		samples := make([][]time.Duration, len(runs))
		for i, run := range runs {
			fns[i] = emulator.Function{Bootstrap: run.bootstrap, Env: run.env, Timeout: 10}
			if arch == "arm64" && runtime.GOARCH != "arm64" {
				fns[i].QEMU = qemu
			}
		}
		for range colds {
			for i, run := range runs {
				d, err := coldStart(ctx, rie, fns[i], run.event)
				if err != nil {
					return fmt.Errorf("%s: %w", run.name, err)
				}
				samples[i] = append(samples[i], d)
			}
		}
		for i, run := range runs {
			info, err := os.Stat(run.bootstrap)
			if err != nil {
				return err
			}
			r := row{arch: arch, name: run.name, binary: info.Size(), zip: run.zip, coldMedian: percentile(samples[i], 50)}
			if r.warmMedian, r.warmP99, r.peakRSS, err = warmInvokes(ctx, rie, fns[i], run.event, warms); err != nil {
				return fmt.Errorf("%s: %w", run.name, err)
			}
			rows = append(rows, r)
		}
	}

	fmt.Printf("| arch | function | cold start (median of %d) | vs no-op | warm invoke median | warm invoke p99 (%d) | peak RSS | bootstrap | zip |\n", colds, warms)
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	noopCold := map[string]time.Duration{}
	var over []string
	for _, r := range rows {
		arch := r.arch
		if r.arch == "arm64" && runtime.GOARCH != "arm64" {
			arch += " (qemu)"
		}
		vs := "—"
		if base, ok := noopCold[r.arch]; !ok {
			noopCold[r.arch] = r.coldMedian
		} else {
			d := r.coldMedian - base
			vs = fmt.Sprintf("%+.2f ms", float64(d.Microseconds())/1000)
			// Under qemu every instruction is translated: its difference is qemu's, not Lambda's.
			if d > budget && arch == r.arch {
				over = append(over, fmt.Sprintf("%s %s (%s)", arch, r.name, vs))
			}
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %.1f MiB | %.2f MB | %.2f MB |\n", arch, r.name, ms(r.coldMedian), vs, ms(r.warmMedian), ms(r.warmP99),
			float64(r.peakRSS)/(1<<20), float64(r.binary)/1e6, float64(r.zip)/1e6)
	}
	fmt.Printf("\nmachine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if len(over) > 0 {
		fmt.Printf("cold start more than %s above the no-op: %s (a busy machine adds noise: run again with more -cold)\n", budget, strings.Join(over, ", "))
	} else {
		fmt.Printf("every native relay cold start is within %s of the no-op's (qemu rows are not checked)\n", budget)
	}
	return nil
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// zipFile zips path as Lambda's deployment zip holds the relay, for the size column.
func zipFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return build.Zip(w, f)
}

// coldStart: emulator start → first response, which includes starting the function (the
// emulator starts it on the first invocation, as Lambda does on a cold start).
func coldStart(ctx context.Context, rie string, fn emulator.Function, event []byte) (time.Duration, error) {
	start := time.Now()
	e, err := emulator.Start(ctx, rie, fn)
	if err != nil {
		return 0, err
	}
	res, err := e.Invoke(ctx, event)
	elapsed := time.Since(start)
	e.Stop()
	if err != nil {
		return 0, err
	}
	if res.FunctionError {
		return 0, fmt.Errorf("cold invoke failed: %s", res.ErrorMessage)
	}
	return elapsed, nil
}

// warmInvokes: n invocations of one running environment after a first, unmeasured one.
func warmInvokes(ctx context.Context, rie string, fn emulator.Function, event []byte, n int) (median, p99 time.Duration, peakRSS int64, err error) {
	e, err := emulator.Start(ctx, rie, fn)
	if err != nil {
		return 0, 0, 0, err
	}
	defer e.Stop()
	if _, err := e.Invoke(ctx, event); err != nil {
		return 0, 0, 0, err
	}
	samples := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		res, err := e.Invoke(ctx, event)
		if err != nil {
			return 0, 0, 0, err
		}
		if res.FunctionError {
			return 0, 0, 0, fmt.Errorf("warm invoke failed: %s", res.ErrorMessage)
		}
		samples = append(samples, time.Since(start))
	}
	if pid := e.FunctionPID(); pid > 0 {
		peakRSS, _ = emulator.PeakRSS(pid)
	}
	return percentile(samples, 50), percentile(samples, 99), peakRSS, nil
}

func percentile(samples []time.Duration, p int) time.Duration {
	s := slices.Clone(samples)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
