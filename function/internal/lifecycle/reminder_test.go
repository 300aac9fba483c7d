package lifecycle

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
)

func TestDue(t *testing.T) {
	now := t0.Add(3 * time.Hour)
	alarms := []cwalarms.Alarm{
		{Name: "long", ARN: "a1", State: "ALARM", Since: now.Add(-2*time.Hour - 10*time.Minute)},
		{Name: "just under an hour", ARN: "a2", State: "ALARM", Since: now.Add(-59*time.Minute - 30*time.Second)}, // within the schedule's jitter
		{Name: "fresh", ARN: "a3", State: "ALARM", Since: now.Add(-20 * time.Minute)},
		{Name: "recovered", ARN: "a4", State: "OK", Since: now.Add(-5 * time.Hour)},
		{Name: "no data", ARN: "a5", State: "INSUFFICIENT_DATA", Since: now.Add(-5 * time.Hour)},
		{Name: "no time", ARN: "a6", State: "ALARM"},
	}
	var got []string
	for _, r := range Due(alarms, time.Hour, now) {
		got = append(got, fmt.Sprintf("%s %s", r.AlarmName, r.For))
	}
	want := []string{"long 2h10m0s", "just under an hour 59m30s"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("due = %q, want %q", got, want)
	}
	if due := Due(alarms, 5*time.Minute, now); len(due) != 3 {
		t.Errorf("every 5 min: %d due, want 3", len(due))
	}
}

func TestWithContext(t *testing.T) {
	got, err := withContext([]byte(`{"text":"a < b","blocks":[{"type":"header"},{"type":"section"}],"attachments":[]}`), "Resolved after <1> min")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"attachments":[],"blocks":[{"type":"header"},{"elements":[{"text":"Resolved after &lt;1&gt; min","type":"mrkdwn"}],"type":"context"},{"type":"section"}],"text":"a < b · Resolved after &lt;1&gt; min"}`
	if string(got) != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	if got, _ := withContext([]byte(`{"text":"x"}`), "line"); !strings.Contains(string(got), `"blocks":[{"elements"`) {
		t.Errorf("no blocks: %s", got)
	}
	for _, bad := range []string{`"text"`, `{"blocks":{}}`, `not json`} {
		if _, err := withContext([]byte(bad), "line"); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// FuzzWithContext: whatever the payload and line, the result is either an error or a JSON object
// whose blocks gained exactly one context block.
func FuzzWithContext(f *testing.F) {
	f.Add([]byte(`{"text":"x","blocks":[{"type":"header"}]}`), "Resolved after 14 min")
	f.Add([]byte(`{}`), "<!channel> & co")
	f.Fuzz(func(t *testing.T, payload []byte, line string) {
		out, err := withContext(payload, line)
		if err != nil || line == "" {
			return
		}
		var msg struct {
			Blocks []json.RawMessage `json:"blocks"`
		}
		var in struct {
			Blocks []json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(payload, &in)
		if err := json.Unmarshal(out, &msg); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if len(msg.Blocks) != len(in.Blocks)+1 {
			t.Fatalf("%d blocks from %d", len(msg.Blocks), len(in.Blocks))
		}
		if strings.Contains(string(out), "<!channel>") {
			t.Fatalf("the line can mention: %s", out)
		}
	})
}
