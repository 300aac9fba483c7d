package build

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Size budgets of what ships (issue targets): a smaller artifact is a faster cold start.
const (
	maxBinaryBytes = 10 << 20
	maxZipBytes    = 5 << 20
)

// moduleRoot finds the module and reads the relay's sources (SourceKey), so that `go test`
// caches a test that builds the relay only until one of them changes.
func moduleRoot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	root, err := ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SourceKey(ctx, root, "arm64"); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestRelayIsDeterministicArm64Bootstrap: two builds of the same sources — one into the build
// cache, one fresh — have the same bytes, and what ships is a static, stripped arm64 bootstrap.
func TestRelayIsDeterministicArm64Bootstrap(t *testing.T) {
	ctx := context.Background()
	root := moduleRoot(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // an empty build cache: Cached builds
	first, err := Cached(ctx, root, "arm64")
	if err != nil {
		t.Fatal(err)
	}
	firstBytes, err := os.ReadFile(first.ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	// Built outside the module: a file the test rewrites under it would keep go test from
	// caching the result. Relay's .build is the same code with another directory.
	dir := t.TempDir()
	var second Artifact
	err = Exclusive(ctx, func() (err error) {
		second, err = relayIn(ctx, root, "arm64", dir)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	secondBytes, err := os.ReadFile(second.ZipPath)
	if err != nil {
		t.Fatal(err)
	}
	if first.SHA256 != second.SHA256 || !bytes.Equal(firstBytes, secondBytes) {
		t.Fatalf("two builds of the same source differ: %s vs %s", first.SHA256, second.SHA256)
	}
	if second.ZipPath != filepath.Join(dir, "relay-linux-arm64.zip") || first.Size != int64(len(firstBytes)) {
		t.Errorf("artifact %+v does not describe the zip (%d bytes)", first, len(firstBytes))
	}
	if strings.HasPrefix(first.ZipPath, root+string(filepath.Separator)) {
		t.Errorf("cached zip %s is inside the module", first.ZipPath)
	}
	cachedIsNotRewritten(t, first)
	if first.Size > maxZipBytes {
		t.Errorf("zip is %d bytes, budget %d", first.Size, maxZipBytes)
	}

	zr, err := zip.NewReader(bytes.NewReader(firstBytes), int64(len(firstBytes)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("zip holds %d entries, want only bootstrap", len(zr.File))
	}
	entry := zr.File[0]
	if mode := entry.Mode(); mode.Perm() != 0o755 || !mode.IsRegular() {
		t.Errorf("bootstrap mode = %v, want -rwxr-xr-x", mode)
	}
	if !entry.Modified.Equal(zipTime) {
		t.Errorf("bootstrap timestamp = %v, want the fixed %v", entry.Modified, zipTime)
	}
	rc, err := entry.Open()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(bin) > maxBinaryBytes {
		t.Errorf("bootstrap is %d bytes, budget %d", len(bin), maxBinaryBytes)
	}
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("bootstrap is not an ELF binary: %v", err)
	}
	if f.Machine != elf.EM_AARCH64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("bootstrap is %v/%v, want arm64", f.Machine, f.Class)
	}
	if f.Section(".symtab") != nil {
		t.Error("bootstrap is not stripped")
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap is dynamically linked; provided.al2023 needs a static binary")
		}
	}
}

func TestBinaryFailureCarriesCompilerOutput(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "go.mod"), []byte("module broken\n\ngo 1.26\n"), 0o644))
	must(os.MkdirAll(filepath.Join(root, "function"), 0o755))
	must(os.WriteFile(filepath.Join(root, "function", "main.go"), []byte("package main\n\nfunc main() { undefinedThing() }\n"), 0o644))
	err := Binary(context.Background(), root, "arm64", filepath.Join(root, "bootstrap"))
	if err == nil || !strings.Contains(err.Error(), "undefined: undefinedThing") || !strings.Contains(err.Error(), "linux/arm64") {
		t.Fatalf("err = %v, want the compiler's message and the target", err)
	}
}

func TestZipRoundTrip(t *testing.T) {
	var a, b bytes.Buffer
	if err := Zip(&a, strings.NewReader("#!binary")); err != nil {
		t.Fatal(err)
	}
	if err := Zip(&b, strings.NewReader("#!binary")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("Zip is not deterministic")
	}
}
