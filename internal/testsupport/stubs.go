package testsupport

import (
	"os"
	"path/filepath"
	"testing"
)

// Stubs is a directory of stand-in commands for a test that runs a shell command line (aws, go,
// …): put Dir first on the command's PATH.
type Stubs struct {
	t   testing.TB
	Dir string
}

// NewStubs is an empty directory of stand-ins, removed after the test.
func NewStubs(t testing.TB) *Stubs { return &Stubs{t: t, Dir: t.TempDir()} }

// Stub makes name a /bin/sh script running script (replacing an earlier stand-in of that name).
func (s *Stubs) Stub(name, script string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.Dir, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		s.t.Fatal(err)
	}
}
