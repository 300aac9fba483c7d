// Package build compiles the relay into the zip Lambda runs. The Pulumi program and the end-to-end
// tests both call it, so the artifact that is tested is the artifact that is deployed.
package build

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// RelayPackage is the relay's main package, relative to the module root.
const RelayPackage = "./function"

// zipTime is the fixed timestamp of the zip entry: same source, same bytes, no spurious update.
var zipTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Artifact is a built relay.
type Artifact struct {
	ZipPath string // <module root>/.build/relay-linux-<arch>.zip
	SHA256  string // base64 of the zip's SHA-256, as Lambda's source_code_hash wants it
	Size    int64  // zip size in bytes
}

// ModuleRoot finds the root of the Go module the current directory is in (where go.mod is), so
// that the build works whether `pulumi up` runs the program from the project root or from infra/.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the Go module root (go env GOMOD): %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the alarm-relay Go module: run from the project directory")
	}
	return filepath.Dir(gomod), nil
}

// Binary compiles the relay for linux/goarch into outPath, the way Lambda's provided.al2023 runs
// it: static, stripped, reproducible (-trimpath, no VCS stamp, empty build ID) and without the
// legacy RPC handler (lambda.norpc). A failure carries the compiler's output.
func Binary(ctx context.Context, root, goarch, outPath string) error {
	return BinaryOf(ctx, root, RelayPackage, goarch, outPath)
}

// BinaryOf compiles another main package (relative to root) exactly as Binary compiles the relay:
// the benchmark's no-op function is built this way, so that the two compare like for like.
func BinaryOf(ctx context.Context, root, pkg, goarch, outPath string) error {
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build"}, buildFlags...), "-o", outPath, pkg)...)
	cmd.Dir = root
	cmd.Env = buildEnv(goarch)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s (go build for linux/%s in %s): %w\n%s", pkg, goarch, root, err, strings.TrimSpace(output.String()))
	}
	return nil
}

// buildFlags are the relay's build flags (see Binary); the build cache's key includes them.
var buildFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid=", "-tags", "lambda.norpc"}

// buildEnv is the environment of a build for linux/goarch. GOFLAGS is cleared so that a
// developer's flags cannot change what ships.
func buildEnv(goarch string) []string {
	return append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
}

// Zip writes binary as the single entry "bootstrap", mode 0755, with a fixed timestamp. (Pulumi's
// own AssetArchive-to-zip conversion drops the execute bit, and Lambda then fails with
// "permission denied".)
func Zip(w io.Writer, binary io.Reader) error {
	zw := zip.NewWriter(w)
	header := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	header.SetMode(0o755)
	entry, err := zw.CreateHeader(header)
	if err != nil {
		return fmt.Errorf("zip bootstrap: %w", err)
	}
	if _, err := io.Copy(entry, binary); err != nil {
		return fmt.Errorf("zip bootstrap: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip bootstrap: %w", err)
	}
	return nil
}

// Relay builds the relay for linux/goarch ("arm64" in production) and writes its deployment zip
// under root/.build, replacing the previous one atomically.
func Relay(ctx context.Context, root, goarch string) (Artifact, error) {
	return relayIn(ctx, root, goarch, filepath.Join(root, ".build"))
}

// relayIn builds the relay's zip into dir/relay-linux-<goarch>.zip.
func relayIn(ctx context.Context, root, goarch, dir string) (Artifact, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("create build directory: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, "relay-")
	if err != nil {
		return Artifact{}, fmt.Errorf("create build directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	binPath := filepath.Join(tmp, "bootstrap")
	if err := Binary(ctx, root, goarch, binPath); err != nil {
		return Artifact{}, err
	}
	bin, err := os.Open(binPath)
	if err != nil {
		return Artifact{}, fmt.Errorf("read built relay: %w", err)
	}
	defer bin.Close()

	var zipped bytes.Buffer
	if err := Zip(&zipped, bin); err != nil {
		return Artifact{}, err
	}
	zipPath := filepath.Join(dir, "relay-linux-"+goarch+".zip")
	staged := filepath.Join(tmp, "relay.zip")
	if err := os.WriteFile(staged, zipped.Bytes(), 0o644); err != nil {
		return Artifact{}, fmt.Errorf("write relay zip: %w", err)
	}
	if err := os.Rename(staged, zipPath); err != nil {
		return Artifact{}, fmt.Errorf("write relay zip: %w", err)
	}
	sum := sha256.Sum256(zipped.Bytes())
	return Artifact{ZipPath: zipPath, SHA256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(zipped.Len())}, nil
}
