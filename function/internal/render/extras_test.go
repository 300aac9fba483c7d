package render

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Mentions go out on ALARM only, and alarm text can never add one.
func TestMentionsOnlyOnAlarm(t *testing.T) {
	opts := Options{Mentions: []Mention{{Slack: "<!here>"}, {UPN: "oncall@contoso.com"}}}
	sneaky := alarm.Notification{Alarm: &alarm.Alarm{Name: "x", State: alarm.StateAlarm, Description: "<!channel> <at>ceo@contoso.com</at>", Measured: &alarm.Series{Label: "c"}}}
	for _, state := range []alarm.State{alarm.StateAlarm, alarm.StateOK, alarm.StateInsufficientData} {
		a := *sneaky.Alarm
		a.State = state
		n := alarm.Notification{Alarm: &a}
		slack, _ := Render(Slack, n, opts)
		teams, _ := Render(Teams, n, opts)
		wantMention := state == alarm.StateAlarm
		if strings.Contains(string(slack), "<!here>") != wantMention || strings.Contains(string(teams), `"mention"`) != wantMention {
			t.Errorf("%s: mentions present = %v/%v, want %v", state, strings.Contains(string(slack), "<!here>"), strings.Contains(string(teams), `"mention"`), wantMention)
		}
		if strings.Contains(string(slack), "<!channel>") {
			t.Errorf("%s: the description's <!channel> reached Slack unescaped", state)
		}
		var card teamsMessage
		if err := json.Unmarshal(teams, &card); err != nil {
			t.Fatal(err)
		}
		for _, e := range card.Attachments[0].Content.MSTeams.Entities {
			if e.Mentioned.ID != "oncall@contoso.com" {
				t.Errorf("%s: unexpected mention of %s", state, e.Mentioned.ID)
			}
		}
		if strings.Contains(string(teams), "<at>ceo@contoso.com</at>") {
			t.Errorf("%s: the description's <at> tag reached Teams intact", state)
		}
	}
}

func TestFindLinks(t *testing.T) {
	w := wordsFor(English)
	got := findLinks(w, "Runbook: https://wiki.example.com/rb/1. See the dashboard https://g.example.com/d/x?a=1, or http://docs.example.com/faq) and https://wiki.example.com/rb/1 again; https://four.example.com")
	want := []link{{"Runbook", "https://wiki.example.com/rb/1"}, {"Dashboard", "https://g.example.com/d/x?a=1"}, {"Link", "http://docs.example.com/faq"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d = %v, want %v", i, got[i], want[i])
		}
	}
	if links := findLinks(w, "no links, javascript:alert(1) ftp://x"); len(links) != 0 {
		t.Errorf("found %v", links)
	}
	if ko := findLinks(wordsFor(Korean), "Runbook: https://x.example.com"); ko[0].label != "런북" {
		t.Errorf("Korean label %q", ko[0].label)
	}
}

func TestTrendText(t *testing.T) {
	threshold := 300.0
	a := &alarm.Alarm{Unit: "Milliseconds", Threshold: &threshold}
	w := wordsFor(English)
	tests := []struct {
		values []float64
		want   string
	}{
		{nil, ""},
		{[]float64{math.NaN()}, ""},
		{[]float64{0, 100, 200, 300, 400, 500, 600, 700}, "▁▂▃▄▅▆▇█ 700 ms (min 0 ms · max 700 ms · threshold 300 ms)"},
		{[]float64{120, 121, math.Inf(1), 119.5}, "▁▁▁ 119.5 ms (min 119.5 ms · max 121 ms · threshold 300 ms)"}, // scaled to the threshold: all low
		{[]float64{5, 5}, "▁▁ 5 ms (min 5 ms · max 5 ms · threshold 300 ms)"},
	}
	for _, tt := range tests {
		if got := trendText(w, tt.values, a); got != tt.want {
			t.Errorf("trendText(%v) = %q, want %q", tt.values, got, tt.want)
		}
	}
	if got := trendText(wordsFor(Korean), []float64{1, 2}, &alarm.Alarm{}); got != "▁█ 2 (최소 1 · 최대 2)" {
		t.Errorf("Korean trend without threshold = %q", got)
	}
}

// TestEveryConfiguredLanguageHasWords: every language relayconfig accepts is one render writes
// (wordsFor would fall back to English without a word).
func TestEveryConfiguredLanguageHasWords(t *testing.T) {
	for _, l := range relayconfig.Languages {
		if _, ok := languages[l]; !ok {
			t.Errorf("relayconfig accepts language %q; render has no words for it", l)
		}
	}
}
