package loopback

import (
	"net"
	"strconv"
	"testing"
)

func TestIsHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":          true,
		"127.0.0.1":          true,
		"127.255.0.9":        true,
		"::1":                true,
		"":                   false,
		"LOCALHOST":          false, // url.Hostname keeps the case; only the lower-case name is trusted
		"localhost.":         false,
		"localhost.evil.com": false,
		"127.0.0.1.nip.io":   false,
		"10.0.0.1":           false,
		"0.0.0.0":            false,
		"::":                 false,
		"hooks.slack.com":    false,
		"[::1]":              false, // a host, not a bracketed URL authority
	} {
		if got := IsHost(host); got != want {
			t.Errorf("IsHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestFreeAddrCanBeListenedOn(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("FreeAddr() = %q (%v), want 127.0.0.1:port", addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		t.Fatalf("port %q is not a TCP port", port)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the free address %s cannot be listened on: %v", addr, err)
	}
	l.Close()
}
