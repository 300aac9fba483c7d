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
	"strconv"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/loopback"
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

// StartMoto runs moto_server on a free loopback port until the test ends and returns its endpoint.
func StartMoto(t testing.TB) string {
	t.Helper()
	bin := Require(t, "moto_server", "install it with: pip install 'moto[server]'")
	return ServeMoto(t, func(port string) *exec.Cmd { return exec.Command(bin, "-H", "127.0.0.1", "-p", port) })
}

// ServeMoto runs the command that command makes for a free loopback port — moto_server, or a
// script that starts moto with a change — until the test ends, and returns its endpoint once moto
// answers there.
func ServeMoto(t testing.TB, command func(port string) *exec.Cmd) string {
	t.Helper()
	free, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(free)
	endpoint := "http://127.0.0.1:" + port
	cmd := command(port)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if err := WaitHTTP(endpoint+"/moto-api/", 30*time.Second); err != nil {
		t.Fatalf("moto did not come up: %v", err)
	}
	return endpoint
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
