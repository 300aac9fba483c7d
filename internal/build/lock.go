package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// lockPath is one lock for every build the tests start, across test binaries.
var lockPath = filepath.Join(os.TempDir(), "alarm-relay-build.lock")

// Exclusive runs build while no other test binary of this machine runs one. `go test ./...`
// runs packages' tests at once, and several of them build the same binaries (the relay for
// arm64, the emulator); the go command does not share a compilation in progress, so on a cold
// build cache each would compile everything itself. One at a time, the later ones find the
// packages compiled.
func Exclusive(ctx context.Context, build func() error) error {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return build() // no lock to be had (a read-only /tmp): build anyway
	}
	defer f.Close()
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			return build()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for another build: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return build()
}
