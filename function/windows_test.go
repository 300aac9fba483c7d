package main

import (
	"strings"
	"testing"
)

const sundayDeploy = `[{"name":"sunday-deploy","days":["Sun"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul"}]`

// TestAtSaysWhetherHeld: -at TIME runs with the clock at TIME and says which window holds the
// event's alarm; a held alarm prints no payload.
func TestAtSaysWhetherHeld(t *testing.T) {
	env := map[string]string{"MAINTENANCE_WINDOWS": sundayDeploy}
	r := run(t, env, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-at", "2026-12-06T02:30:00+09:00")
	want := `held: "orders-api latency (alarm-relay/dev)" changed at 2026-12-06T02:30:00+09:00, inside window sunday-deploy (2026-12-06 02:00 KST until 2026-12-06 04:00 KST); its summary comes at the end` + "\n"
	if r.code != exitOK || r.stdout != want {
		t.Errorf("exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", r.code, r.stdout, want, r.stderr)
	}
	r = run(t, env, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-at", "2026-12-05T19:00:00Z") // 04:00 KST: the end
	if r.code != exitOK || !strings.HasPrefix(r.stdout, `not held: "orders-api latency (alarm-relay/dev)" changed at 2026-12-05T19:00:00Z, in no maintenance window`+"\n{") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	// Without -at, a relay with windows says whether they hold the event at its change time.
	r = run(t, env, "", "-event", "testdata/latency-alarm.json", "-dry-run")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, `not held: "orders-api latency (alarm-relay/dev)" changed at 2026-11-20T09:15:42Z, in no maintenance window`+"\n{") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if r = run(t, nil, "", "-event", "testdata/latency-alarm.json", "-dry-run"); strings.Contains(r.stdout, "held") {
		t.Errorf("a relay without windows talks of them:\n%s", r.stdout)
	}
	// -at without windows says why nothing is held, rather than "in no maintenance window" as if
	// the windows it was meant to try did not match.
	r = run(t, nil, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-at", "2026-12-06T02:30:00+09:00")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, `not held: no maintenance windows (MAINTENANCE_WINDOWS is not set, or empty)`+"\n{") {
		t.Errorf("-at without windows: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	r = run(t, env, "", "-event", "testdata/plain-text.json", "-dry-run", "-at", "2026-12-06T02:30:00+09:00")
	if r.code != exitOK || !strings.Contains(r.stdout, "is no alarm notification (windows hold alarms only)") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
}

func TestWindowSettingsErrors(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"MAINTENANCE_WINDOWS": sundayDeploy}, []string{"-at", "2026-12-06 02:30"}, `-at "2026-12-06 02:30": write a time in RFC 3339`},
		{map[string]string{"MAINTENANCE_WINDOWS": `[{"name":"x","days":["Sun"],"start":"02:00","durationMinutes":1,"timezone":"Asia/Seoul"}]`}, nil, "MAINTENANCE_WINDOWS[0].durationMinutes: 1 must be 5 to 1440"},
		{map[string]string{"MAINTENANCE_WINDOWS": `{`}, nil, "MAINTENANCE_WINDOWS: unexpected EOF"},
	} {
		r := run(t, tt.env, "", append([]string{"-event", "testdata/latency-alarm.json", "-dry-run"}, tt.args...)...)
		if r.code != exitUsageError || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v %v: exit %d, stderr %s; want %q", tt.env, tt.args, r.code, r.stderr, tt.want)
		}
	}
	// A window's end event is one of the stack's scheduled events: it asks CloudWatch and posts.
	r := run(t, map[string]string{"MAINTENANCE_WINDOWS": sundayDeploy}, `{"alarmRelay":"windowEnd","window":"sunday-deploy","alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"]}`, "-dry-run")
	if r.code != exitUsageError || !strings.Contains(r.stderr, "-dry-run shows what an SNS event posts; a window end event asks CloudWatch for its alarms' states to sum the window up") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
	r = run(t, nil, `{"alarmRelay":"windowEnd","window":"","alarmArns":[]}`)
	if r.code != exitUsageError || !strings.Contains(r.stderr, "window end event: window is empty") {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}
