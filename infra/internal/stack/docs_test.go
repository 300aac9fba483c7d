package stack

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// docPages are the pages whose examples the README tests play, in reading order: a stack one
// page creates (`pulumi stack init prod`) is selected on a later one. docs/pending holds notes
// not yet folded in, and is not played.
var docPages = []string{
	"README.md",
	"docs/configuration.md",
	"docs/alarms-and-destinations.md",
	"docs/slack-app.md",
	"docs/maintenance-windows.md",
	"docs/delivery.md",
	"docs/alarm-storms.md",
	"docs/operations.md",
	"docs/permissions.md",
	"docs/development.md",
	"docs/component.md",
}

// pageBlock is a fenced code block and the page it is on.
type pageBlock struct {
	page string
	codeBlock
}

// docBlocks returns the code blocks of every page of docPages, in order.
func docBlocks(t *testing.T, root string) []pageBlock {
	t.Helper()
	var out []pageBlock
	for _, page := range docPages {
		text, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range codeBlocks(string(text)) {
			out = append(out, pageBlock{page: page, codeBlock: b})
		}
	}
	return out
}

// TestDocPagesListsEveryPage: a page added to docs/ is played too, or the list says why not.
func TestDocPagesListsEveryPage(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no pages in docs/")
	}
	for _, p := range pages {
		name := "docs/" + filepath.Base(p)
		if !slices.Contains(docPages, name) {
			t.Errorf("%s is not in docPages: its examples would not be played", name)
		}
	}
}

// TestDocLinksResolve: every relative link of the README, the changelog and docs/ names a file
// that exists and, with a #fragment, a heading of that page (as GitHub makes anchors of headings).
func TestDocLinksResolve(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	pages := append([]string{"CHANGELOG.md"}, docPages...)
	checked := 0
	for _, page := range pages {
		text := readPage(t, root, page)
		for _, m := range link.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			file, fragment, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.ToSlash(filepath.Join(filepath.Dir(page), file))
			}
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(path))); err != nil {
				t.Errorf("%s links to %s: %v", page, target, err)
				continue
			}
			if fragment != "" && !slices.Contains(anchors(readPage(t, root, path)), fragment) {
				t.Errorf("%s links to %s: %s has no heading %q", page, target, path, fragment)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d links; the pages link to each other far more", checked)
	}
}

func readPage(t *testing.T, root, page string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// anchors are the ids GitHub gives a page's headings: lower case, spaces to dashes, punctuation
// other than - and _ dropped.
func anchors(markdown string) []string {
	var out []string
	for _, line := range strings.Split(fence.ReplaceAllString(markdown, ""), "\n") {
		heading := strings.TrimLeft(line, "#")
		if len(heading) == len(line) || !strings.HasPrefix(heading, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestPulumiTemplateAsksForAPIRegionWebhook: `pulumi new <repository URL>` asks for the API, the
// region and the webhook, the webhook as a secret, and each project key it asks for is one the
// program declares (a template key the program does not read would be set and ignored).
func TestPulumiTemplateAsksForAPIRegionWebhook(t *testing.T) {
	proj, err := workspace.LoadProject(filepath.Join("..", "..", "..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if proj.Template == nil || proj.Template.Description == "" {
		t.Fatal("Pulumi.yaml has no template block with a description")
	}
	want := map[string]bool{"apiName": false, "aws:region": false, "webhookUrl": true} // key: secret
	for key, secret := range want {
		v, ok := proj.Template.Config[key]
		switch {
		case !ok:
			t.Errorf("the template does not ask for %s", key)
		case v.Description == "":
			t.Errorf("the template asks for %s without a description", key)
		case v.Secret != secret:
			t.Errorf("the template's %s: secret %v, want %v", key, v.Secret, secret)
		}
	}
	for key := range proj.Template.Config {
		if _, declared := proj.Config[key]; !declared && !strings.Contains(key, ":") {
			t.Errorf("the template asks for %s, which Pulumi.yaml's config does not declare", key)
		}
	}
	if v := proj.Template.Config["webhookUrl"]; v.Default != "" {
		t.Errorf("the template's webhookUrl has a default %q: a webhook is never a default", v.Default)
	}
}
