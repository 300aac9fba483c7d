package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestConfigurationDocMatchesPulumiYAML fails when docs/configuration.md's table is not what
// Pulumi.yaml's config block makes of it: a key added, removed or changed in one place only.
func TestConfigurationDocMatchesPulumiYAML(t *testing.T) {
	root := filepath.Join("..", "..")
	changed, err := update(root, false)
	if err != nil {
		t.Fatal(err)
	}
	if changed {
		t.Fatal("docs/configuration.md is out of date with Pulumi.yaml's config block: run go run ./scripts/configdoc")
	}

	// Every declared key has its row, so a key cannot hide behind a stale table that still matches.
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Config map[string]any }
	if err := yaml.Unmarshal(project, &p); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name := range p.Config {
		if !strings.Contains(string(doc), "| `"+name+"` |") {
			t.Errorf("docs/configuration.md has no row for %s", name)
		}
	}
	if len(p.Config) < 20 {
		t.Errorf("Pulumi.yaml declares %d keys; expected the project's 20 and more", len(p.Config))
	}
}

func TestRender(t *testing.T) {
	project := `name: x
config:
  b:
    type: string
    default: ""
    description: "A | pipe and
      a line break."
  a:
    type: integer
    default: 300
    description: Milliseconds.
  l:
    type: array
    items:
      type: object
    default: []
    description: A list.
  s:
    type: string
    secret: true
    description: A secret without default.
`
	got, err := render([]byte(project))
	if err != nil {
		t.Fatal(err)
	}
	want := "| key | type | default | description |\n|---|---|---|---|\n" +
		"| `b` | string | — | A \\| pipe and a line break. |\n" + // declared order, not sorted
		"| `a` | integer | `300` | Milliseconds. |\n" +
		"| `l` | list of object | — | A list. |\n" +
		"| `s` | string, secret | — | A secret without default. |\n"
	if got != want {
		t.Errorf("render:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderRefuses(t *testing.T) {
	for name, project := range map[string]string{
		"no config block":    "name: x\n",
		"empty config block": "name: x\nconfig: {}\n",
		"not a mapping":      "- a\n",
		"no description":     "name: x\nconfig:\n  k:\n    type: string\n",
		"bad entry":          "name: x\nconfig:\n  k: [1, 2]\n",
	} {
		if _, err := render([]byte(project)); err == nil {
			t.Errorf("%s: rendered without an error", name)
		}
	}
}

func TestSplice(t *testing.T) {
	doc := "# Title\n\nprose\n\n" + begin + "old table\n" + end + "\nmore prose\n"
	got, err := splice([]byte(doc), "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Title\n\nprose\n\n" + begin + "new table\n" + end + "\nmore prose\n"; string(got) != want {
		t.Errorf("splice:\n%s\nwant:\n%s", got, want)
	}
	if _, err := splice([]byte("no markers\n"), "t"); err == nil {
		t.Error("splice without markers: no error")
	}
	if _, err := splice([]byte(begin+"no end\n"), "t"); err == nil {
		t.Error("splice without an end marker: no error")
	}
}
