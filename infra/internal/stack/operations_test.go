package stack

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestReplayCommandRunsAsWritten evaluates the command in bash, as the README says
// (eval "$(pulumi stack output replayCommand)"), with stand-ins for aws and go that print what
// they were given: every value arrives intact, quotes included, and the caller's shell keeps no
// credentials.
func TestReplayCommandRunsAsWritten(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	stubs := testsupport.NewStubs(t)
	bin, stub := stubs.Dir, stubs.Stub
	stub("aws", `[ "$*" = "configure export-credentials --format env" ] && echo "export AWS_ACCESS_KEY_ID=AKIDEXAMPLE" && echo "export AWS_SECRET_ACCESS_KEY=secretEXAMPLE"`)
	stub("go", `printf 'args=%s|' "$@"; printf 'key=%s region=%s param=%s mentions=%s tz=%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_REGION" "$WEBHOOK_PARAMETER" "$MENTIONS" "$TIMEZONE"`)

	cmd := ReplayCommand("https://sqs.eu-west-1.amazonaws.com/123456789012/alarm-relay-ops-dead-letters-1a2b", "eu-west-1",
		map[string]string{"WEBHOOK_PARAMETER": "/alarm-relay/prod/ops/webhook-url", "MENTIONS": "@here,o'brien@example.com", "TIMEZONE": "Europe/Berlin", "MESSENGER": "teams"})
	script := `eval "$(printf '%s' "$CMD")"; echo "after=$AWS_ACCESS_KEY_ID"`
	c := exec.Command(bash, "-c", script)
	c.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "CMD=" + cmd}
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s\ncommand: %s", err, out, cmd)
	}
	want := "args=run|args=./function|args=-replay-dead-letters|args=https://sqs.eu-west-1.amazonaws.com/123456789012/alarm-relay-ops-dead-letters-1a2b|" +
		"key=AKIDEXAMPLE region=eu-west-1 param=/alarm-relay/prod/ops/webhook-url mentions=@here,o'brien@example.com tz=Europe/Berlin\nafter=\n"
	if string(out) != want {
		t.Errorf("ran\n%s\nwant\n%s\ncommand: %s", out, want, cmd)
	}

	// Without credentials (an old AWS CLI, no login) the replay does not start: an empty
	// export must not be mistaken for a successful one.
	stub("aws", `echo "aws: error: argument operation: Invalid choice" >&2; exit 2`)
	out, err = exec.Command(bash, "-c", "PATH="+bin+":/usr/bin:/bin; "+cmd).CombinedOutput()
	if err == nil || strings.Contains(string(out), "args=") {
		t.Errorf("the replay ran without credentials (err %v):\n%s", err, out)
	}
}

// TestOperationsOutputsPerDestination: with several destinations the first relay's log group and
// replay command are the single outputs, and the plural ones list every relay, one per line.
func TestOperationsOutputsPerDestination(t *testing.T) {
	cfg := devConfig()
	delete(cfg, "webhookUrl")
	cfg["alarms"] = `[{"kind":"latency"},{"kind":"errorRate"}]`
	cfg["destinations"] = twoDestinations
	_, outputs, err := deploy(t, cfg, []string{"destinations"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "logGroupName", outputs["logGroupName"].value, "/aws/lambda/alarm-relay-dev-team-346d9a58-relay")
	expect(t, "logGroupNames", outputs["logGroupNames"].value, "/aws/lambda/alarm-relay-dev-team-346d9a58-relay, /aws/lambda/alarm-relay-dev-ops-1aaaec74-relay")
	lines := strings.Split(outputs["replayCommands"].value, "\n")
	if len(lines) != 2 || lines[0] != outputs["replayCommand"].value {
		t.Fatalf("replayCommands = %q, want two lines, the first = replayCommand", outputs["replayCommands"].value)
	}
	for i, dest := range []string{"team", "ops"} {
		for _, want := range []string{"WEBHOOK_PARAMETER='/alarm-relay/dev/" + dest + "/webhook-url' ", "/alarm-relay-" + dest + "-dead-letters' )"} {
			if !strings.Contains(lines[i], want) {
				t.Errorf("replay command of %s lacks %s: %s", dest, want, lines[i])
			}
		}
	}
	if !strings.Contains(lines[1], "MESSENGER='teams-legacy'") || !strings.Contains(lines[1], "TIMEZONE='Europe/Berlin'") {
		t.Errorf("the ops replay does not use the ops relay's settings: %s", lines[1])
	}
	for name, o := range outputs {
		if strings.Contains(o.value, "SECRET") || o.secret {
			t.Errorf("output %s is secret or carries a webhook", name)
		}
	}
}
