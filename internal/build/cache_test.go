package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cachedIsNotRewritten: a second Cached for the same sources neither builds nor rewrites the
// zip first gave.
func cachedIsNotRewritten(t *testing.T, first Artifact) {
	t.Helper()
	root := moduleRoot(t)
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(first.ZipPath, past, past); err != nil {
		t.Fatal(err)
	}
	second, err := Cached(context.Background(), root, "arm64")
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(second.ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	if second != first || !after.ModTime().Equal(past) {
		t.Errorf("second Cached = %+v (modified %v); want the first zip %+v, untouched since %v", second, after.ModTime(), first, past)
	}
}

// TestSourceKeyFollowsTheSources: the key changes with any of the relay's files, go.mod or the
// architecture, and not with a file the relay is not built from.
func TestSourceKeyFollowsTheSources(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key := func() string {
		t.Helper()
		k, err := SourceKey(ctx, root, "arm64")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write("go.mod", "module example.com/relay\n\ngo 1.26\n")
	write("function/main.go", "package main\n\nimport \"example.com/relay/internal/msg\"\n\nfunc main() { println(msg.Text) }\n")
	write("internal/msg/msg.go", "package msg\n\nconst Text = \"hello\"\n")
	write("internal/msg/msg_test.go", "package msg\n")
	write("README.md", "# relay\n")
	base := key()

	write("README.md", "# relay, documented\n")
	write("internal/msg/msg_test.go", "package msg\n\n// a test changed\n")
	if k := key(); k != base {
		t.Errorf("key changed with files the relay is not built from")
	}
	if k, err := SourceKey(ctx, root, "amd64"); err != nil || k == base {
		t.Errorf("amd64 key = %s, %v; want another key than arm64's", k, err)
	}
	write("internal/msg/msg.go", "package msg\n\nconst Text = \"hello!\"\n")
	changedDep := key()
	if changedDep == base {
		t.Errorf("key unchanged after a change in a package the relay imports")
	}
	write("go.mod", "module example.com/relay\n\ngo 1.26.0\n")
	if k := key(); k == changedDep {
		t.Errorf("key unchanged after a change of go.mod")
	}
}

func TestSourceKeyNamesABrokenModule(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/relay\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := SourceKey(context.Background(), root, "arm64")
	if err == nil || !strings.Contains(err.Error(), "go list ./function for linux/arm64") {
		t.Fatalf("err = %v, want it to name go list and the target", err)
	}
}

func TestPruneStaleKeepsWhatIsInUse(t *testing.T) {
	base := t.TempDir()
	old := time.Now().Add(-staleAfter - time.Hour)
	for _, name := range []string{"stale", "recent", "keep"} {
		if err := os.Mkdir(filepath.Join(base, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"stale", "keep"} {
		if err := os.Chtimes(filepath.Join(base, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	pruneStale(base, "keep")
	for name, want := range map[string]bool{"stale": false, "recent": true, "keep": true} {
		if _, err := os.Stat(filepath.Join(base, name)); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", name, err == nil, want)
		}
	}
}
