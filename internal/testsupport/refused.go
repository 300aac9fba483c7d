package testsupport

import (
	"strconv"
	"syscall"
	"testing"
)

// RefusedURL returns http://127.0.0.1:<port> where nothing listens until the test ends: every
// connection is refused. The port is held by a socket that is bound but not listening, so no
// other server can take it. (A closed httptest server's URL is free again at once: another
// package's server may bind it, and a test of "nothing listens" then reaches that server.)
func RefusedURL(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("hold a port: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	// No SO_REUSEADDR: a listener that sets it (as Go's do) still may not share the port.
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("hold a port: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("hold a port: %v", err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}
