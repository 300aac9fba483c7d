package testsupport

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

// TestServeMotoCannotLoseItsPort: a server of another package's tests that binds the port meant
// for moto must not end up answering moto's requests (the flaky "seed: HTTP 202"). The command
// binds such a squatter on any port it is handed before moto starts; moto's own port is safe.
func TestServeMotoCannotLoseItsPort(t *testing.T) {
	bin := Require(t, "moto_server", "install it with: pip install 'moto[server]'")
	endpoint := ServeMoto(t, func(port string) *exec.Cmd {
		if port != "0" {
			if l, err := net.Listen("tcp", "127.0.0.1:"+port); err == nil {
				squatter := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusAccepted) // a Teams Workflows stand-in
				}))
				squatter.Listener.Close()
				squatter.Listener = l
				squatter.Start()
				t.Cleanup(squatter.Close)
			}
		}
		return exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	})
	resp, err := http.Get(endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
		t.Fatalf("%s answers HTTP %d %q: not moto", endpoint, resp.StatusCode, body)
	}
}

func TestPortWatchReadsTheLineWhole(t *testing.T) {
	w := newPortWatch()
	for _, chunk := range []string{
		"WARNING: This is a development server.\n * Running on http://127.0.0.1:385",
		"71\nPress CTRL+C to quit\n",
		"127.0.0.1 - - \"GET /moto-api/ HTTP/1.1\" 200 -\n",
	} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	select {
	case port := <-w.port:
		if port != "38571" {
			t.Errorf("port %q, want 38571 (not a number cut in two writes)", port)
		}
	default:
		t.Fatal("no port found")
	}
	if strings.Contains(w.String(), "GET /moto-api/") {
		t.Errorf("kept moto's output after the port line: %q", w.String())
	}
}
