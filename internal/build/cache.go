package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// cacheFormat changes when what a cached zip holds changes without a change to its inputs.
const cacheFormat = "alarm-relay relay zip v1"

// staleAfter: cached zips unused this long are removed when a new one is stored.
const staleAfter = 7 * 24 * time.Hour

// Cached returns the relay's deployment zip for linux/goarch from a content-addressed cache
// outside the module (<user cache dir>/alarm-relay/relay/<key>/), building it only when no zip
// for these inputs exists yet. Tests use it instead of Relay: an unchanged `go test` rewrites
// nothing (a file under the module that a test rewrites keeps `go test` from caching the test's
// result: "input file too new"), and needs no build.
//
// The key is computed by SourceKey, which reads every input in this process: Go's test cache
// records the files a test opens, so a test that uses the zip runs again when, and only when, one
// of the relay's sources changes.
func Cached(ctx context.Context, root, goarch string) (Artifact, error) {
	key, err := SourceKey(ctx, root, goarch)
	if err != nil {
		return Artifact{}, err
	}
	base, err := cacheRoot()
	if err != nil {
		return Artifact{}, err
	}
	dir := filepath.Join(base, key)
	zipPath := filepath.Join(dir, "relay-linux-"+goarch+".zip")
	if data, err := os.ReadFile(zipPath); err == nil {
		now := time.Now()
		_ = os.Chtimes(dir, now, now) // in use: not stale
		return artifactOf(zipPath, data), nil
	}
	var art Artifact
	err = Exclusive(ctx, func() error {
		if data, err := os.ReadFile(zipPath); err == nil { // built while this one waited
			art = artifactOf(zipPath, data)
			return nil
		}
		art, err = store(ctx, root, goarch, base, key, zipPath)
		return err
	})
	return art, err
}

// store builds the zip and puts it at zipPath, in the cache directory base under key.
func store(ctx context.Context, root, goarch, base, key, zipPath string) (Artifact, error) {
	dir := filepath.Dir(zipPath)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("create build cache: %w", err)
	}
	// Built beside its final place and renamed into it: two test binaries building at once
	// both end with one complete zip.
	staging, err := os.MkdirTemp(base, "staging-")
	if err != nil {
		return Artifact{}, fmt.Errorf("create build cache: %w", err)
	}
	defer os.RemoveAll(staging)
	built, err := relayIn(ctx, root, goarch, staging)
	if err != nil {
		return Artifact{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("create build cache: %w", err)
	}
	if err := os.Rename(built.ZipPath, zipPath); err != nil {
		return Artifact{}, fmt.Errorf("store relay zip in the build cache: %w", err)
	}
	pruneStale(base, key)
	built.ZipPath = zipPath
	return built, nil
}

func artifactOf(zipPath string, data []byte) Artifact {
	sum := sha256.Sum256(data)
	return Artifact{ZipPath: zipPath, SHA256: base64.StdEncoding.EncodeToString(sum[:]), Size: int64(len(data))}
}

// cacheRoot is where Cached keeps zips: the user's cache directory, or the temporary directory
// where there is none (no HOME).
func cacheRoot() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "alarm-relay", "relay"), nil
}

// pruneStale removes cached zips other than keep that were not used for staleAfter; the cache
// would otherwise grow by a zip for every change of the relay's sources.
func pruneStale(base, keep string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || e.Name() == keep || !e.IsDir() || time.Since(info.ModTime()) < staleAfter {
			continue
		}
		_ = os.RemoveAll(filepath.Join(base, e.Name()))
	}
}

// listedPackage is what `go list -json` says of one package the relay is built from.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	SFiles     []string
	EmbedFiles []string
	Module     *struct{ Main bool }
}

// SourceKey hashes everything the relay for linux/goarch is built from: the Go version, the build
// flags, go.mod and go.sum (which pin every dependency outside this module) and the content of
// every file of the relay's packages in this module. It reads those files itself (see Cached).
func SourceKey(ctx context.Context, root, goarch string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\nlinux/%s\n%q\n", cacheFormat, goarch, buildFlags)

	goVersion := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	goVersion.Dir, goVersion.Env = root, buildEnv(goarch)
	version, err := goVersion.Output()
	if err != nil {
		return "", fmt.Errorf("build cache key: go env GOVERSION: %w", err)
	}
	fmt.Fprintf(h, "%s", version)

	list := exec.CommandContext(ctx, "go", "list", "-deps", "-tags", "lambda.norpc",
		"-json=ImportPath,Dir,GoFiles,SFiles,EmbedFiles,Module", RelayPackage)
	list.Dir, list.Env = root, buildEnv(goarch)
	var stderr strings.Builder
	list.Stderr = &stderr
	out, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("build cache key: go list %s for linux/%s: %w\n%s", RelayPackage, goarch, err, strings.TrimSpace(stderr.String()))
	}
	files := []string{filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum")}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("build cache key: read go list's answer: %w", err)
		}
		if p.Module == nil || !p.Module.Main {
			continue // the standard library (GOVERSION) or a dependency (go.sum)
		}
		for _, f := range slices.Concat(p.GoFiles, p.SFiles, p.EmbedFiles) {
			files = append(files, filepath.Join(p.Dir, f))
		}
	}
	slices.Sort(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil && !(os.IsNotExist(err) && filepath.Base(f) == "go.sum") {
			return "", fmt.Errorf("build cache key: %w", err)
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}
