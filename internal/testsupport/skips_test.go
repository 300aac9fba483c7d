package testsupport

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
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
		"1 skipped without qemu-aarch64-static (TestB/arm64; install Debian's qemu-user-static) — `go test` still says ok; CI=true makes a missing command a failure"
	if got := s.Summary("./e2e"); got != want {
		t.Errorf("summary\n%s\nwant\n%s", got, want)
	}
}

func TestSkipIsNamedInTheSummary(t *testing.T) {
	t.Run("loaded", func(t *testing.T) {
		Skip(t, "nothing finished in time")
		t.Error("Skip returned")
	})
	got := skipped.Summary("./e2e")
	skipped = &skips{tests: map[string][]string{}, install: map[string]string{}} // the skip was this test's own
	if want := "SKIPPED in ./e2e: 1 skipped: TestSkipIsNamedInTheSummary/loaded (nothing finished in time) — `go test` still says ok"; got != want {
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

// envSkipRole makes this test binary play a part in TestReportSkipsReachesTheGoCommandsStderr:
// "go" runs the binary again as "tests", with its output discarded as go test discards a passing
// package's; "tests" skips a test for a missing command and reports it, as a TestMain does.
const envSkipRole = "TESTSUPPORT_SKIP_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(envSkipRole) {
	case "go":
		self, _ := os.Executable()
		tests := exec.Command(self)
		tests.Env = append(os.Environ(), envSkipRole+"=tests") // the last value counts
		if err := tests.Run(); err != nil {                    // stdout and stderr: /dev/null
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "tests":
		skipped.add("TestChild", "no-such-command-alarm-relay", "nothing to install")
		ReportSkips()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestReportSkipsReachesTheGoCommandsStderr: the notice must reach the stderr of the process
// that ran the test binary (the go command) even though the binary's own output goes nowhere.
func TestReportSkipsReachesTheGoCommandsStderr(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var goStderr bytes.Buffer
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), envSkipRole+"=go", "CI=")
	cmd.Stderr = &goStderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, goStderr.String())
	}
	if !strings.Contains(goStderr.String(), "1 skipped without no-such-command-alarm-relay (TestChild; nothing to install)") {
		t.Errorf("the go command's stderr got %q", goStderr.String())
	}
}
