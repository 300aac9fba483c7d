package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// A test bot token and channel; no output may contain the token.
const (
	botToken    = "xoxb-1234567890-0987654321-mainTESTsecret"
	slackChanID = "C0123ABCDEF"
)

// With MESSENGER=slack-app, a dry run prints what the incident's root message shows: exactly the
// Slack webhook's payload.
func TestSlackAppDryRunPrintsTheSlackPayload(t *testing.T) {
	r := run(t, map[string]string{"MESSENGER": "slack-app"}, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-timezone", "Asia/Seoul")
	want, err := os.ReadFile("internal/render/testdata/golden/latency-alarm.1.slack.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.code != exitOK || r.stdout != string(want) {
		t.Errorf("exit %d, printed\n%s\nwant the golden Slack payload; stderr %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-messenger", "slack-app")
	if r.code != exitOK || !strings.Contains(r.stdout, `"type": "header"`) {
		t.Errorf("-messenger slack-app: exit %d, stderr %s", r.code, r.stderr)
	}
	// Another tool's Slack settings in the shell are no concern of a webhook's relay.
	r = run(t, map[string]string{"SLACK_TOKEN": "xoxp-1234-5678-userSECRET", "SLACK_CHANNEL": "#alerts"}, "", "-event", "testdata/latency-alarm.json", "-dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, `"type": "header"`) || strings.Contains(r.stderr, "SECRET") {
		t.Errorf("a webhook run beside SLACK_TOKEN and SLACK_CHANNEL: exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestSlackAppSettingsErrors(t *testing.T) {
	ok := map[string]string{"MESSENGER": "slack-app", "SLACK_TOKEN": botToken, "SLACK_CHANNEL": slackChanID, "STATE_TABLE": "incidents",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
	with := func(changes map[string]string) map[string]string { return testsupport.Override(ok, changes) }
	reminder := t.TempDir() + "/remind.json"
	if err := os.WriteFile(reminder, []byte(`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		errHas string
	}{
		{"a webhook beside the app", with(map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"}), nil, "WEBHOOK_URL: messenger slack-app posts with a bot token (SLACK_TOKEN or SLACK_TOKEN_PARAMETER), not a webhook: unset it"},
		{"a webhook parameter beside the app", with(map[string]string{"WEBHOOK_PARAMETER": "/x/webhook"}), nil, "WEBHOOK_PARAMETER: messenger slack-app posts with a bot token"},
		{"a webhook in a dry run", with(map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"}), []string{"-dry-run"}, "WEBHOOK_URL: messenger slack-app posts with a bot token"},
		{"no token", with(map[string]string{"SLACK_TOKEN": ""}), nil, "SLACK_TOKEN: no Slack bot token configured: set SLACK_TOKEN_PARAMETER"},
		{"a user token", with(map[string]string{"SLACK_TOKEN": "xoxp-1234-5678-userSECRET"}), nil, `SLACK_TOKEN: must be a bot token starting with xoxb- (it is a "xoxp-" token`},
		{"a user token in a dry run", with(map[string]string{"SLACK_TOKEN": "xoxp-1234-5678-userSECRET"}), []string{"-dry-run"}, `SLACK_TOKEN: must be a bot token`},
		{"no channel", with(map[string]string{"SLACK_CHANNEL": ""}), nil, "SLACK_CHANNEL: is empty: use the channel id (C…)"},
		{"a channel name", with(map[string]string{"SLACK_CHANNEL": "#alerts"}), nil, `SLACK_CHANNEL: "#alerts" looks like a channel name`},
		{"a bad table name", with(map[string]string{"STATE_TABLE": "my incidents"}), nil, `STATE_TABLE: "my incidents" is not a DynamoDB table name`},
		{"no table", with(map[string]string{"STATE_TABLE": ""}), nil, "STATE_TABLE: is not set"},
		{"every problem at once", with(map[string]string{"SLACK_TOKEN": "xoxp-1234-5678-userSECRET", "SLACK_CHANNEL": "#x", "STATE_TABLE": "", "LANGUAGE": "jp"}), nil,
			`LANGUAGE: unknown language "jp": use en or ko; SLACK_TOKEN: must be a bot token starting with xoxb- (it is a "xoxp-" token; value not shown: it is a secret): copy the Bot User OAuth Token from the app's OAuth & Permissions page; SLACK_CHANNEL: "#x" looks like a channel name; use the channel's id (C…), shown at the bottom of its details; STATE_TABLE: is not set`},
		{"nothing set", map[string]string{"MESSENGER": "slack-app"}, nil, "SLACK_TOKEN: no Slack bot token configured: set SLACK_TOKEN_PARAMETER to the SSM SecureString parameter holding it (the Pulumi stack does), or SLACK_TOKEN for a local run; SLACK_CHANNEL: is empty: use the channel id (C…) from the bottom of the channel's details; STATE_TABLE: is not set"},
		{"no region", with(map[string]string{"AWS_REGION": ""}), nil, "AWS_REGION"},
		{"plain http to Slack", with(map[string]string{"SLACK_API_URL": "http://slack.example/api/"}), nil, "must use https"},
		{"a reminder in a dry run", ok, []string{"-dry-run", "-event", reminder}, "a reminder event asks CloudWatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if len(args) == 0 || args[0] != "-dry-run" || len(args) == 1 {
				args = append(args, "-event", "testdata/latency-alarm.json")
			}
			r := run(t, tt.env, "", args...)
			if r.code != exitUsageError || !strings.Contains(r.stderr, tt.errHas) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, exitUsageError, tt.errHas)
			}
			if strings.Contains(r.stderr+r.stdout, "SECRET") || strings.Contains(r.stderr+r.stdout, "mainTEST") {
				t.Errorf("output leaks a secret: %s %s", r.stdout, r.stderr)
			}
		})
	}
}

// The local command against a scripted Slack and moto's DynamoDB: the first ALARM posts the root,
// a repeat posts nothing, the recovery edits the root and replies in its thread.
func TestSlackAppLocalRun(t *testing.T) {
	moto := testsupport.StartMoto(t)
	slack := slacktest.New(t, botToken, slackChanID)
	env := map[string]string{"MESSENGER": "slack-app", "SLACK_TOKEN": botToken, "SLACK_CHANNEL": slackChanID, "STATE_TABLE": "incidents",
		"SLACK_API_URL": slack.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": moto}
	store, err := incident.New(env["STATE_TABLE"], func(k string) string { return env[k] }, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, event := range []string{"latency-alarm", "latency-alarm", "latency-ok"} {
		r := run(t, env, "", "-event", "testdata/"+event+".json")
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", event, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, botToken) {
			t.Errorf("the log shows the token: %s", r.stderr)
		}
	}
	roots := slack.Roots(slackChanID)
	if len(roots) != 1 {
		t.Fatalf("%d root messages, want one for the incident", len(roots))
	}
	if text, _ := roots[0].Body["text"].(string); !strings.HasPrefix(text, "✅ OK") || roots[0].Edits != 1 {
		t.Errorf("root %q after %d edits, want it resolved in place", text, roots[0].Edits)
	}
	replies := slack.Replies(slackChanID, roots[0].TS)
	if len(replies) != 1 || !strings.Contains(replies[0].Body["text"].(string), "Resolved after 29 min") {
		t.Errorf("thread %+v", replies)
	}
	inc, err := store.Get(context.Background(), incident.Key{AlarmARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api latency (alarm-relay/dev)", Destination: "local"})
	if err != nil || !inc.Closed || inc.RootTS != roots[0].TS {
		t.Errorf("incident %+v, %v; want it closed under destination local", inc, err)
	}

	// Slack refusing the channel: exit 1, nothing remembered as shown.
	slack.Fail("chat.postMessage", slacktest.Failure{Code: "not_in_channel"})
	env["DESTINATION"] = "other"
	r := run(t, env, "", "-event", "testdata/latency-alarm.json")
	if r.code != exitNotSent || !strings.Contains(r.stderr, `"not_in_channel": invite the app to the channel`) || strings.Contains(r.stderr, `"msg":"delivered"`) {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestHelpNamesSlackAppSettings(t *testing.T) {
	r := run(t, nil, "", "-h")
	for _, want := range []string{"slack-app", "SLACK_TOKEN", "SLACK_TOKEN_PARAMETER", "SLACK_CHANNEL", "STATE_TABLE", "DESTINATION", "SLACK_API_URL", "AWS_ENDPOINT_URL_DYNAMODB", `"alarmRelay":"remind"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-h does not mention %q", want)
		}
	}
}

// A missing incident table: the error names the alarm once and the table, and says it is not
// found (STATE_TABLE or the region is wrong).
func TestSlackAppMissingTable(t *testing.T) {
	moto := testsupport.StartMoto(t)
	slack := slacktest.New(t, botToken, slackChanID)
	env := map[string]string{"MESSENGER": "slack-app", "SLACK_TOKEN": botToken, "SLACK_CHANNEL": slackChanID, "STATE_TABLE": "no-such-table",
		"SLACK_API_URL": slack.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": moto}
	r := run(t, env, "", "-event", "testdata/latency-alarm.json")
	var line string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "bootstrap: ") {
			line = l
		}
	}
	want := `"orders-api latency (alarm-relay/dev)": lock incident: DynamoDB table "no-such-table" (STATE_TABLE) not found in us-east-1: `
	if r.code != exitNotSent || !strings.Contains(line, want) || strings.Count(line, "orders-api latency") != 1 {
		t.Errorf("exit %d, error line %q; want exit %d, the alarm named once and %q", r.code, line, exitNotSent, want)
	}
	if len(slack.Roots(slackChanID)) != 0 {
		t.Errorf("posted without an incident to keep it in")
	}
}
