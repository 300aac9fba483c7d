package stack

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// TestDefaultStackSnapshot pins every resource, input and dependency of the dev stack as it is
// configured today. Features that add keys must leave a stack that does not use them exactly as
// it was: the next `pulumi up` of an existing stack then changes nothing.
func TestDefaultStackSnapshot(t *testing.T) {
	m, _ := deployDev(t, map[string]string{"alertEmail": "oncall@example.com"})
	checkSnapshot(t, m, filepath.Join("testdata", "default-stack.golden.json"))
}

type snapshotResource struct {
	Type      string         `json:"type"`
	Name      string         `json:"name"`
	DependsOn []string       `json:"dependsOn,omitempty"`
	Inputs    map[string]any `json:"inputs"`
}

func checkSnapshot(t *testing.T, m *mocks, golden string) {
	t.Helper()
	var snap []snapshotResource
	for _, r := range m.resources {
		var deps []string
		for _, urn := range r.RegisterRPC.GetDependencies() {
			deps = append(deps, urn[strings.LastIndex(urn, "::")+2:])
		}
		sort.Strings(deps)
		snap = append(snap, snapshotResource{Type: r.TypeToken, Name: r.Name, DependsOn: deps, Inputs: plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)})
	}
	sort.Slice(snap, func(i, j int) bool { return snap[i].Name < snap[j].Name })
	got, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./infra/internal/stack -update writes it)", err)
	}
	if diff := testsupport.Diff(string(want), string(got)); diff != "" {
		t.Errorf("the stack differs from %s; if that is intended, rewrite it with go test ./infra/internal/stack -update and review the diff:\n%s", golden, diff)
	}
}

// plain turns a property value into JSON-able data; secrets show as {"secret": "***"} and the
// build artifact (its path and hash differ between machines and source changes) as placeholders.
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return map[string]any{"secret": "***"} // the value is checked by TestWebhookNeverInPlainText
	case v.IsArchive():
		return "<relay zip>"
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			if k == "sourceCodeHash" {
				out[string(k)] = "<sha256 of the relay zip>"
				continue
			}
			out[string(k)] = plain(e)
		}
		return out
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, plain(e))
		}
		return out
	case v.IsComputed(), v.IsOutput():
		return "<computed>"
	case v.IsNull():
		return nil
	}
	return v.V
}
