// Package emulator runs the built relay the way Lambda does, under AWS's Lambda Runtime Interface
// Emulator (a `tool` of this module), on loopback ports. The end-to-end tests and the benchmark
// script drive the deployed artifact through it.
package emulator

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/listeners"
	"github.com/alarm-relay/alarm-relay/internal/loopback"
)

// RIEPackage is the emulator's main package, pinned by the `tool` line in go.mod.
const RIEPackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// BuildRIE compiles the emulator into dir and returns its path.
func BuildRIE(ctx context.Context, root, dir string) (string, error) {
	out := filepath.Join(dir, "aws-lambda-rie")
	err := build.Exclusive(ctx, func() error { // other test binaries build it too
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, RIEPackage)
		cmd.Dir = root
		if output, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", RIEPackage, err, output)
		}
		return nil
	})
	return out, err
}

// Unzip extracts the deployment zip's bootstrap into dir, keeping its mode, as Lambda does.
func Unzip(zipPath, dir string) (string, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", zipPath, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "bootstrap" {
			continue
		}
		src, err := f.Open()
		if err != nil {
			return "", err
		}
		defer src.Close()
		out := filepath.Join(dir, "bootstrap")
		dst, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, f.Mode().Perm())
		if err != nil {
			return "", err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return "", err
		}
		return out, dst.Close()
	}
	return "", fmt.Errorf("%s has no bootstrap", zipPath)
}

// Function is what one emulated execution environment runs.
type Function struct {
	Bootstrap string   // path of the unzipped bootstrap
	QEMU      string   // qemu-aarch64-static, for an arm64 bootstrap on another machine; empty runs it directly
	Env       []string // the function's configuration, as Lambda would set it
	Timeout   int      // seconds (AWS_LAMBDA_FUNCTION_TIMEOUT)
}

// Emulator is one running execution environment: the emulator process and, once invoked, the
// function it started.
type Emulator struct {
	URL     string
	Logs    *Buffer
	cmd     *exec.Cmd
	timeout int           // the function's, in seconds
	done    chan struct{} // closed once the emulator has exited and its output pipe is drained
	stop    sync.Once
}

// portAttempts bounds how often Start picks new ports after losing one to another process.
const portAttempts = 5

// pickAddr chooses a loopback address for one of the emulator's servers; a test replaces it to
// hand the emulator a port another server already holds.
var pickAddr = loopback.FreeAddr

// errPortLost: a port chosen for the emulator was bound by another process first.
var errPortLost = errors.New("lost a port to another process")

// Start launches the emulator on loopback ports and waits until it listens on them. The function
// itself starts on the first invocation, as a cold start does in Lambda.
//
// The emulator cannot listen on port 0 (it tells the function its runtime API's address before
// binding it), so ports are chosen here and may be taken by another process before the emulator
// binds them. Start therefore waits until the emulator process itself holds both ports (not merely
// until something answers there), and starts it again on other ports when it lost one.
func Start(ctx context.Context, rie string, fn Function) (*Emulator, error) {
	var err error
	for range portAttempts {
		var e *Emulator
		if e, err = startOnce(ctx, rie, fn); !errors.Is(err, errPortLost) {
			return e, err
		}
	}
	return nil, fmt.Errorf("start emulator: %d attempts: %w", portAttempts, err)
}

func startOnce(ctx context.Context, rie string, fn Function) (*Emulator, error) {
	apiAddr, err := pickAddr()
	if err != nil {
		return nil, err
	}
	rieAddr, err := pickAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"--runtime-interface-emulator-address", rieAddr, "--runtime-api-address", apiAddr}
	if fn.QEMU != "" {
		args = append(args, fn.QEMU)
	}
	args = append(args, fn.Bootstrap)
	cmd := exec.Command(rie, args...)
	cmd.Dir = filepath.Dir(fn.Bootstrap)
	timeout := fn.Timeout
	if timeout == 0 {
		timeout = 30
	}
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(timeout),
		"AWS_LAMBDA_FUNCTION_NAME=alarm-relay-e2e",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
	}, fn.Env...)
	logs := &Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	e := &Emulator{URL: "http://" + rieAddr + "/2015-03-31/functions/function/invocations", Logs: logs, cmd: cmd, timeout: timeout, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(e.done)
	}()
	if err := waitListening(ctx, cmd.Process.Pid, []string{rieAddr, apiAddr}, e.done); err != nil {
		e.Stop()
		if strings.Contains(logs.String(), "address already in use") {
			return nil, fmt.Errorf("%w: %s or %s: %s", errPortLost, rieAddr, apiAddr, strings.TrimSpace(logs.String()))
		}
		return nil, fmt.Errorf("emulator did not come up: %w\n%s", err, logs)
	}
	return e, nil
}

// Stop ends the emulator and the function it runs; then Logs is complete. Only the first call
// does anything.
//
// The function writes straight into the emulator's stdout, a pipe that this package copies into
// Logs, so its lines can reach Logs after the invocation's answer. Stop waits until that pipe is
// drained and closed by every writer: the emulator, killed, and the function, which exits by
// itself when its runtime API goes away, or is killed once its timeout has passed.
func (e *Emulator) Stop() {
	e.stop.Do(func() {
		fn := openProcess(e.FunctionPID()) // before the emulator exits and takes its /proc entry along
		defer fn.close()
		if e.cmd.Process != nil {
			_ = e.cmd.Process.Kill()
		}
		if !fn.exited(time.Duration(e.timeout) * time.Second) {
			fn.kill()
			fn.exited(time.Minute) // SIGKILL: at once
		}
		<-e.done
	})
}

// Result is an invocation's outcome as Lambda reports it.
type Result struct {
	Body          []byte
	FunctionError bool   // the handler returned an error or the runtime failed
	ErrorType     string // e.g. "NotDeliveredError", "Runtime.ExitError"
	ErrorMessage  string
}

// Invoke sends one event and waits for the function's answer.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(event))
	if err != nil {
		return Result{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("invoke: read answer: %w", err)
	}
	res := Result{Body: body}
	var failure struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if bytes.HasPrefix(body, []byte("Task timed out after ")) {
		// The emulator's answer (HTTP 200, plain text) when the function outlived its timeout;
		// Lambda reports that as a failed invocation of this type.
		res.FunctionError, res.ErrorType, res.ErrorMessage = true, "Sandbox.Timedout", string(body)
	} else if json.Unmarshal(body, &failure) == nil && (failure.ErrorType != "" || failure.ErrorMessage != "") {
		res.FunctionError, res.ErrorType, res.ErrorMessage = true, failure.ErrorType, failure.ErrorMessage
	} else if resp.StatusCode != http.StatusOK {
		res.FunctionError, res.ErrorMessage = true, fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body)
	}
	return res, nil
}

// FunctionPID is the pid of the function process the emulator started (0 before the first
// invoke). Any of the emulator's threads may have started it, so all their children are read.
func (e *Emulator) FunctionPID() int {
	if e.cmd.Process == nil {
		return 0
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", e.cmd.Process.Pid))
	for _, task := range tasks {
		data, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				return pid
			}
		}
	}
	return 0
}

// PeakRSS reads a process's peak resident set size (VmHWM) in bytes.
func PeakRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}

// Buffer is a goroutine-safe log buffer that tells waiters when it grows.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed by the next Write; nil when nobody waits
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return n, err
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Await waits until the buffer holds want, and tells whether it does before ctx ends. A function's
// log line can arrive after the invocation's answer (see Stop): a test that checks for one right
// after Invoke waits for it here.
func (b *Buffer) Await(ctx context.Context, want string) bool {
	for {
		b.mu.Lock()
		if bytes.Contains(b.buf.Bytes(), []byte(want)) {
			b.mu.Unlock()
			return true
		}
		if b.written == nil {
			b.written = make(chan struct{})
		}
		written := b.written
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-written:
		}
	}
}

// waitListening polls until process pid listens on every one of addrs, the process exits, or ctx
// ends.
func waitListening(ctx context.Context, pid int, addrs []string, exited <-chan struct{}) error {
	var want []int
	for _, addr := range addrs {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return err
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return fmt.Errorf("address %q: %w", addr, err)
		}
		want = append(want, p)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if ports, err := listeners.Ports(pid); err == nil && containsAll(ports, want) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not listening on %v: %w", addrs, ctx.Err())
		case <-exited:
			return fmt.Errorf("emulator exited")
		case <-tick.C:
		}
	}
}

func containsAll(have, want []int) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
