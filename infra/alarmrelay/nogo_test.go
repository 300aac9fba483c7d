package alarmrelay

import (
	"context"
	"strings"
	"testing"
)

// TestNoGoCommand: without the go command on PATH (a program run from a prebuilt binary, a CI
// image without Go), building the relay fails saying so and naming RelayZip, not advising a
// Go module the program may well be in.
func TestNoGoCommand(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := artifact(context.Background(), "")
	if err == nil {
		t.Fatal("artifact without go on PATH: no error")
	}
	for _, want := range []string{"go command is not on PATH", "RelayZip"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "inside a Go module") {
		t.Errorf("error %q blames the module", err)
	}
}
