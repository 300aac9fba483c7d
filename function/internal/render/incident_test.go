package render

import (
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// TestIncidentLines: every line of a Slack app incident in each language, with the zone shown
// next to UTC; values are escaped for mrkdwn, plain-text lines are not.
func TestIncidentLines(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 9, 15, 42, 0, time.UTC)
	lasted := 2*time.Hour + 10*time.Minute + 59*time.Second
	type lines struct{ resolved, resolvedStatus, changed, changedSame, changedUnknown, open, openUnknown, late, still, reminder string }
	tests := []struct {
		lang Language
		loc  *time.Location
		want lines
	}{
		{English, nil, lines{
			resolved:       "✅ *Resolved after 2 h 10 min* — observed 1 &lt;2 &amp; 3&gt;",
			resolvedStatus: "Resolved after 2 h 10 min",
			changed:        "⚪ *INSUFFICIENT_DATA* (was ALARM) — observed 1 &lt;2 &amp; 3&gt;",
			changedSame:    "🔴 *ALARM*",
			changedUnknown: "📣 *PAUSED* (was OK)",
			open:           "Open since 2026-11-20 09:15 UTC (2 h 10 min) · history in the thread",
			late:           "✅ *OK* at 2026-11-20 09:15 UTC, received late: the message above shows a newer state — observed 1 &lt;2 &amp; 3&gt;",
			still:          "⏰ Still in *ALARM* for 2 h 10 min (since 2026-11-20 09:15 UTC)",
			reminder:       "⏰ orders <api> is still in ALARM for 2 h 10 min (since 2026-11-20 09:15 UTC)",
		}},
		{Korean, seoul, lines{
			resolved:       "✅ *2시간 10분 만에 정상으로 돌아옴* — 관측값 1 &lt;2 &amp; 3&gt;",
			resolvedStatus: "2시간 10분 만에 정상으로 돌아옴",
			changed:        "⚪ *데이터 부족* (이전 경보) — 관측값 1 &lt;2 &amp; 3&gt;",
			changedSame:    "🔴 *경보*",
			changedUnknown: "📣 *PAUSED* (이전 정상)",
			open:           "2026-11-20 09:15 UTC (18:15 KST)부터 진행 중 (2시간 10분) · 경과는 스레드에",
			late:           "✅ *정상* (2026-11-20 09:15 UTC (18:15 KST)), 늦게 도착함: 위 메시지가 더 최근 상태입니다 — 관측값 1 &lt;2 &amp; 3&gt;",
			still:          "⏰ *경보* 상태가 2시간 10분째 계속됨 (2026-11-20 09:15 UTC (18:15 KST)부터)",
			reminder:       "⏰ orders <api>: 경보 상태가 2시간 10분째 계속됨 (2026-11-20 09:15 UTC (18:15 KST)부터)",
		}},
	}
	const observed = "1 <2 & 3>"
	for _, tt := range tests {
		l := NewIncidentLines(tt.lang, tt.loc)
		got := lines{
			resolved:       l.Resolved(lasted, observed),
			resolvedStatus: l.ResolvedStatus(lasted),
			changed:        l.Changed(alarm.StateInsufficientData, alarm.StateAlarm, observed),
			changedSame:    l.Changed(alarm.StateAlarm, alarm.StateAlarm, ""),
			changedUnknown: l.Changed("PAUSED", alarm.StateOK, ""),
			open:           l.OpenStatus(at, at.Add(lasted)),
			openUnknown:    l.OpenStatus(time.Time{}, at),
			late:           l.Late(alarm.StateOK, at, observed),
			still:          l.StillInAlarm(at, lasted),
			reminder:       l.Reminder("orders <api>", at, lasted),
		}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.lang, got, tt.want)
		}
	}
}

func TestIncidentDurations(t *testing.T) {
	en, ko := NewIncidentLines(English, nil), NewIncidentLines(Korean, nil)
	for d, want := range map[time.Duration][2]string{
		40 * time.Second:                {"less than a minute", "1분 미만"},
		14*time.Minute + 59*time.Second: {"14 min", "14분"},
		2 * time.Hour:                   {"2 h", "2시간"},
		2*time.Hour + 10*time.Minute:    {"2 h 10 min", "2시간 10분"},
		26 * time.Hour:                  {"1 d 2 h", "1일 2시간"},
		72*time.Hour + 30*time.Minute:   {"3 d", "3일"},
	} {
		if got := [2]string{en.duration(d), ko.duration(d)}; got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}

func TestEscapeMrkdwn(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"plain":                  "plain",
		"<!channel> & <@U1>":     "&lt;!channel&gt; &amp; &lt;@U1&gt;",
		"&amp;":                  "&amp;amp;",
		"한국어 <b> \xff\xfe bytes": "한국어 &lt;b&gt; \xff\xfe bytes",
	} {
		if got := EscapeMrkdwn(in); got != want {
			t.Errorf("EscapeMrkdwn(%q) = %q, want %q", in, got, want)
		}
	}
}
