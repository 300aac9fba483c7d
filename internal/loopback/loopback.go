// Package loopback knows the one address range local traffic may use: the relay lets plain HTTP
// reach only a loopback host (tests), and the tests and benchmarks start their servers there.
package loopback

import (
	"net"
	"strconv"
)

// IsHost tells whether host (a name or an IP, without port) is this machine: "localhost" or an
// address in 127.0.0.0/8 or ::1.
func IsHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// FreePort returns a loopback port nothing listens on right now. It is free only until another
// process binds it: a server that can bind port 0 itself should do so instead, and a harness that
// hands the port to a server it starts must check that the server got it (see emulator.Start).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeAddr is FreePort as a host:port on 127.0.0.1.
func FreeAddr() (string, error) {
	port, err := FreePort()
	return "127.0.0.1:" + strconv.Itoa(port), err
}
