package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// quickStart is the README's first command, run from the repository root.
const quickStart = "go run ./function -event function/testdata/latency-alarm.json -dry-run"

// TestREADMEMessageMatchesTheQuickStart: every piece of text in the README's "What a message looks
// like" picture is in what the quick-start command prints, so the picture shows nothing the
// command does not.
func TestREADMEMessageMatchesTheQuickStart(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	if !strings.Contains(readme, quickStart) {
		t.Fatalf("the README no longer shows the quick start %q; update this test with it", quickStart)
	}
	_, section, ok := strings.Cut(readme, "## What a message looks like")
	if !ok {
		t.Fatal("README has no section \"What a message looks like\"")
	}
	_, picture, _ := strings.Cut(section, "```\n")
	picture, _, _ = strings.Cut(picture, "```")

	r := run(t, nil, "", "-event", "testdata/latency-alarm.json", "-dry-run")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	printed := strings.NewReplacer("&gt;", ">", "&lt;", "<", "&amp;", "&", "*", "").Replace(r.stdout) // mrkdwn as Slack shows it

	columns := regexp.MustCompile(`\s{2,}`)
	fragments := 0
	for _, line := range strings.Split(strings.TrimSpace(picture), "\n") {
		line = strings.TrimPrefix(line, "┃ ")
		for _, f := range columns.Split(line, -1) {
			f = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(f), "[ "), " ]")
			f = strings.TrimSuffix(f, " …") // cut short in the picture only
			if f == "" {
				continue
			}
			fragments++
			if !strings.Contains(printed, f) {
				t.Errorf("the README's message shows %q, which the quick start does not print", f)
			}
		}
	}
	if fragments < 20 {
		t.Errorf("only %d pieces of text found in the README's picture: is the section still a picture?", fragments)
	}
}
