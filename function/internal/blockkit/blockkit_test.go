package blockkit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestSlackGoldensRoundTrip pins the types' JSON (field names, omitempty) to the Slack payloads
// render's goldens hold: every one decodes without a field the types lack, and encodes back to
// the same JSON, with no field added (an omitempty lost) or dropped (one gained).
func TestSlackGoldensRoundTrip(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("..", "render", "testdata", "golden", "*.slack*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) < 10 {
		t.Fatalf("%d Slack goldens found under render/testdata/golden, want the lot", len(goldens))
	}
	for _, path := range goldens {
		t.Run(filepath.Base(path), func(t *testing.T) {
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(golden))
			dec.DisallowUnknownFields()
			var m Message
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("decode as a Message: %v", err)
			}
			if m.IsZero() {
				t.Fatal("decoded to an empty Message")
			}
			again, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(golden, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("encoded again:\n%s\nthe golden:\n%s", again, golden)
			}
		})
	}
}

// TestTextOnlyMessageSendsNoAttachments: a message of text alone (a reminder that opens a
// thread) has no coloured bar, so no "attachments" key; every golden has one, so this is pinned
// here.
func TestTextOnlyMessageSendsNoAttachments(t *testing.T) {
	b, err := json.Marshal(Message{Text: "still in ALARM"})
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if _, ok := fields["attachments"]; ok {
		t.Errorf("a text-only message encodes as %s, with attachments", b)
	}
}
