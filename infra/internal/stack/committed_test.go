package stack

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// committedFile reads the file at path (relative to the repository root) as a fresh clone has
// it: HEAD's version, not the working tree's. Following the README's examples changes the
// working tree (`pulumi config set` rewrites Pulumi.dev.yaml), and the tests that play the
// README must not depend on what a reader did last. Outside a git checkout (an unpacked archive)
// it reads the file itself. A file HEAD does not have gives fs.ErrNotExist.
func committedFile(root, path string) ([]byte, error) {
	if err := exec.Command("git", "-C", root, "rev-parse", "--git-dir").Run(); err != nil {
		return os.ReadFile(filepath.Join(root, path))
	}
	show := exec.Command("git", "-C", root, "show", "HEAD:./"+filepath.ToSlash(path))
	var stderr strings.Builder
	show.Stderr = &stderr
	out, err := show.Output()
	switch {
	case err == nil:
		return out, nil
	case strings.Contains(stderr.String(), "does not exist") || strings.Contains(stderr.String(), "exists on disk, but not in"):
		return nil, os.ErrNotExist
	default:
		return nil, errors.New("git show HEAD:" + path + ": " + err.Error() + ": " + strings.TrimSpace(stderr.String()))
	}
}

func TestCommittedFileIgnoresTheWorkingTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
	root := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Outside a checkout: the file itself.
	write("Pulumi.dev.yaml", "config:\n  alarm-relay:apiName: archive\n")
	if got, err := committedFile(root, "Pulumi.dev.yaml"); err != nil || !strings.Contains(string(got), "archive") {
		t.Errorf("outside git: %q, %v; want the file", got, err)
	}

	git("init", "-q")
	write("Pulumi.dev.yaml", "config:\n  alarm-relay:apiName: committed\n")
	git("add", "Pulumi.dev.yaml")
	git("commit", "-q", "-m", "dev stack")
	// A reader follows the README: `pulumi config set messenger teams` rewrites the file.
	write("Pulumi.dev.yaml", "config:\n  alarm-relay:apiName: committed\n  alarm-relay:messenger: teams\n")
	write("Pulumi.prod.yaml", "config: {}\n")

	got, err := committedFile(root, "Pulumi.dev.yaml")
	if err != nil || string(got) != "config:\n  alarm-relay:apiName: committed\n" {
		t.Errorf("committedFile = %q, %v; want HEAD's version", got, err)
	}
	if _, err := committedFile(root, "Pulumi.prod.yaml"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file only in the working tree: %v, want not-exist (a fresh clone has none)", err)
	}
}
