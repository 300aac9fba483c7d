package emulator

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/loopback"
)

// envBootstrap makes this test binary act as a Lambda function: the emulator runs it as the
// bootstrap, so Start, Invoke, FunctionPID and Stop are tested against the real emulator without
// building the relay.
const envBootstrap = "EMULATOR_TEST_BOOTSTRAP"

func TestMain(m *testing.M) {
	if os.Getenv(envBootstrap) == "1" {
		lambda.Start(func(_ context.Context, in map[string]string) (map[string]string, error) {
			if in["fail"] != "" {
				return nil, errors.New(in["fail"])
			}
			if n, _ := strconv.Atoi(in["log"]); n > 0 { // more than a pipe holds, then the last line
				for i := range n {
					fmt.Printf("line %d of %d\n", i+1, n)
				}
			}
			if in["hang"] != "" { // a handler that never returns and ignores its deadline
				fmt.Println(in["hang"])
				time.Sleep(time.Hour)
			}
			return map[string]string{"echo": in["say"], "env": os.Getenv("GREETING")}, nil
		})
		return
	}
	code := m.Run()
	if rieDir != "" {
		os.RemoveAll(rieDir)
	}
	os.Exit(code)
}

// rieDir holds the emulator testRIE builds once for the test binary; TestMain removes it.
var (
	rieOnce sync.Once
	rieDir  string
	riePath string
	rieErr  error
)

func testRIE(ctx context.Context, root string) (string, error) {
	rieOnce.Do(func() {
		if rieDir, rieErr = os.MkdirTemp("", "emulator-test-"); rieErr == nil {
			riePath, rieErr = BuildRIE(ctx, root, rieDir)
		}
	})
	return riePath, rieErr
}

// startSelf runs this test binary as the function under the real emulator until the test ends.
func startSelf(t *testing.T, timeout int, env ...string) *Emulator {
	t.Helper()
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rie, err := testRIE(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Start(ctx, rie, Function{Bootstrap: self, Env: append([]string{envBootstrap + "=1"}, env...), Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

func TestUnderTheRealEmulator(t *testing.T) {
	ctx := context.Background()
	e := startSelf(t, 5, "GREETING=hello")
	if pid := e.FunctionPID(); pid != 0 {
		t.Errorf("FunctionPID before the first invoke = %d, want 0: the function starts cold on the first invoke", pid)
	}

	res, err := e.Invoke(ctx, []byte(`{"say":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError || string(res.Body) != `{"echo":"hi","env":"hello"}` {
		t.Errorf("invoke = %+v (body %s), want the echo with the function's environment", res, res.Body)
	}

	res, err = e.Invoke(ctx, []byte(`{"fail":"not delivered"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !res.FunctionError || res.ErrorType != "errorString" || res.ErrorMessage != "not delivered" {
		t.Errorf("failed invoke = %+v, want a function error of type errorString saying %q", res, "not delivered")
	}

	pid := e.FunctionPID()
	if pid <= 0 {
		t.Fatalf("FunctionPID after an invoke = %d, want the function's pid\n%s", pid, e.Logs)
	}
	if rss, err := PeakRSS(pid); err != nil || rss < 1<<20 {
		t.Errorf("PeakRSS(function) = %d, %v; want at least a MiB", rss, err)
	}
	e.Stop()
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/status", pid)); err == nil && !isZombie(pid) {
		t.Errorf("the function (pid %d) still runs after Stop", pid)
	}
}

// TestStartSurvivesALostPort: a port chosen for the emulator but bound first by another server
// (other packages' tests start servers at the same time) must not send invocations to that
// server; Start notices that the emulator does not hold the port and starts it on other ports.
func TestStartSurvivesALostPort(t *testing.T) {
	for i, which := range []string{"runtime API", "invocation endpoint"} { // the order Start picks them in
		t.Run(which, func(t *testing.T) {
			squatter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			}))
			defer squatter.Close()
			taken := strings.TrimPrefix(squatter.URL, "http://")
			picks := 0
			pickAddr = func() (string, error) {
				picks++
				if picks == i+1 {
					return taken, nil
				}
				return loopback.FreeAddr()
			}
			t.Cleanup(func() { pickAddr = loopback.FreeAddr })

			e := startSelf(t, 5)
			if picks < 4 {
				t.Errorf("Start picked %d addresses; want a second pair after losing %s", picks, taken)
			}
			res, err := e.Invoke(context.Background(), []byte(`{"say":"hi"}`))
			if err != nil || res.FunctionError || string(res.Body) != `{"echo":"hi","env":""}` {
				t.Fatalf("invoke = %+v (body %s), %v; want the function's echo, not the other server's answer\n%s", res, res.Body, err, e.Logs)
			}
		})
	}
}

// TestLogsAreCompleteAfterStop: the function's output reaches Logs through a pipe, after the
// answer; once Stop returns, every line the function wrote is there.
func TestLogsAreCompleteAfterStop(t *testing.T) {
	e := startSelf(t, 5)
	const lines = 20000 // about 400 KiB: more than a pipe buffers
	if res, err := e.Invoke(context.Background(), []byte(`{"log":"`+strconv.Itoa(lines)+`"}`)); err != nil || res.FunctionError {
		t.Fatalf("invoke = %+v, %v", res, err)
	}
	e.Stop()
	logs := e.Logs.String()
	if n := strings.Count(logs, " of 20000\n"); n != lines || !strings.Contains(logs, "line 20000 of 20000\n") {
		t.Errorf("after Stop the log holds %d of the function's %d lines", n, lines)
	}
	// The Go runtime's last word, written as the function exits after the emulator has gone.
	if !strings.Contains(logs, "failed to get the next invoke") {
		t.Errorf("after Stop the log lacks what the function wrote as it exited:\n%s", logs[max(0, len(logs)-2000):])
	}
}

// TestStopEndsAHungFunction: a function that never returns is killed once its timeout has passed,
// so Stop cannot hang a test; what it wrote stays in the log.
func TestStopEndsAHungFunction(t *testing.T) {
	e := startSelf(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Invoke(ctx, []byte(`{"hang":"stuck in the handler"}`))
	wait, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	if !e.Logs.Await(wait, "stuck in the handler") {
		t.Fatalf("the function never started its invocation:\n%s", e.Logs)
	}
	pid := e.FunctionPID()
	if pid <= 0 {
		t.Fatalf("FunctionPID during an invocation = %d", pid)
	}
	e.Stop()
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/status", pid)); err == nil && !isZombie(pid) {
		t.Errorf("the hung function (pid %d) still runs after Stop", pid)
	}
	if !strings.Contains(e.Logs.String(), "stuck in the handler") {
		t.Errorf("Stop lost the function's output:\n%s", e.Logs)
	}
}

// isZombie tells a process that has exited but whose parent has not yet reaped it.
func isZombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	return err != nil || strings.Contains(string(data), "State:\tZ")
}

func TestStartFailsForAMissingEmulator(t *testing.T) {
	_, err := Start(context.Background(), filepath.Join(t.TempDir(), "no-such-rie"), Function{Bootstrap: "/bin/true"})
	if err == nil || !strings.Contains(err.Error(), "start emulator") {
		t.Fatalf("err = %v, want it to say the emulator did not start", err)
	}
}

func TestInvokeReadsLambdasAnswer(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   Result
	}{
		{"result", 200, `{"ok":true}`, Result{Body: []byte(`{"ok":true}`)}},
		{"handler error", 200, `{"errorType":"NotDeliveredError","errorMessage":"1 of 1 not delivered"}`,
			Result{FunctionError: true, ErrorType: "NotDeliveredError", ErrorMessage: "1 of 1 not delivered"}},
		{"runtime exit", 200, `{"errorType":"Runtime.ExitError"}`, Result{FunctionError: true, ErrorType: "Runtime.ExitError"}},
		{"emulator error page", 502, "bad gateway", Result{FunctionError: true, ErrorMessage: "HTTP 502: bad gateway"}},
		{"JSON that is no error", 200, `{"errorType":""}`, Result{}},
		{"function timed out", 200, "Task timed out after 2.00 seconds", // the emulator's plain-text 200
			Result{FunctionError: true, ErrorType: "Sandbox.Timedout", ErrorMessage: "Task timed out after 2.00 seconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					t.Errorf("method %s, want POST", r.Method)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			got, err := (&Emulator{URL: srv.URL}).Invoke(context.Background(), []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			if got.FunctionError != tt.want.FunctionError || got.ErrorType != tt.want.ErrorType || got.ErrorMessage != tt.want.ErrorMessage || string(got.Body) != tt.body {
				t.Errorf("Invoke = %+v (body %s), want %+v with the body as sent", got, got.Body, tt.want)
			}
		})
	}
}

func TestUnzipKeepsTheBootstrapAndItsMode(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "function.zip")
	writeZip(t, zipPath, map[string]os.FileMode{"README": 0o644, "bootstrap": 0o755})

	out, err := Unzip(zipPath, dir)
	if err != nil {
		t.Fatal(err)
	}
	if out != filepath.Join(dir, "bootstrap") {
		t.Errorf("Unzip = %s, want %s", out, filepath.Join(dir, "bootstrap"))
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o755 {
		t.Errorf("bootstrap mode %v, want 0755 as in the zip", info.Mode().Perm())
	}
	if data, _ := os.ReadFile(out); string(data) != "content of bootstrap" {
		t.Errorf("bootstrap holds %q", data)
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); err == nil {
		t.Error("Unzip extracted more than the bootstrap")
	}

	empty := filepath.Join(dir, "empty.zip")
	writeZip(t, empty, map[string]os.FileMode{"main": 0o755})
	if _, err := Unzip(empty, dir); err == nil || !strings.Contains(err.Error(), "empty.zip has no bootstrap") {
		t.Errorf("zip without bootstrap: err = %v, want it named", err)
	}
	if _, err := Unzip(filepath.Join(dir, "missing.zip"), dir); err == nil || !strings.Contains(err.Error(), "missing.zip") {
		t.Errorf("missing zip: err = %v, want it named", err)
	}
}

func writeZip(t *testing.T, path string, files map[string]os.FileMode) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, mode := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Unix(0, 0)}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "content of "+name)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPeakRSS(t *testing.T) {
	rss, err := PeakRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("PeakRSS(self) = %d, %v; want at least a MiB", rss, err)
	}
	if _, err := PeakRSS(-1); err == nil {
		t.Error("PeakRSS of no process: no error")
	}
}

func TestFunctionPIDWithoutAProcess(t *testing.T) {
	if pid := (&Emulator{cmd: &exec.Cmd{}}).FunctionPID(); pid != 0 {
		t.Errorf("FunctionPID of an emulator that never started = %d, want 0", pid)
	}
}

func TestBufferAwait(t *testing.T) {
	var b Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		for _, part := range []string{"first line\n", `{"msg":"deliv`, `ered"}` + "\n"} {
			b.Write([]byte(part))
		}
	}()
	if !b.Await(ctx, `{"msg":"delivered"}`) {
		t.Fatalf("Await missed a line written in two parts: %q", b.String())
	}
	if !b.Await(ctx, "first line") {
		t.Error("Await missed a line already there")
	}
	ended, end := context.WithCancel(context.Background())
	end()
	if b.Await(ended, "never written") {
		t.Error("Await found what was never written")
	}
}

func TestBufferTakesConcurrentWrites(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprintf(&b, "%d\n", i)
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 800 {
		t.Errorf("buffer holds %d lines, want 800", n)
	}
}
