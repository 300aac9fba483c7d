package listeners

import (
	"net"
	"os"
	"slices"
	"testing"
)

func TestPortsNamesOwnListenersOnly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	// A connection is no listener: its local port must not be reported.
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.TCPAddr).Port

	ports, err := Ports(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ports, port) {
		t.Errorf("Ports = %v, lacks this process's listener on %d", ports, port)
	}
	if slices.Contains(ports, local) {
		t.Errorf("Ports = %v names the connection's local port %d", ports, local)
	}

	l.Close()
	ports, err = Ports(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ports, port) {
		t.Errorf("Ports = %v still names the closed listener %d", ports, port)
	}
}

func TestPortsOfAnotherProcessDoNotCount(t *testing.T) {
	// pid 1 is not this test: this process's listener is not among its ports.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ports, _ := Ports(1) // may be unreadable without privileges; then it names nothing
	if slices.Contains(ports, l.Addr().(*net.TCPAddr).Port) {
		t.Errorf("pid 1's ports %v include this test's listener", ports)
	}
}

func TestPortsOfNoProcess(t *testing.T) {
	if _, err := Ports(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
