package render

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// configuredMentions are the mentions the tests configure; nothing else may notify anyone.
var configuredMentions = []Mention{{Slack: "<!here>"}, {Slack: "<!subteam^S0123ABCD>"}, {UPN: "oncall@contoso.com"}}

// anyMentionTag is what Teams could read as a mention tag, in any case and spacing.
var anyMentionTag = regexp.MustCompile(`(?i)<\s*/?\s*at`)

// checkMentionSafety: in a Teams payload the only mention tags are configured mentions; in a Slack
// payload no mrkdwn text holds a raw "<" (how <!channel>, <@U1> and links are written) except the
// configured mention line.
func checkMentionSafety(t testing.TB, m Messenger, payload []byte) {
	t.Helper()
	switch m {
	case Teams, TeamsLegacy:
		var doc any
		if err := json.Unmarshal(payload, &doc); err != nil {
			t.Fatal(err)
		}
		eachString(doc, func(s string) {
			for _, c := range configuredMentions {
				if c.UPN != "" {
					s = strings.ReplaceAll(s, "<at>"+c.UPN+"</at>", "")
				}
			}
			if loc := anyMentionTag.FindStringIndex(s); loc != nil {
				t.Fatalf("%s payload holds a mention tag from alarm text: %q", m, s[max(0, loc[0]-20):min(len(s), loc[1]+20)])
			}
		})
		if m == Teams {
			var msg teamsMessage
			_ = json.Unmarshal(payload, &msg)
			for _, e := range msg.Attachments[0].Content.MSTeams.Entities {
				if e.Mentioned.ID != "oncall@contoso.com" {
					t.Fatalf("unexpected mention entity %+v", e)
				}
			}
		}
	case Slack:
		var msg slackMessage
		if err := json.Unmarshal(payload, &msg); err != nil {
			t.Fatal(err)
		}
		texts := []string{msg.Text}
		blocks := msg.Blocks
		for _, a := range msg.Attachments {
			blocks = append(blocks, a.Blocks...)
		}
		for i, b := range blocks {
			if b.Text != nil && b.Text.Type == "mrkdwn" {
				if i == 1 && b.Type == "section" && isMentionLine(b.Text.Text) {
					continue
				}
				texts = append(texts, b.Text.Text)
			}
			for _, f := range b.Fields {
				texts = append(texts, f.Text)
			}
			if b.Type == "context" {
				for _, e := range b.Elements {
					if s, ok := e.Text.(string); ok {
						texts = append(texts, s)
					}
				}
			}
		}
		for _, s := range texts {
			if strings.ContainsAny(s, "<>") {
				t.Fatalf("Slack mrkdwn holds a raw < or >: %q", s)
			}
		}
	}
}

func isMentionLine(s string) bool {
	for _, w := range strings.Fields(s) {
		ok := false
		for _, c := range configuredMentions {
			ok = ok || w == c.Slack
		}
		if !ok {
			return false
		}
	}
	return true
}

func eachString(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			eachString(e, f)
		}
	case map[string]any:
		for k, e := range v {
			f(k)
			eachString(e, f)
		}
	}
}

// Alarm text can never form a Teams mention: <at> in the title, a fact or the reason, in any case.
func TestTeamsNeutralisesEveryMentionTag(t *testing.T) {
	tags := "<at>ceo@contoso.com</at> <AT>cfo</AT> < at >x</at> <At>y</aT>"
	one := 1.0
	a := &alarm.Alarm{
		Name: "orders " + tags, Description: "d " + tags, Reason: "r " + tags, Measured: &alarm.Series{Label: "c " + tags, Expression: "e " + tags},
		State: alarm.StateAlarm, PreviousState: alarm.StateOK, API: "api " + tags, Stage: tags, Metric: alarm.Metric{Namespace: "n " + tags, Name: "m " + tags},
		Operator: alarm.Operator(tags), Observed: &one, Unit: tags, Region: "us-east-1", RegionName: tags, AccountID: tags,
		Dimensions: []alarm.Dimension{{Name: "Route" + tags, Value: tags}}, Children: []alarm.Child{{Name: tags, State: alarm.State(tags)}},
		ChangedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
	}
	for _, m := range []Messenger{Teams, TeamsLegacy} {
		payload, err := Render(m, alarm.Notification{Alarm: a}, Options{Mentions: configuredMentions, Trend: []float64{1, 2}})
		if err != nil {
			t.Fatal(err)
		}
		checkMentionSafety(t, m, payload)
	}
	text, err := Render(Teams, alarm.Notification{Subject: tags, Text: tags}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkMentionSafety(t, Teams, text)
}

// hugeAlarm is far beyond CloudWatch's own maxima in every field, in the costliest characters:
// control characters (6 bytes escaped), quotes, U+2028, Korean (3 bytes), emoji (4 bytes).
func hugeAlarm(fill string) *alarm.Alarm {
	big := func(n int) string { return strings.Repeat(fill, n/len(fill)+1) }
	return hugeAlarmWith(big)
}

// hugeAlarmOf has text in every field (one size: the fuzzer picks it).
func hugeAlarmOf(text string) *alarm.Alarm {
	return hugeAlarmWith(func(int) string { return text })
}

func hugeAlarmWith(big func(n int) string) *alarm.Alarm {
	threshold, observed, expected := 300.0, 412.53, 250.0
	var dims []alarm.Dimension
	for i := 0; i < 30; i++ {
		dims = append(dims, alarm.Dimension{Name: big(300), Value: big(3000)})
	}
	longURL := "https://runbooks.example.com/" + strings.Repeat("a", 900)
	return &alarm.Alarm{
		Name: big(100_000), Description: "Runbook: " + longURL + " Dashboard: " + longURL + "b " + big(64<<10) + " https://x.example.com/" + big(5000),
		Reason: big(64 << 10), Measured: &alarm.Series{Label: big(50_000), Expression: big(20_000)}, Observed: &observed, Unit: big(1 << 20),
		State: alarm.StateAlarm, PreviousState: alarm.StateOK, API: big(5000), Stage: big(5000), Metric: alarm.Metric{Namespace: big(5000), Name: big(5000)},
		Operator: alarm.Operator(big(5000)), Region: "ap-northeast-2", RegionName: big(5000), AccountID: big(5000),
		Dimensions: dims, Children: []alarm.Child{{Name: big(9000), State: alarm.State(big(5000))}, {Name: big(9000)}}, ExpectedMax: &expected, Threshold: &threshold,
		ChangedAt:  time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		ConsoleURL: "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/deeplink.js?region=ap-northeast-2#alarmsV2:alarm/" + strings.Repeat("%ED%95%9C", 85),
	}
}

// TestLargestPayloads renders the largest alarms and texts there can be, in every language and
// with mentions and a long trend, and reports the biggest payload each messenger produced: Teams
// cards stay within TeamsPayloadLimit, Slack within every Block Kit limit.
func TestLargestPayloads(t *testing.T) {
	seoul := seoul(t)
	var trend []float64
	for i := 0; i < 360; i++ { // an hour of 10-second periods
		trend = append(trend, float64(i%37)*1e300)
	}
	largest := map[Messenger]int{}
	for _, fill := range []string{"\x01", "\"", "\u2028", "한", "<at>x</at>", "&<>"} {
		ns := []alarm.Notification{
			{Alarm: hugeAlarm(fill)},
			{Subject: strings.Repeat(fill, 50_000), Text: strings.Repeat(fill, 256<<10), Published: time.Unix(0, 0)},
		}
		for _, lang := range []Language{English, Korean} {
			opts := seoul
			opts.Language, opts.Mentions, opts.Trend = lang, append(configuredMentions, manyMentions()...), trend
			for _, n := range ns {
				for _, m := range Messengers {
					payload, err := Render(m, n, opts)
					if err != nil {
						t.Fatal(err)
					}
					checkPayload(t, m, payload)
					largest[m] = max(largest[m], len(payload))
				}
			}
		}
	}
	for _, m := range Messengers {
		t.Logf("largest %s payload: %d bytes", m, largest[m])
	}
}

func manyMentions() []Mention {
	var out []Mention
	for i := 0; i < 200; i++ {
		out = append(out, Mention{Slack: "<!subteam^S0123ABCD>"}, Mention{UPN: "oncall@contoso.com"})
	}
	return out
}

// An hour of 10-second periods keeps its numbers: the sparkline is drawn at a fixed width.
func TestTrendOfShortPeriodsKeepsItsNumbers(t *testing.T) {
	threshold := 300.0
	a := &alarm.Alarm{Unit: "Milliseconds", Threshold: &threshold, Operator: alarm.GreaterThanThreshold}
	var values []float64
	for i := 0; i < 360; i++ {
		values = append(values, 100)
	}
	values[200] = 950 // one 10-second spike
	values[359] = 412.5
	got := trendText(wordsFor(English), values, a)
	line, numbers, _ := strings.Cut(got, " ")
	if utf8.RuneCountInString(line) != sparkWidth || !strings.ContainsRune(line, '█') {
		t.Errorf("sparkline %q: want %d points with the spike at full height", line, sparkWidth)
	}
	if numbers != "412.5 ms (min 100 ms · max 950 ms · threshold 300 ms)" {
		t.Errorf("numbers = %q", numbers)
	}
	payload, err := Render(Slack, alarm.Notification{Alarm: &alarm.Alarm{Name: "x", State: alarm.StateAlarm, Unit: "Milliseconds", Threshold: &threshold}}, Options{Trend: values})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), "threshold 300 ms)") {
		t.Errorf("the Slack trend line lost its numbers: %s", payload)
	}
	low := downsample([]float64{5, 1, 5, 5, 2, 5}, 2, true)
	if low[0] != 1 || low[1] != 2 {
		t.Errorf("a low alarm's trend keeps its dips: %v", low)
	}
	// The operator decides: a dip in a run of two shows for "<" only.
	dipped := make([]float64, 2*sparkWidth)
	for i := range dipped {
		dipped[i] = 9
	}
	dipped[3] = 1
	five := 5.0
	for op, wantDip := range map[alarm.Operator]bool{alarm.LessThanThreshold: true, alarm.GreaterThanThreshold: false, alarm.AboveBand: false} {
		line, _, _ := strings.Cut(trendText(wordsFor(English), dipped, &alarm.Alarm{Threshold: &five, Operator: op}), " ")
		if strings.ContainsRune(line, '▁') != wantDip {
			t.Errorf("%s: sparkline %q, want the dip shown: %v", op, line, wantDip)
		}
	}
}

func TestFitJSON(t *testing.T) {
	tests := []struct {
		in     string
		budget int
		want   string
	}{
		{"short", 10, "short"},
		{"abcdefghijkl", 10, "abcdefg…"},
		{"\x01\x01\x01", 12, "\x01…"}, // 6 bytes each once escaped; never half an escape
		{"한국어텍스트", 12, "한국어…"},
		{`"""""`, 8, `""…`},
		{"xyz", 2, ""},
	}
	for _, tt := range tests {
		got := fitJSON(tt.in, tt.budget)
		encoded, _ := json.Marshal(got)
		if got != tt.want || len(encoded)-2 > tt.budget {
			t.Errorf("fitJSON(%q, %d) = %q (%d bytes encoded), want %q", tt.in, tt.budget, got, len(encoded)-2, tt.want)
		}
	}
}
