package testsupport

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStubsRunFirstOnPath: a stand-in runs instead of the real command when its directory leads
// PATH, and a second Stub of the same name replaces the first.
func TestStubsRunFirstOnPath(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("sh not found")
	}
	s := NewStubs(t)
	s.Stub("aws", `echo first "$@"`)
	s.Stub("aws", `echo stand-in "$@"`)
	out, err := exec.Command(sh, "-c", "PATH="+s.Dir+":/usr/bin:/bin; aws configure list").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "stand-in configure list" {
		t.Fatalf("aws through the stand-in: %q, %v; want \"stand-in configure list\"", out, err)
	}
}
