// Package testsupport starts the real local services tests run against (moto_server for AWS APIs)
// and finds tools, failing rather than skipping when CI=true so that nothing is skipped silently;
// Diff shows how a golden file and a test's output differ.
package testsupport

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Require looks up a command. Outside CI a missing command skips the test (and Main reports the
// skip when the package's tests end); in CI it fails it.
func Require(t testing.TB, command, install string) string {
	t.Helper()
	path, err := exec.LookPath(command)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (CI=true: this test may not skip): %s", command, install)
		}
		skipped.add(t.Name(), command, install)
		t.Skipf("%s not found; %s", command, install)
	}
	return path
}

// AWSEnv is the environment that points AWS SDKs at a local endpoint with dummy credentials.
func AWSEnv(endpoint string) []string {
	return []string{
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_SESSION_TOKEN=testing",
		"AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// StartMoto runs moto_server on a loopback port of its own until the test ends and returns its
// endpoint.
func StartMoto(t testing.TB) string {
	t.Helper()
	bin := Require(t, "moto_server", "install it with: pip install 'moto[server]'")
	return ServeMoto(t, func(port string) *exec.Cmd { return exec.Command(bin, "-H", "127.0.0.1", "-p", port) })
}

// motoListening is the line moto_server (werkzeug) prints once it listens: the port it was
// given, or for port 0 the one the system chose.
var motoListening = regexp.MustCompile(`Running on http://127\.0\.0\.1:(\d+)\r?\n`)

// ServeMoto runs the command that command makes — moto_server, or a script that starts moto
// with a change — until the test ends, and returns its endpoint once moto answers there.
//
// command is given port "0": moto binds a port of its own and prints it. (A port chosen here
// and closed could be bound by another package's server first; moto would then fail to start
// while that server answered its requests.)
func ServeMoto(t testing.TB, command func(port string) *exec.Cmd) string {
	t.Helper()
	cmd := command("0")
	out := newPortWatch()
	cmd.Stdout, cmd.Stderr = out, out // werkzeug logs to stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	var port string
	select {
	case port = <-out.port:
	case <-exited:
		t.Fatalf("moto exited before it listened (%s); its output:\n%s", cmd, out)
	case <-time.After(60 * time.Second):
		t.Fatalf("moto did not say which port it listens on within a minute (%s); its output:\n%s", cmd, out)
	}
	endpoint := "http://127.0.0.1:" + port
	if err := WaitHTTP(endpoint+"/moto-api/", 30*time.Second); err != nil {
		t.Fatalf("moto did not come up: %v", err)
	}
	return endpoint
}

// portWatch takes moto's output: it keeps the start of it (for an error message) and sends the
// port once moto names it; the rest is discarded.
type portWatch struct {
	mu    sync.Mutex
	head  []byte // the output up to the port line, at most headMax bytes
	found bool
	port  chan string
}

const headMax = 64 << 10

func newPortWatch() *portWatch { return &portWatch{port: make(chan string, 1)} }

func (w *portWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.found {
		return len(p), nil
	}
	w.head = append(w.head, p[:min(len(p), headMax-min(len(w.head), headMax))]...)
	if m := motoListening.FindSubmatch(w.head); m != nil {
		w.found = true
		w.port <- string(m[1])
	}
	return len(p), nil
}

func (w *portWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.head)
}

// WaitHTTP polls url until it answers or the timeout passes.
func WaitHTTP(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", url, ctx.Err())
		case <-tick.C:
		}
	}
}

// Override returns a copy of base with overrides applied; an empty value removes the key. Tests
// use it to change a valid configuration or environment in one or two places.
func Override(base, overrides map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(overrides))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range overrides {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}
