package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func TestMain(m *testing.M) { testsupport.Main(m) }

type runResult struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, env map[string]string, stdin string, args ...string) runResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runLocal(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return runResult{code, out.String(), errOut.String()}
}

func TestDryRunPrintsTheGoldenPayload(t *testing.T) {
	r := run(t, nil, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-timezone", "Asia/Seoul")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want, err := os.ReadFile("internal/render/testdata/golden/latency-alarm.1.slack.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("dry run differs from the golden Slack payload:\n%s", testsupport.Diff(string(want), r.stdout))
	}
}

func TestDryRunMessengerChoice(t *testing.T) {
	event, err := os.ReadFile("testdata/multi-record.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"flag", nil, []string{"-messenger", "teams"}, `"type": "message"`},
		{"MESSENGER", map[string]string{"MESSENGER": "teams-legacy"}, nil, `"@type": "MessageCard"`},
		{"detected from WEBHOOK_URL", map[string]string{"WEBHOOK_URL": "https://x.webhook.office.com/webhookb2/abc"}, nil, `"@type": "MessageCard"`},
		{"slack by default", nil, nil, `"type": "header"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, string(event), append([]string{"-dry-run"}, tt.args...)...)
			if r.code != exitOK || strings.Count(r.stdout, tt.want) != 2 {
				t.Errorf("exit %d, want two payloads with %s; stdout:\n%s\nstderr:\n%s", r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestLocalRunErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := dir + "/" + name
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	webhookWithAWS := map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET", "MESSENGER": "slack",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
	reminder := write("remind.json", `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"]}`)
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		errHas string
	}{
		{"reminder with a bad ARN", webhookWithAWS, []string{"-event", write("bad-arn.json", `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["not-an-arn"]}`)}, `"not-an-arn" is not a CloudWatch alarm ARN`},
		{"reminder without credentials", testsupport.Override(webhookWithAWS, map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}), []string{"-event", reminder}, "reminder event: alarm states: AWS credentials are not set"},
		{"reminder without a region", testsupport.Override(webhookWithAWS, map[string]string{"AWS_REGION": ""}), []string{"-event", reminder}, "reminder event: alarm states: AWS_REGION is not set"},
		{"unknown alarmRelay in a dry run", nil, []string{"-dry-run", "-event", write("remindx.json", `{"alarmRelay":"remindx"}`)}, `bootstrap: reject event: reminder event: alarmRelay is "remindx"; the only kind is "remind"`},
		{"an SNS event with alarmRelay in a dry run", nil, []string{"-dry-run", "-event", write("both.json", `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:1:alarm:x"],"Records":[]}`)}, `bootstrap: reject event: reminder event: json: unknown field "Records"`},
		{"missing file", nil, []string{"-event", dir + "/nope.json", "-dry-run"}, "read event: open"},
		{"empty file", nil, []string{"-event", write("empty.json", " \n"), "-dry-run"}, "is empty"},
		{"not json", nil, []string{"-event", write("bad.json", "{nope"), "-dry-run"}, "is not an SNS event in JSON"},
		{"empty -event", nil, []string{"-event", "", "-dry-run"}, "bootstrap: -event is empty: pass -event FILE, or -event - to read standard input"},
		{"an array", nil, []string{"-event", write("array.json", "[1,2]"), "-dry-run"}, "is a JSON array, not an SNS event: an event is a JSON object"},
		{"null", nil, []string{"-event", write("null.json", "null"), "-dry-run"}, "is JSON null, not an SNS event"},
		{"an empty object", nil, []string{"-event", write("object.json", "{}"), "-dry-run"}, "SNS event has no records"},
		{"an empty object, delivered", map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"}, []string{"-event", write("object2.json", "{}")}, "SNS event has no records"},
		{"no records", nil, []string{"-event", write("none.json", `{"Records":[]}`), "-dry-run"}, "SNS event has no records"},
		{"unknown flag", nil, []string{"-evnt", "x"}, "bootstrap: flag provided but not defined: -evnt (run with -h for the usage)\n"},
		{"timeout without a unit", nil, []string{"-event", "testdata/latency-alarm.json", "-timeout", "5"}, `bootstrap: invalid value "5" for flag -timeout: parse error: use a duration such as 30s or 2m (run with -h for the usage)`},
		{"stray argument", nil, []string{"-dry-run", "testdata/latency-alarm.json"}, `unexpected argument "testdata/latency-alarm.json"`},
		{"bad time zone flag", nil, []string{"-event", "testdata/latency-alarm.json", "-dry-run", "-timezone", "Mars/Olympus"}, `bootstrap: -timezone: "Mars/Olympus" is not an IANA time zone name`},
		{"bad TIMEZONE", map[string]string{"TIMEZONE": "KST"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run"}, `bootstrap: TIMEZONE: "KST" is not an IANA time zone name`},
		{"bad messenger flag", map[string]string{"MESSENGER": "slack"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run", "-messenger", "discord"}, `bootstrap: -messenger: unknown messenger "discord"`},
		{"bad MESSENGER", map[string]string{"MESSENGER": "discord"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run"}, `bootstrap: MESSENGER: unknown messenger "discord"`},
		{"bad language flag", nil, []string{"-event", "testdata/latency-alarm.json", "-dry-run", "-language", "jp"}, `bootstrap: -language: unknown language "jp"`},
		{"bad LANGUAGE", map[string]string{"LANGUAGE": "jp"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run"}, `bootstrap: LANGUAGE: unknown language "jp"`},
		{"machine's time zone", nil, []string{"-event", "testdata/latency-alarm.json", "-dry-run", "-timezone", "Local"}, `bootstrap: -timezone: "Local" is not an IANA time zone name`},
		{"every problem at once", map[string]string{"LANGUAGE": "jp", "TREND": "maybe"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run", "-timezone", "Mars"},
			`bootstrap: -timezone: "Mars" is not an IANA time zone name (for example Asia/Seoul, Europe/Berlin or UTC); LANGUAGE: unknown language "jp": use en or ko; TREND: "maybe" is not on or off`},
		{"messenger for another host", map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run", "-messenger", "teams"},
			"bootstrap: -messenger: teams cannot post to a slack webhook (host hooks.slack.com): set messenger to slack or auto, or use a teams webhook"},
		{"bad mention", map[string]string{"MENTIONS": "@everyone"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run"}, `MENTIONS: mention "@everyone" is not`},
		{"bad trend switch", map[string]string{"TREND": "maybe", "WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"}, []string{"-event", "testdata/latency-alarm.json"}, `bootstrap: TREND: "maybe" is not on or off`},
		{"trend without AWS", map[string]string{"TREND": "on", "WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"}, []string{"-event", "testdata/latency-alarm.json"}, "TREND=on: trend: AWS_REGION is not set"},
		{"webhook with a space", map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SEC RET"}, []string{"-event", "testdata/latency-alarm.json"}, "bootstrap: WEBHOOK_URL: webhook URL has a space or an invisible character (U+0020) at character 41 (value not shown"},
		{"no webhook", nil, []string{"-event", "testdata/latency-alarm.json"}, "set WEBHOOK_PARAMETER"},
		{"unknown webhook host", map[string]string{"WEBHOOK_URL": "https://chat.example.com/SECRET"}, []string{"-event", "testdata/latency-alarm.json"}, `bootstrap: messenger auto (the default): cannot tell the messenger from webhook host "chat.example.com": set the messenger to slack, teams or teams-legacy (here: -messenger NAME, or MESSENGER=NAME)`},
		{"unknown webhook host with MESSENGER=auto", map[string]string{"WEBHOOK_URL": "https://chat.example.com/SECRET", "MESSENGER": "auto"}, []string{"-event", "testdata/latency-alarm.json"}, `bootstrap: MESSENGER: auto: cannot tell the messenger from webhook host "chat.example.com"`},
		{"unknown webhook host with -messenger auto", map[string]string{"WEBHOOK_URL": "https://chat.example.com/SECRET"}, []string{"-event", "testdata/latency-alarm.json", "-messenger", "auto"}, `bootstrap: -messenger: auto: cannot tell the messenger from webhook host "chat.example.com"`},
		{"unknown host in a dry run", map[string]string{"WEBHOOK_URL": "http://127.0.0.1:9/SECRET"}, []string{"-event", "testdata/latency-alarm.json", "-dry-run"}, "(here: -messenger NAME"},
		{"replay with an event", nil, []string{"-replay-dead-letters", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "-event", "testdata/latency-alarm.json"}, "it takes no -event and no -dry-run"},
		{"replay dry run", nil, []string{"-replay-dead-letters", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "-dry-run"}, "it takes no -event and no -dry-run"},
		{"replay at a time", nil, []string{"-replay-dead-letters", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "-at", "2026-12-06T02:30:00+09:00"}, "it takes no -event and no -dry-run, and no -at (it delivers now)"},
		{"replay of a queue name", nil, []string{"-replay-dead-letters", "alarm-relay-dead-letters"}, `-replay-dead-letters: queue URL "alarm-relay-dead-letters" is not an SQS queue URL`},
		{"replay without a webhook", nil, []string{"-replay-dead-letters", "https://sqs.us-east-1.amazonaws.com/123456789012/q"}, "-replay-dead-letters: no webhook configured"},
		{"replay without credentials", map[string]string{"WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET", "AWS_REGION": "us-east-1"}, []string{"-replay-dead-letters", "https://sqs.us-east-1.amazonaws.com/123456789012/q"}, `AWS credentials are not set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); with a profile or SSO login run: eval "$(aws configure export-credentials --format env)"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, "", tt.args...)
			if r.code != exitUsageError || !strings.Contains(r.stderr, tt.errHas) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, exitUsageError, tt.errHas)
			}
			if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 {
				t.Errorf("%d lines on stderr, want the error once:\n%s", lines, r.stderr)
			}
			if strings.Contains(r.stderr, "Usage:") {
				t.Errorf("an error prints the whole usage after it:\n%s", r.stderr)
			}
			if r.stdout != "" || strings.Contains(r.stderr, "/SECRET") {
				t.Errorf("stdout %q / stderr leaks: %q", r.stdout, r.stderr)
			}
		})
	}
}

// A file saved with a UTF-8 byte order mark (Windows editors) is read like any other.
func TestEventWithByteOrderMark(t *testing.T) {
	path := t.TempDir() + "/bom.json"
	if err := os.WriteFile(path, append([]byte("\xef\xbb\xbf"), readFile(t, "testdata/latency-alarm.json")...), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "", "-event", path, "-dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, `"type": "header"`) {
		t.Errorf("exit %d, stderr %s", r.code, r.stderr)
	}
}

func TestDryRunInKorean(t *testing.T) {
	r := run(t, map[string]string{"MENTIONS": "@here"}, "", "-event", "testdata/latency-alarm.json", "-dry-run", "-language", "ko", "-timezone", "Asia/Seoul")
	if r.code != exitOK || !strings.Contains(r.stdout, "🔴 경보: orders-api latency") || !strings.Contains(r.stdout, "<!here>") {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestLocalDelivery(t *testing.T) {
	var got [][]byte
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, body)
		w.WriteHeader(status)
		io.WriteString(w, map[int]string{200: "ok", 400: "invalid_payload"}[status])
	}))
	defer srv.Close()
	env := map[string]string{"WEBHOOK_URL": srv.URL + "/services/T/B/SECRET", "MESSENGER": "slack"}

	r := run(t, env, "", "-event", "testdata/multi-record.json")
	if r.code != exitOK || len(got) != 2 || strings.Count(r.stderr, `"msg":"delivered"`) != 2 {
		t.Fatalf("exit %d, %d posts; stderr:\n%s", r.code, len(got), r.stderr)
	}
	status = http.StatusBadRequest
	r = run(t, env, "", "-event", "testdata/latency-alarm.json")
	if r.code != exitNotSent || !strings.Contains(r.stderr, "invalid_payload") {
		t.Errorf("exit %d, stderr %q; want exit %d naming invalid_payload", r.code, r.stderr, exitNotSent)
	}
	if strings.Contains(r.stderr, "SECRET") || strings.Contains(r.stderr, srv.URL) {
		t.Errorf("stderr leaks the webhook: %s", r.stderr)
	}
}

func TestHelpNamesEverySetting(t *testing.T) {
	r := run(t, nil, "", "-h")
	if r.code != exitOK {
		t.Errorf("-h exit %d", r.code)
	}
	for _, want := range []string{
		"-event FILE", "standard input", "-dry-run", "-messenger NAME", "-timezone ZONE", "-language en|ko", "-replay-dead-letters QUEUE_URL", "-timeout DURATION",
		"Exit codes: 0", "1 something was not delivered", "2 bad flags",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-h does not mention %q:\n%s", want, r.stderr)
		}
	}
	// Every variable the relay reads, found in its source (relayVariables): a new one cannot
	// be left out.
	for _, name := range relayVariables(t) {
		if !notSettings[name] && !regexp.MustCompile(`\b`+name+`\b`).MatchString(r.stderr) {
			t.Errorf("-h does not list the relay's variable %s:\n%s", name, r.stderr)
		}
	}
	// Both synopsis lines take -timeout; -messenger names auto; the settings of every messenger
	// come before the Slack app's own.
	synopsis := strings.Split(r.stderr, "\n")[1:3]
	for _, line := range synopsis {
		if !strings.Contains(line, "[-timeout DURATION]") {
			t.Errorf("synopsis %q leaves out -timeout", line)
		}
	}
	if !strings.Contains(r.stderr, "slack-app or auto (default: MESSENGER") {
		t.Errorf("-messenger's help leaves out auto:\n%s", r.stderr)
	}
	slackApp := strings.Index(r.stderr, "MESSENGER=slack-app (one Slack message per incident")
	for _, common := range []string{"TIMEZONE ", "LANGUAGE ", "MENTIONS ", "TREND ", "AWS_ENDPOINT_URL_SSM"} {
		if i := strings.Index(r.stderr, "  "+common); i < 0 || slackApp < 0 || i > slackApp {
			t.Errorf("%s is listed among the Slack app's settings:\n%s", common, r.stderr)
		}
	}
}

// TestTerminalWithoutEvent: with nothing piped in, the command says what it needs instead of
// waiting for input. /dev/null is a character device, as a terminal is.
func TestTerminalWithoutEvent(t *testing.T) {
	tty, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out, errOut bytes.Buffer
	code := runLocal(context.Background(), []string{"-dry-run"}, tty, &out, &errOut, func(string) string { return "" })
	if code != exitUsageError || !strings.Contains(errOut.String(), "no event: pass -event FILE") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	// A pipe is read as before.
	r := run(t, nil, readFile(t, "testdata/latency-alarm.json"), "-dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, `"type": "header"`) {
		t.Errorf("piped event: exit %d, stderr %s", r.code, r.stderr)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestReplayDeadLetters runs the command against moto's SQS: a failing webhook leaves the queue
// as it was (exit 1), a working one empties it (exit 0).
func TestReplayDeadLetters(t *testing.T) {
	env := map[string]string{}
	for _, kv := range testsupport.AWSEnv(testsupport.StartMoto(t)) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	// The replay's client has only the calls a replay makes; the test sends with awsapi itself.
	sqs, err := awsapi.SQS.NewFromEnv(func(k string) string { return env[k] }, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var q struct{ QueueUrl string }
	if err := sqs.JSON(ctx, "AmazonSQS.CreateQueue", map[string]string{"QueueName": "alarm-relay-dead-letters"}, &q); err != nil {
		t.Fatal(err)
	}
	queueURL := q.QueueUrl
	for _, body := range []string{readFile(t, "internal/replay/testdata/on-failure-record.json"), readFile(t, "testdata/latency-ok.json")} {
		if err := sqs.JSON(ctx, "AmazonSQS.SendMessage", map[string]string{"QueueUrl": queueURL, "MessageBody": body}, nil); err != nil {
			t.Fatal(err)
		}
	}
	status := http.StatusGone
	posts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts++
		w.WriteHeader(status)
		io.WriteString(w, map[int]string{200: "ok", 410: "channel_is_archived"}[status])
	}))
	defer srv.Close()
	env["WEBHOOK_URL"] = srv.URL + "/services/T/B/SECRET"

	r := run(t, env, "", "-replay-dead-letters", queueURL, "-messenger", "slack")
	want := "dead-letter queue " + queueURL + ": 0 delivered, 2 still failing, 0 unreadable; 2 left in the queue\n"
	if r.code != exitNotSent || r.stdout != want || posts != 2 || !strings.Contains(r.stderr, "channel_is_archived") {
		t.Errorf("failing webhook: exit %d, %d posts, stdout %q\nstderr:\n%s", r.code, posts, r.stdout, r.stderr)
	}
	status = http.StatusOK
	r = run(t, env, "", "-replay-dead-letters", queueURL, "-messenger", "slack")
	want = "dead-letter queue " + queueURL + ": 2 delivered, 0 still failing, 0 unreadable; the queue is empty\n"
	if r.code != exitOK || r.stdout != want || posts != 4 {
		t.Errorf("working webhook: exit %d, %d posts, stdout %q\nstderr:\n%s", r.code, posts, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "SECRET") {
		t.Errorf("stderr leaks the webhook:\n%s", r.stderr)
	}
}

// The local run has a deadline like Lambda's: a webhook asking to wait an hour ends the run at
// once with the alert reported as not delivered, instead of sleeping for that hour.
func TestLocalRunHasADeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "rate_limited")
	}))
	defer srv.Close()
	env := map[string]string{"WEBHOOK_URL": srv.URL + "/services/T/B/SECRET", "MESSENGER": "slack"}
	for _, args := range [][]string{{}, {"-timeout", "5s"}} {
		r := run(t, env, "", append([]string{"-event", "testdata/latency-alarm.json"}, args...)...)
		if r.code != exitNotSent || !strings.Contains(r.stderr, "no time left to retry after 1h0m0s before the deadline") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming the deadline", args, r.code, r.stderr, exitNotSent)
		}
	}
	r := run(t, env, "", "-event", "testdata/latency-alarm.json", "-timeout", "0s")
	if r.code != exitUsageError || !strings.Contains(r.stderr, "-timeout 0s: use a positive duration") {
		t.Errorf("-timeout 0s: exit %d, stderr %q", r.code, r.stderr)
	}
}
