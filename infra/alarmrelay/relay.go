package alarmrelay

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/alarm-relay/alarm-relay/internal/build"
)

// modulePath is this module's path: the relay's source is found through it.
const modulePath = "github.com/alarm-relay/alarm-relay"

// artifact is the relay's deployment zip: zip when given, else built from source. Inside the
// alarm-relay project it is built as the program always built it (into .build); in another
// program's module the source is in the read-only module cache, so the zip goes to the user's
// cache directory (the same bytes: the build is reproducible).
func artifact(ctx context.Context, zip string) (build.Artifact, error) {
	if zip != "" {
		data, err := os.ReadFile(zip)
		if err != nil {
			return build.Artifact{}, fmt.Errorf("RelayZip: %w", err)
		}
		sum := sha256.Sum256(data)
		return build.Artifact{ZipPath: zip, SHA256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(data))}, nil
	}
	root, own, err := sourceRoot(ctx)
	if err != nil {
		return build.Artifact{}, err
	}
	if own {
		return build.Relay(ctx, root, "arm64")
	}
	return build.Cached(ctx, root, "arm64")
}

// sourceRoot is the directory of this module's source, and whether it is the module the program
// runs in (rather than a dependency of it).
func sourceRoot(ctx context.Context) (dir string, own bool, err error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}\t{{.Main}}", modulePath).Output()
	if errors.Is(err, exec.ErrNotFound) {
		return "", false, errors.New("the go command is not on PATH: the relay is built from source (install Go: https://go.dev/doc/install), unless RelayZip names a relay zip built already")
	}
	if err != nil {
		detail := ""
		if exit, ok := err.(*exec.ExitError); ok {
			detail = ": " + strings.TrimSpace(string(exit.Stderr))
		}
		return "", false, fmt.Errorf("find the relay's source (go list -m %s; run the program inside a Go module that requires it, or set RelayZip): %w%s", modulePath, err, detail)
	}
	dir, main, _ := strings.Cut(strings.TrimSpace(string(out)), "\t")
	if dir == "" {
		return "", false, fmt.Errorf("find the relay's source: go list -m %s names no directory (not downloaded: go mod download %s)", modulePath, modulePath)
	}
	return filepath.Clean(dir), main == "true", nil
}
