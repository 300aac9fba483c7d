package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func seoulSummary(t *testing.T) (WindowSummary, *time.Location) {
	t.Helper()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 12, 6, h, m, 0, 0, seoul) }
	return WindowSummary{
		Window: "sunday-deploy", Start: at(2, 0), End: at(4, 0), Location: seoul, Changed: 3,
		StillAlarm: []SummaryAlarm{{Name: "orders-api latency", Since: at(2, 14)}},
		BackToOK:   []SummaryAlarm{{Name: "orders-api 5XX error rate", Since: at(2, 40)}, {Name: "payments <p99> & co", Since: at(3, 5)}},
	}, seoul
}

// TestWindowSummaryGolden renders the summaries a window's end posts, for every messenger and
// language: something still in ALARM, all back to OK, and quiet but one alarm in ALARM from before.
func TestWindowSummaryGolden(t *testing.T) {
	still, seoul := seoulSummary(t)
	allOK := still
	allOK.StillAlarm, allOK.Changed = nil, 2
	before := WindowSummary{Window: "nightly", Start: time.Date(2026, 12, 5, 23, 30, 0, 0, seoul), End: time.Date(2026, 12, 6, 0, 30, 0, 0, seoul), Location: seoul,
		StillAlarm: []SummaryAlarm{{Name: "orders-api latency", Since: time.Date(2026, 12, 5, 21, 0, 0, 0, seoul)}}}
	var many WindowSummary = still
	many.BackToOK = nil
	for i := range 13 {
		many.BackToOK = append(many.BackToOK, SummaryAlarm{Name: fmt.Sprintf("alarm-%02d", i)})
	}
	many.Changed = 14
	cases := map[string]WindowSummary{"still-alarm": still, "all-ok": allOK, "alarm-from-before": before, "many": many}
	for name, s := range cases {
		for _, lang := range []Language{English, Korean} {
			for _, m := range Messengers {
				golden := filepath.Join("testdata", "golden", fmt.Sprintf("window-%s.%s.%s.json", name, m, lang))
				t.Run(filepath.Base(golden), func(t *testing.T) {
					payload, err := RenderWindowSummary(m, s, Options{Language: lang, Location: seoul})
					if err != nil {
						t.Fatal(err)
					}
					checkPayload(t, m, payload)
					var pretty bytes.Buffer
					if err := json.Indent(&pretty, payload, "", "  "); err != nil {
						t.Fatal(err)
					}
					pretty.WriteByte('\n')
					if *update {
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
	}
}

func TestWindowSummaryText(t *testing.T) {
	s, _ := seoulSummary(t)
	want := "🔴 Maintenance window sunday-deploy ended: 3 alarms changed while their notifications were held. Still in ALARM: orders-api latency since 02:14 KST.\nBack to OK: 2 (orders-api 5XX error rate, payments <p99> & co)."
	if got := WindowSummaryText(s, English); got != want {
		t.Errorf("text =\n%s\nwant\n%s", got, want)
	}
	if !s.BackToOK[0].Since.IsZero() && s.Quiet() {
		t.Error("a window with changes is not quiet")
	}
	if !(WindowSummary{}).Quiet() || (WindowSummary{StillAlarm: s.StillAlarm}).Quiet() {
		t.Error("Quiet: nothing changed and nothing in ALARM")
	}
	// Slack's mrkdwn markup in a name is escaped, not interpreted.
	payload, err := RenderWindowSummary(Slack, s, Options{})
	if err != nil || !strings.Contains(string(payload), "payments &lt;p99&gt; &amp; co") {
		t.Errorf("Slack payload does not escape the alarm name: %s", payload)
	}
}
