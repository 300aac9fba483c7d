package testsupport

import (
	"bytes"
	"strings"
	"testing"
)

func TestSkipSummary(t *testing.T) {
	s := &skips{tests: map[string][]string{}, install: map[string]string{}}
	if got := s.Summary("./x"); got != "" {
		t.Errorf("nothing skipped: %q, want no line", got)
	}
	s.add("TestA", "moto_server", "install it with: pip install 'moto[server]'")
	s.add("TestB/arm64", "qemu-aarch64-static", "install Debian's qemu-user-static")
	s.add("TestC", "moto_server", "install it with: pip install 'moto[server]'")
	want := "SKIPPED in ./e2e: 2 skipped without moto_server (TestA, TestC; install it with: pip install 'moto[server]'); " +
		"1 skipped without qemu-aarch64-static (TestB/arm64; install Debian's qemu-user-static) — `go test` still says ok; CI=true makes these failures"
	if got := s.Summary("./e2e"); got != want {
		t.Errorf("summary\n%s\nwant\n%s", got, want)
	}
}

// TestRequireRecordsTheSkip runs Require for a command that cannot exist, outside CI.
func TestRequireRecordsTheSkip(t *testing.T) {
	t.Setenv("CI", "")
	t.Run("missing", func(t *testing.T) {
		Require(t, "no-such-command-alarm-relay", "nothing to install")
		t.Error("Require returned for a missing command")
	})
	var out bytes.Buffer
	Report(&out)
	if !strings.Contains(out.String(), "1 skipped without no-such-command-alarm-relay (TestRequireRecordsTheSkip/missing; nothing to install)") ||
		!strings.Contains(out.String(), "SKIPPED in ./internal/testsupport:") {
		t.Errorf("report = %q", out.String())
	}
	skipped = &skips{tests: map[string][]string{}, install: map[string]string{}} // the skip was this test's own
}
