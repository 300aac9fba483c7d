package testsupport

import (
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestRefusedURLRefusesAndKeepsItsPort(t *testing.T) {
	url := RefusedURL(t)
	_, err := http.Get(url + "/x")
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("GET %s: %v, want connection refused", url, err)
	}
	if l, err := net.Listen("tcp", strings.TrimPrefix(url, "http://")); err == nil {
		l.Close()
		t.Fatalf("another server could listen on %s", url)
	}
}
