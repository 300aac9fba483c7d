package alarmrelay

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/build"
)

// TestComponentPageCompiles: the Go program of docs/component.md builds as printed (with a
// package clause) in a module of its own that requires this one, as a reader's program does: a
// renamed field or a wrong import fails here, not in a reader's program.
func TestComponentPageCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(root, "docs", "component.md"))
	if err != nil {
		t.Fatal(err)
	}
	var programs []string
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(page), -1) {
		if strings.Contains(m[1], "func main()") {
			programs = append(programs, m[1])
		}
	}
	if len(programs) != 1 {
		t.Fatalf("docs/component.md has %d Go programs (a block with func main), want 1", len(programs))
	}
	// A module of the reader's, requiring this one as go get would (here: this checkout).
	importer := t.TempDir()
	gomod := "module example.com/orders\n\ngo 1.26\n\nrequire " + modulePath + " v0.0.0\n\nreplace " + modulePath + " => " + root + "\n"
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sums), "main.go": "package main\n\n" + programs[0]} {
		if err := os.WriteFile(filepath.Join(importer, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(ctx, "go", "vet", ".")
	cmd.Dir = importer
	// -mod=mod: the reader's go mod tidy (pulumi's config package needs a module this one does not).
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the program of docs/component.md does not build: %v\n%s\n%s", err, out, programs[0])
	}
}
