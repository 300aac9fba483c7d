package stack

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
)

func fixedWindowClock(t *testing.T) {
	t.Helper()
	prev := settings.Now
	settings.Now = func() time.Time { return time.Date(2026, 12, 3, 9, 45, 0, 0, time.UTC) } // a Thursday
	t.Cleanup(func() { settings.Now = prev })
}

// TestMaintenanceWindowSchedules: each destination with windows gets one end schedule per window
// (none for a loud destination, none for a one-off window that has ended), invoking its own
// relay through a role that may invoke only that function; its relay gets the windows in its
// environment and may describe the alarms they hold.
func TestMaintenanceWindowSchedules(t *testing.T) {
	fixedWindowClock(t)
	alarms := `[{"kind": "latency"}, {"kind": "errorRate"}]`
	windows := `[{"name": "sunday-deploy", "days": ["Sun"], "start": "02:00", "durationMinutes": 120, "timezone": "Asia/Seoul"},
		{"name": "migration", "start": "2026-12-10T23:30:00+09:00", "end": "2026-12-11T01:00:00+09:00", "alarms": ["orders-api-prod-5xx-error-rate"]},
		{"name": "last-week", "start": "2026-11-26T01:00:00+09:00", "end": "2026-11-26T02:00:00+09:00"}]`
	dests := `[{"name": "team", ` + teamHook + `}, {"name": "oncall", ` + oncallApp + `, "alarms": ["orders-api-prod-latency"]}, {"name": "loud", ` + teamHook + `, "maintenanceWindows": []}]`
	m, outputs, err := deploy(t, devConfigWith(map[string]string{"webhookUrl": "", "alarms": alarms, "destinations": dests, "maintenanceWindows": windows}), []string{"destinations"}, artifact)
	if err != nil {
		t.Fatal(err)
	}
	latencyArn := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)"
	errorRateArn := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod 5XX error rate (alarm-relay/dev)"
	fnArn := func(dest string) string {
		return "arn:aws:lambda:us-east-1:123456789012:function:" + settings.FunctionName(project, stackName, dest)
	}

	schedules := m.byType("aws:scheduler/schedule:Schedule")
	var names []string
	for _, s := range schedules {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	expect(t, "schedules", strings.Join(names, " "), "alarm-relay-oncall-window-sunday-deploy alarm-relay-team-window-migration alarm-relay-team-window-sunday-deploy")

	for _, tt := range []struct {
		resource, dest, window, expression, zone string
		arns                                     []string
	}{
		{"alarm-relay-team-window-sunday-deploy", "team", "sunday-deploy", "cron(0 4 ? * SUN *)", "Asia/Seoul", []string{latencyArn, errorRateArn}},
		{"alarm-relay-team-window-migration", "team", "migration", "at(2026-12-10T16:00:00)", "UTC", []string{errorRateArn}},
		{"alarm-relay-oncall-window-sunday-deploy", "oncall", "sunday-deploy", "cron(0 4 ? * SUN *)", "Asia/Seoul", []string{latencyArn}},
	} {
		in := m.named(t, tt.resource).Inputs
		expect(t, tt.resource+" name", str(t, in, "name"), WindowScheduleName(project, stackName, tt.dest, tt.window))
		expect(t, tt.resource+" expression", str(t, in, "scheduleExpression"), tt.expression)
		expect(t, tt.resource+" zone", str(t, in, "scheduleExpressionTimezone"), tt.zone)
		expect(t, tt.resource+" flexible window", str(t, object(t, in, "flexibleTimeWindow"), "mode"), "OFF")
		target := object(t, in, "target")
		expect(t, tt.resource+" target", str(t, target, "arn"), fnArn(tt.dest))
		expect(t, tt.resource+" role", str(t, target, "roleArn"), "arn:aws:iam::123456789012:role/alarm-relay-"+tt.dest+"-windows-role")
		ev, ok, err := maintenance.ParseEndEvent([]byte(str(t, target, "input")))
		if !ok || err != nil || ev.Window != tt.window || !slices.Equal(ev.AlarmARNs, tt.arns) {
			t.Errorf("%s input = %+v (%v, %v), want window %s, alarms %v", tt.resource, ev, ok, err, tt.window, tt.arns)
		}
		dependsOn(t, m.named(t, tt.resource), "alarm-relay-"+tt.dest+"-windows-policy")
		if n := len(str(t, in, "name")); n > scheduleNameChars {
			t.Errorf("%s: name of %d characters", tt.resource, n)
		}
	}

	for _, dest := range []string{"team", "oncall"} {
		raw := str(t, m.named(t, "alarm-relay-"+dest+"-windows-role").Inputs, "assumeRolePolicy")
		if strings.Contains(raw, `"Resource"`) {
			t.Errorf("%s: scheduler role trust has a Resource field, which IAM refuses in a trust policy: %s", dest, raw)
		}
		var trust policyDocument
		if err := json.Unmarshal([]byte(raw), &trust); err != nil {
			t.Fatal(err)
		}
		st := trust.Statement[0]
		// The confused deputy: only this account's schedules (in the default group, where the
		// stack puts them) may assume the role, not another account's nor another service's.
		if len(trust.Statement) != 1 || st.Principal["Service"] != "scheduler.amazonaws.com" || !slices.Equal(st.Action, []string{"sts:AssumeRole"}) ||
			len(st.Condition) != 1 || len(st.Condition["StringEquals"]) != 2 ||
			st.Condition["StringEquals"]["aws:SourceAccount"] != "123456789012" ||
			st.Condition["StringEquals"]["aws:SourceArn"] != "arn:aws:scheduler:us-east-1:123456789012:schedule-group/default" {
			t.Errorf("%s: scheduler role trust = %+v, want sts:AssumeRole by scheduler.amazonaws.com for aws:SourceAccount 123456789012 and aws:SourceArn its default schedule group", dest, trust)
		}
		var doc policyDocument
		if err := json.Unmarshal([]byte(str(t, m.named(t, "alarm-relay-"+dest+"-windows-policy").Inputs, "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Statement) != 1 || !slices.Equal(doc.Statement[0].Action, []string{"lambda:InvokeFunction"}) || !slices.Equal(doc.Statement[0].Resource.([]any), []any{fnArn(dest)}) {
			t.Errorf("%s: scheduler role policy = %+v, want lambda:InvokeFunction on its function only", dest, doc)
		}
	}
	for _, name := range []string{"alarm-relay-loud-windows-role", "alarm-relay-loud-windows-policy"} {
		if _, ok := m.find(name); ok {
			t.Errorf("%s declared for a destination without windows", name)
		}
	}

	// The relays' environment and their DescribeAlarms grant.
	for _, tt := range []struct {
		dest, windows string
		describe      []any
	}{
		{"team", `[{"name":"sunday-deploy","days":["Sun"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul"},{"name":"migration","start":"2026-12-10T23:30:00+09:00","end":"2026-12-11T01:00:00+09:00","alarms":["orders-api prod 5XX error rate (alarm-relay/dev)"]},{"name":"last-week","start":"2026-11-26T01:00:00+09:00","end":"2026-11-26T02:00:00+09:00"}]`,
			[]any{latencyArn, errorRateArn}},
		{"oncall", `[{"name":"sunday-deploy","days":["Sun"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul"},{"name":"migration","start":"2026-12-10T23:30:00+09:00","end":"2026-12-11T01:00:00+09:00","alarms":["orders-api prod 5XX error rate (alarm-relay/dev)"]},{"name":"last-week","start":"2026-11-26T01:00:00+09:00","end":"2026-11-26T02:00:00+09:00"}]`,
			[]any{latencyArn}},
		{"loud", "", nil},
	} {
		env := object(t, object(t, m.named(t, "alarm-relay-"+tt.dest+"-function").Inputs, "environment"), "variables")
		got := ""
		if v, ok := env[maintenance.EnvWindows]; ok {
			got = v.StringValue()
		}
		expect(t, tt.dest+" "+maintenance.EnvWindows, got, tt.windows)
		if _, err := maintenance.Decode(got); err != nil {
			t.Errorf("%s: the relay cannot read its windows: %v", tt.dest, err)
		}
		var doc policyDocument
		if err := json.Unmarshal([]byte(str(t, m.named(t, "alarm-relay-"+tt.dest+"-policy").Inputs, "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		var describe []any
		for _, st := range doc.Statement {
			if st.Sid == "DescribeOwnAlarms" {
				describe = st.Resource.([]any)
			}
		}
		if !slices.Equal(describe, tt.describe) {
			t.Errorf("%s may describe %v, want %v", tt.dest, describe, tt.describe)
		}
	}

	want := strings.Join([]string{
		"sunday-deploy (team): next Sun 2026-12-06 02:00 KST (Asia/Seoul) until Sun 2026-12-06 04:00 KST",
		"migration (team): next Thu 2026-12-10 23:30 +0900 (as written) until Fri 2026-12-11 01:00 +0900",
		"last-week (team): ended (a one-off window: remove it from the configuration)",
		"sunday-deploy (oncall): next Sun 2026-12-06 02:00 KST (Asia/Seoul) until Sun 2026-12-06 04:00 KST",
		// The oncall destination receives the latency alarm only, which migration does not hold.
		"migration (oncall): holds none of the destination's alarms (check the window's alarms and the destination's)",
		"last-week (oncall): ended (a one-off window: remove it from the configuration)",
	}, "\n")
	expect(t, "maintenanceWindows output", outputs["maintenanceWindows"].value, want)
}

func TestWindowScheduleName(t *testing.T) {
	long := strings.Repeat("very-long-project-", 4)
	seen := map[string]bool{}
	for _, parts := range [][4]string{
		{"alarm-relay", "dev", "team", "sunday-deploy"},
		{"alarm-relay", "dev", "", "sunday-deploy"},
		{long, "production", "dest-with-long-name", strings.Repeat("w", 32)},
		{long, "production", "dest-with-long-name", strings.Repeat("w", 31) + "x"},
		{"alarm", "relay-dev", "team", "sunday-deploy"},
		{"alarm-relay", "dev", "team", "saturday-deploy"},
	} {
		name := WindowScheduleName(parts[0], parts[1], parts[2], parts[3])
		if len(name) > scheduleNameChars || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
			t.Errorf("%v: %q is not a schedule name (64 of [0-9a-zA-Z-_.])", parts, name)
		}
		if seen[name] {
			t.Errorf("%v: %q is taken", parts, name)
		}
		seen[name] = true
	}
}

// TestSchedulerAssumeRolePolicyPartitions: the schedule group's ARN is built in the function's own
// partition and region (aws-cn, aws-us-gov), and an ARN without them is an error, not a policy
// that names no account.
func TestSchedulerAssumeRolePolicyPartitions(t *testing.T) {
	got, err := SchedulerAssumeRolePolicy("arn:aws-cn:lambda:cn-north-1:210987654321:function:alarm-relay-dev-relay")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"aws:SourceArn":"arn:aws-cn:scheduler:cn-north-1:210987654321:schedule-group/default"`) ||
		!strings.Contains(got, `"aws:SourceAccount":"210987654321"`) {
		t.Errorf("aws-cn trust = %s", got)
	}
	for _, bad := range []string{"", "arn:aws:lambda", "arn:aws:lambda:us-east-1::function:x", "not-an-arn:aws:lambda:us-east-1:1:function:x"} {
		if out, err := SchedulerAssumeRolePolicy(bad); err == nil {
			t.Errorf("%q: trust %s, want an error", bad, out)
		}
	}
}
