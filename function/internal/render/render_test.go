package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the goldens show Asia/Seoul whatever the machine's zoneinfo
	"unicode/utf8"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

var update = flag.Bool("update", false, "rewrite the golden payloads under testdata/golden")

const fixtureDir = "../../testdata"

func seoul(t testing.TB) Options {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Location: loc}
}

func fixtures(t testing.TB) map[string][]alarm.Notification {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := map[string][]alarm.Notification{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			alarm.Event
			Reminder *string `json:"alarmRelay"` // the relay's own events (reminder.json) are no SNS alarms
		}
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if ev.Reminder != nil {
			continue
		}
		ns, err := alarm.Parse(ev.Event)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = ns
	}
	return out
}

// variants are rendering options with goldens of their own, on the fixtures that show them.
var variants = []struct {
	name     string
	fixtures []string
	options  func(Options) Options
}{
	{"ko", []string{"latency-alarm", "latency-ok", "insufficient-data", "p99-http-api", "error-rate-http", "traffic-surge", "composite", "runbook-links", "plain-text"},
		func(o Options) Options { o.Language = Korean; return o }},
	{"mentions-trend", []string{"runbook-links", "latency-ok"},
		func(o Options) Options {
			o.Mentions = []Mention{{Slack: "<!here>"}, {Slack: "<!subteam^S0123ABCD>"}, {UPN: "oncall@contoso.com"}}
			o.Trend = []float64{182, 190, 205, 240, 310, 388, 412.53}
			return o
		}},
}

// TestGolden renders every fixture for every messenger, and the variants for theirs, and compares
// with the reviewed payloads.
func TestGolden(t *testing.T) {
	base := seoul(t)
	all := fixtures(t)
	type job struct {
		golden string
		n      alarm.Notification
		m      Messenger
		opts   Options
	}
	var jobs []job
	for name, ns := range all {
		for i, n := range ns {
			for _, m := range Messengers {
				jobs = append(jobs, job{fmt.Sprintf("%s.%d.%s.json", name, i+1, m), n, m, base})
			}
		}
	}
	for _, v := range variants {
		for _, name := range v.fixtures {
			ns, ok := all[name]
			if !ok {
				t.Fatalf("variant %s: no fixture %s", v.name, name)
			}
			for i, n := range ns {
				for _, m := range Messengers {
					jobs = append(jobs, job{fmt.Sprintf("%s.%d.%s.%s.json", name, i+1, m, v.name), n, m, v.options(base)})
				}
			}
		}
	}
	for _, j := range jobs {
		golden := filepath.Join("testdata", "golden", j.golden)
		t.Run(j.golden, func(t *testing.T) {
			payload, err := Render(j.m, j.n, j.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkPayload(t, j.m, payload)
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, payload, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./function/internal/render -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("payload differs from %s (run with -update and review the diff):\n%s", golden, testsupport.Diff(string(want), pretty.String()))
			}
		})
	}
}

// checkPayload asserts what every payload must be: valid JSON of the messenger's shape, and for
// Slack within every Block Kit limit.
func checkPayload(t testing.TB, m Messenger, payload []byte) {
	t.Helper()
	if !json.Valid(payload) {
		t.Fatalf("invalid JSON: %s", payload)
	}
	switch m {
	case Slack:
		checkSlackLimits(t, payload)
	case Teams:
		var msg teamsMessage
		if err := json.Unmarshal(payload, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Type != "message" || len(msg.Attachments) != 1 || msg.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
			msg.Attachments[0].Content.Type != "AdaptiveCard" || len(msg.Attachments[0].Content.Body) == 0 {
			t.Fatalf("not a Workflows Adaptive Card message: %s", payload)
		}
	case TeamsLegacy:
		var card messageCard
		if err := json.Unmarshal(payload, &card); err != nil {
			t.Fatal(err)
		}
		if card.Type != "MessageCard" || card.Summary == "" || card.Title == "" {
			t.Fatalf("not a MessageCard (needs @type, summary, title): %s", payload)
		}
	}
	if m != Slack && len(payload) > TeamsPayloadLimit {
		t.Fatalf("payload is %d bytes, over Teams' %d", len(payload), TeamsPayloadLimit)
	}
	checkMentionSafety(t, m, payload)
}

func checkSlackLimits(t testing.TB, payload []byte) {
	t.Helper()
	var msg slackMessage
	if err := json.Unmarshal(payload, &msg); err != nil {
		t.Fatal(err)
	}
	length := utf8.RuneCountInString
	if msg.Text == "" || length(msg.Text) > SlackTextLimit {
		t.Fatalf("fallback text has %d characters", length(msg.Text))
	}
	blocks := msg.Blocks
	for _, a := range msg.Attachments {
		blocks = append(blocks, a.Blocks...)
	}
	if len(blocks) > SlackMaxBlocks {
		t.Fatalf("%d blocks", len(blocks))
	}
	for _, b := range blocks {
		switch b.Type {
		case "header":
			if n := length(b.Text.Text); n == 0 || n > SlackHeaderLimit || b.Text.Type != "plain_text" {
				t.Fatalf("header %q (%d characters)", b.Text.Text, n)
			}
		case "section":
			if b.Text != nil && length(b.Text.Text) > SlackSectionLimit {
				t.Fatalf("section text has %d characters", length(b.Text.Text))
			}
			if len(b.Fields) > SlackMaxFields {
				t.Fatalf("%d fields", len(b.Fields))
			}
			for _, f := range b.Fields {
				if length(f.Text) > SlackFieldLimit {
					t.Fatalf("field has %d characters", length(f.Text))
				}
			}
		case "context", "actions":
			for _, e := range b.Elements {
				if len(e.URL) > SlackURLLimit {
					t.Fatalf("url has %d characters", len(e.URL))
				}
				if s, ok := e.Text.(string); ok && length(s) > SlackSectionLimit {
					t.Fatalf("context text has %d characters", length(s))
				}
			}
		default:
			t.Fatalf("unexpected block type %q", b.Type)
		}
	}
}

func TestSlackEscapesUserText(t *testing.T) {
	n := fixtures(t)["escaping"][0]
	payload, err := Render(Slack, n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var msg slackMessage
	if err := json.Unmarshal(payload, &msg); err != nil {
		t.Fatal(err)
	}
	// Every mrkdwn string: text, sections, fields, context. None may hold a raw "<" (a mention or link).
	var texts []string
	texts = append(texts, msg.Text)
	for _, b := range msg.Attachments[0].Blocks {
		if b.Text != nil {
			texts = append(texts, b.Text.Text)
		}
		for _, f := range b.Fields {
			texts = append(texts, f.Text)
		}
		for _, e := range b.Elements {
			if s, ok := e.Text.(string); ok {
				texts = append(texts, s)
			}
		}
	}
	all := strings.Join(texts, "\n")
	for _, raw := range []string{"<!channel>", "<!here>", "<@U123>", "<https://evil.example"} {
		if strings.Contains(all, raw) {
			t.Errorf("mrkdwn carries %q unescaped", raw)
		}
	}
	for _, escaped := range []string{"&lt;!here&gt;", "&lt;@U123&gt;", "&amp; *bold*"} {
		if !strings.Contains(all, escaped) {
			t.Errorf("mrkdwn lacks escaped %q", escaped)
		}
	}
	if h := msg.Blocks[0].Text.Text; utf8.RuneCountInString(h) != SlackHeaderLimit || !strings.HasSuffix(h, ellipsis) {
		t.Errorf("long header not cut to %d characters with an ellipsis: %q", SlackHeaderLimit, h)
	}
}

func TestMrkdwn(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"a < b & c > d", 100, "a &lt; b &amp; c &gt; d"},
		{"exactly", 7, "exactly"},
		{"abcdefgh", 5, "abcd…"},
		{"ab<cd", 5, "ab…"}, // "&lt;" does not fit in front of the ellipsis, and is never cut
		{"한국어 텍스트", 4, "한국어…"},
		{"bad \xff utf8", 100, "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := mrkdwn(tt.in, tt.limit); got != tt.want {
			t.Errorf("mrkdwn(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"abcdef", 4, "abc…"},
		{"🔴🔴🔴🔴", 3, "🔴🔴…"},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.limit); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestRenderUnknownMessenger(t *testing.T) {
	if _, err := Render("discord", alarm.Notification{}, Options{}); err == nil {
		t.Error("Render with an unknown messenger succeeded")
	}
}

// FuzzRender: whatever an SNS message holds, every messenger's payload is valid JSON within limits.
func FuzzRender(f *testing.F) {
	for _, ns := range fixtures(f) {
		for _, n := range ns {
			f.Add(n.Subject, fixtureMessage(n))
		}
	}
	f.Add("<!channel>", strings.Repeat("&<>", 2000))
	f.Add("", `{"AlarmName":"`+strings.Repeat("<&>", 300)+`","NewStateValue":"ALARM","NewStateReason":"[1 (","Trigger":{"Metrics":[{"Expression":"x"}]}}`)
	// Beyond CloudWatch's maxima (1 KB descriptions), in the costliest characters; FuzzHugeAlarm
	// goes to megabytes. Seeds stay small enough for the fuzzer to run fast.
	for _, fill := range []string{"\x01", "<at>x</at>", "\u2028\"", "한"} {
		big := strings.Repeat(fill, 2000)
		msg, _ := json.Marshal(map[string]any{
			"AlarmName": big, "AlarmDescription": "Runbook: https://x.example.com/" + big, "NewStateValue": "ALARM",
			"OldStateValue": "OK", "NewStateReason": big + " [1.5 (20/11/26 09:10:00)]", "AlarmArn": "arn:aws:cloudwatch:us-east-1:1:alarm:" + big,
			"Trigger": map[string]any{"MetricName": big, "Namespace": big, "Statistic": "AVERAGE", "Unit": big, "Period": 10, "EvaluationPeriods": 3,
				"ComparisonOperator": "GreaterThanThreshold", "Threshold": 1, "Dimensions": []map[string]string{{"name": "ApiName", "value": big}, {"name": big, "value": big}}},
		})
		f.Add(big, string(msg))
	}
	all := []Options{seoul(f)}
	for _, v := range variants {
		all = append(all, v.options(all[0]))
	}
	f.Fuzz(func(t *testing.T, subject, message string) {
		n := alarm.ParseMessage("id", subject, message, time.Unix(0, 0))
		for _, opts := range all {
			for _, m := range Messengers {
				payload, err := Render(m, n, opts)
				if err != nil {
					t.Fatal(err)
				}
				checkPayload(t, m, payload)
			}
		}
	})
}

// fixtureMessage rebuilds an SNS message string from a fixture notification for the fuzz corpus.
func fixtureMessage(n alarm.Notification) string {
	if n.Alarm == nil {
		return n.Text
	}
	data, _ := json.Marshal(map[string]any{
		"AlarmName": n.Alarm.Name, "AlarmDescription": n.Alarm.Description, "NewStateValue": n.Alarm.State,
		"OldStateValue": n.Alarm.PreviousState, "NewStateReason": n.Alarm.Reason, "AlarmArn": n.Alarm.ARN,
	})
	return string(data)
}

// FuzzHugeAlarm: an alarm whose every field is fill repeated up to 100,000 times (megabytes, far
// beyond CloudWatch's maxima) renders for every messenger within the byte budgets, and its text
// never mentions anyone.
func FuzzHugeAlarm(f *testing.F) {
	for _, fill := range []string{"\x01", "\"", "\u2028", "한", "🔴", "<at>x</at>", "<AT >", "&<>", "a"} {
		f.Add(fill, uint32(99_999))
	}
	f.Fuzz(func(t *testing.T, fill string, n uint32) {
		if fill == "" {
			return
		}
		fill = strings.Repeat(fill, int(n%100_000)/len(fill)+1)
		opts := seoul(t)
		opts.Mentions, opts.Trend = configuredMentions, []float64{1, 2, 3}
		for _, n := range []alarm.Notification{{Alarm: hugeAlarmOf(fill)}, {Subject: fill, Text: fill}} {
			for _, m := range Messengers {
				payload, err := Render(m, n, opts)
				if err != nil {
					t.Fatal(err)
				}
				checkPayload(t, m, payload)
			}
		}
	})
}
