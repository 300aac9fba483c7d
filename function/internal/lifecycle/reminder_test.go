package lifecycle

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
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
	in := blockkit.Message{Text: "a < b", Blocks: []blockkit.Block{{Type: "header"}, {Type: "section"}}, Attachments: []blockkit.Attachment{}}
	got, err := chat.Marshal(withContext(in, "Resolved after <1> min"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"text":"a < b · Resolved after &lt;1&gt; min","blocks":[{"type":"header"},{"type":"context","elements":[{"type":"mrkdwn","text":"Resolved after &lt;1&gt; min"}]},{"type":"section"}]}`
	if string(got) != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	if len(in.Blocks) != 2 || in.Text != "a < b" {
		t.Errorf("the rendered message was changed: %+v", in)
	}
	if got := withContext(blockkit.Message{Text: "x"}, "line"); len(got.Blocks) != 1 || got.Blocks[0].Type != "context" {
		t.Errorf("no blocks: %+v", got)
	}
	if got := withContext(in, ""); len(got.Blocks) != 2 || got.Text != in.Text {
		t.Errorf("an empty line changed the message: %+v", got)
	}
}

// FuzzWithContext: whatever the message and line, the blocks gain exactly one context block
// under the header, the line cannot mention anyone, and the message given is not changed.
func FuzzWithContext(f *testing.F) {
	f.Add("x", uint8(1), "Resolved after 14 min")
	f.Add("", uint8(0), "<!channel> & co")
	f.Fuzz(func(t *testing.T, text string, n uint8, line string) {
		in := blockkit.Message{Text: text, Blocks: make([]blockkit.Block, n%8, 8)}
		out := withContext(in, line)
		if line == "" {
			return
		}
		if len(out.Blocks) != len(in.Blocks)+1 || out.Blocks[min(1, len(in.Blocks))].Type != "context" {
			t.Fatalf("%d blocks from %d: %+v", len(out.Blocks), len(in.Blocks), out.Blocks)
		}
		for _, b := range in.Blocks {
			if b.Type != "" {
				t.Fatalf("the message given was changed: %+v", in.Blocks)
			}
		}
		b, err := chat.Marshal(out.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "<!channel>") {
			t.Fatalf("the line can mention: %s", b)
		}
	})
}
