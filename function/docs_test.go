package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// docPages are the README and the pages of docs/ whose commands these tests check.
var docPages = []string{"../README.md", "../docs/delivery.md", "../docs/alarm-storms.md", "../docs/slack-app.md", "../docs/alarms-and-destinations.md", "../docs/maintenance-windows.md", "../docs/operations.md", "../docs/development.md"}

func readDocs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range docPages {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = string(data)
	}
	return out
}

// TestDocsDryRunsRunAsWritten: every `go run ./function … -dry-run` command in a code block of the
// docs (without variables in front of it) exits 0 and prints a payload, run from the repository
// root as the docs say. An `export NAME='value'` line before it in the block sets its environment
// (`unset NAME` ends it), and comment lines right below it are what it prints first, line by line.
func TestDocsDryRunsRunAsWritten(t *testing.T) {
	block := regexp.MustCompile("(?ms)^```sh\n(.*?)^```")
	export := regexp.MustCompile(`^export ([A-Z_]+)='([^']*)'$`)
	ran, shown := 0, 0
	for page, text := range readDocs(t) {
		for _, m := range block.FindAllStringSubmatch(text, -1) {
			env := map[string]string{}
			lines := strings.Split(m[1], "\n")
			for n, line := range lines {
				if e := export.FindStringSubmatch(line); e != nil {
					env[e[1]] = e[2]
					continue
				}
				if name, ok := strings.CutPrefix(line, "unset "); ok {
					delete(env, strings.TrimSpace(name))
					continue
				}
				line, _, _ = strings.Cut(line, "#") // a comment; no command here has # in its arguments
				fields := strings.Fields(line)
				if len(fields) < 3 || fields[0] != "go" || fields[1] != "run" || fields[2] != "./function" || !strings.Contains(line, "-dry-run") {
					continue
				}
				args, stdin := []string{}, ""
				for i := 3; i < len(fields); i++ {
					f := strings.TrimPrefix(fields[i], "function/") // the test runs in function/
					if f == "<" && i+1 < len(fields) {
						data, err := os.ReadFile(strings.TrimPrefix(fields[i+1], "function/"))
						if err != nil {
							t.Fatalf("%s: %q: %v", page, line, err)
						}
						stdin = string(data)
						i++
						continue
					}
					args = append(args, f)
				}
				ran++
				r := run(t, env, stdin, args...)
				if r.code != exitOK || !strings.Contains(r.stdout, "orders-api") && !strings.Contains(r.stdout, "{") {
					t.Errorf("%s: %q: exit %d, stdout %q, stderr %s", page, line, r.code, r.stdout, r.stderr)
				}
				printed := strings.Split(r.stdout, "\n")
				for i, below := range lines[n+1:] {
					want, ok := strings.CutPrefix(below, "# ")
					if !ok {
						break
					}
					shown++
					if i >= len(printed) || printed[i] != want {
						t.Errorf("%s: %q prints\n%s\nwhere the page shows %q as its line %d", page, line, r.stdout, want, i+1)
					}
				}
			}
		}
	}
	if ran < 4 {
		t.Errorf("ran %d dry-run commands from the docs; the README and docs/delivery.md show at least 4", ran)
	}
	if shown < 2 {
		t.Errorf("checked %d lines of output shown below dry runs; docs/maintenance-windows.md shows 2", shown)
	}
}

// TestDocsEventFilesExist: every sample event the docs name exists, and the reminder example is
// an event the relay takes for a reminder.
func TestDocsEventFilesExist(t *testing.T) {
	named := regexp.MustCompile(`function/testdata/[a-z0-9-]+\.json`)
	found := 0
	for page, text := range readDocs(t) {
		for _, path := range named.FindAllString(text, -1) {
			found++
			if _, err := os.Stat(filepath.Join("..", path)); err != nil {
				t.Errorf("%s names %s: %v", page, path, err)
			}
		}
	}
	if found < 5 {
		t.Errorf("the docs name %d sample events; expected the quick start's and the Slack app's", found)
	}
	if !strings.Contains(readDocs(t)["../docs/slack-app.md"], "go run ./function -event function/testdata/reminder.json") {
		t.Error("docs/slack-app.md no longer runs function/testdata/reminder.json; update this test")
	}
	data, err := os.ReadFile("testdata/reminder.json")
	if err != nil {
		t.Fatal(err)
	}
	e, ok, err := relayconfig.ParseReminderEvent(data)
	if !ok || err != nil || len(e.AlarmARNs) != 1 {
		t.Fatalf("testdata/reminder.json: reminder %v, %v, %+v", ok, err, e)
	}
	// It names the alarm of the sample events, which the docs create in moto under that name.
	if want := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api latency (alarm-relay/dev)"; e.AlarmARNs[0] != want {
		t.Errorf("reminder.json names %s, want the sample alarm %s", e.AlarmARNs[0], want)
	}
	// -dry-run refuses it, as the docs say.
	if r := run(t, nil, "", "-event", "testdata/reminder.json", "-dry-run"); r.code != exitUsageError || !strings.Contains(r.stderr, "run it without -dry-run") {
		t.Errorf("-dry-run of the reminder: exit %d, stderr %s", r.code, r.stderr)
	}
}
