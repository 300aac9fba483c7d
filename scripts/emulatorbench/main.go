// Command emulatorbench measures the deployed artifact under the Lambda Runtime Interface Emulator:
// cold start, warm invoke latency against a local webhook, peak RSS, bootstrap and zip size. It
// prints a Markdown table (scripts/bench runs it; the README shows its output).
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
	arch                            string
	coldMedian, warmMedian, warmP99 time.Duration
	peakRSS, binary, zip            int64
}

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
	// The webhook answers at once: what is measured is the relay and the emulator, not a network.
	webhook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "ok")
	}))
	defer webhook.Close()

	archs := []string{"amd64"}
	if qemu != "" {
		archs = append(archs, "arm64")
	}
	var rows []row
	for _, arch := range archs {
		art, err := build.Relay(ctx, root, arch)
		if err != nil {
			return err
		}
		archDir := filepath.Join(dir, arch)
		if err := os.MkdirAll(archDir, 0o755); err != nil {
			return err
		}
		bootstrap, err := emulator.Unzip(art.ZipPath, archDir)
		if err != nil {
			return err
		}
		info, err := os.Stat(bootstrap)
		if err != nil {
			return err
		}
		fn := emulator.Function{Bootstrap: bootstrap, Env: []string{"WEBHOOK_URL=" + webhook.URL + "/hook", "MESSENGER=slack"}, Timeout: 10}
		if arch == "arm64" && runtime.GOARCH != "arm64" {
			fn.QEMU = qemu
		}
		r := row{arch: arch, binary: info.Size(), zip: art.Size}
		if r.coldMedian, err = coldStarts(ctx, rie, fn, event, colds); err != nil {
			return err
		}
		if r.warmMedian, r.warmP99, r.peakRSS, err = warmInvokes(ctx, rie, fn, event, warms); err != nil {
			return err
		}
		rows = append(rows, r)
	}

	fmt.Printf("| arch | cold start (median of %d) | warm invoke median | warm invoke p99 (%d) | peak RSS | bootstrap | zip |\n", colds, warms)
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rows {
		arch := r.arch
		if r.arch == "arm64" && runtime.GOARCH != "arm64" {
			arch += " (qemu)"
		}
		fmt.Printf("| %s | %s | %s | %s | %.1f MiB | %.2f MB | %.2f MB |\n", arch, ms(r.coldMedian), ms(r.warmMedian), ms(r.warmP99),
			float64(r.peakRSS)/(1<<20), float64(r.binary)/1e6, float64(r.zip)/1e6)
	}
	fmt.Printf("\nmachine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	return nil
}

// coldStarts: emulator start → first response, which includes starting the function (the
// emulator starts it on the first invocation, as Lambda does on a cold start).
func coldStarts(ctx context.Context, rie string, fn emulator.Function, event []byte, n int) (time.Duration, error) {
	var samples []time.Duration
	for range n {
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
		samples = append(samples, elapsed)
	}
	return percentile(samples, 50), nil
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
