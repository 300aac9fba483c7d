package testsupport

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// skips remembers the tests Require skipped, per missing command.
type skips struct {
	mu      sync.Mutex
	tests   map[string][]string // command → skipped tests
	install map[string]string   // command → how to install it
	other   []string            // "TestName (why)", skipped by Skip
}

var skipped = &skips{tests: map[string][]string{}, install: map[string]string{}}

func (s *skips) add(test, command, install string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tests[command] = append(s.tests[command], test)
	s.install[command] = install
}

// Summary is one line naming every test skipped for a missing command and how to install it;
// "" when nothing was skipped.
func (s *skips) Summary(pkg string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tests) == 0 && len(s.other) == 0 {
		return ""
	}
	commands := make([]string, 0, len(s.tests))
	for c := range s.tests {
		commands = append(commands, c)
	}
	slices.Sort(commands)
	parts := make([]string, len(commands))
	for i, c := range commands {
		parts[i] = fmt.Sprintf("%d skipped without %s (%s; %s)", len(s.tests[c]), c, strings.Join(s.tests[c], ", "), s.install[c])
	}
	if len(s.other) > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped: %s", len(s.other), strings.Join(s.other, ", ")))
	}
	line := "SKIPPED in " + pkg + ": " + strings.Join(parts, "; ") + " — `go test` still says ok"
	if len(s.tests) > 0 {
		line += "; CI=true makes a missing command a failure"
	}
	return line
}

// Skip skips the test for a reason other than a missing command (it could not judge what it
// guards, and says why), and has the package's summary line name it: `go test ./...` shows no
// t.Skip of a passing package.
func Skip(t testing.TB, why string) {
	t.Helper()
	skipped.mu.Lock()
	skipped.other = append(skipped.other, t.Name()+" ("+why+")")
	skipped.mu.Unlock()
	t.Skip(why)
}

// Main runs a package's tests and then reports, in one line, the tests Require skipped. Use it as
//
//	func TestMain(m *testing.M) { testsupport.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	ReportSkips()
	os.Exit(code)
}

// ReportSkips writes the skip summary where whoever runs `go test` sees it. `go test ./...`
// shows nothing that a passing package's tests print, on stdout or stderr, so the line goes to
// the stderr of the process that started this test binary — the go command, whose stderr is the
// terminal, the CI log or the pipe — and to this binary's own stderr when that cannot be opened.
// (A result `go test` took from its cache prints nothing.)
func ReportSkips() {
	if parent, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", os.Getppid()), os.O_WRONLY|os.O_APPEND, 0); err == nil {
		defer parent.Close()
		Report(parent)
		return
	}
	Report(os.Stderr)
}

// Report writes the skip summary to w.
func Report(w io.Writer) {
	if line := skipped.Summary(packageDir()); line != "" {
		fmt.Fprintln(w, line)
	}
}

// packageDir names the package under test by its directory (go test runs a test binary in its
// package's directory), relative to the module root.
func packageDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return "this package"
	}
	for root := dir; ; {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			if rel, err := filepath.Rel(root, dir); err == nil {
				return "./" + filepath.ToSlash(rel)
			}
			return dir
		}
		parent := filepath.Dir(root)
		if parent == root {
			return dir
		}
		root = parent
	}
}
