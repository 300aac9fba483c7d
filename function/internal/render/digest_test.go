package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// goldenDigest is a storm in miniature from the fixtures: alarms in ALARM (one of them changed
// three times in the batch), one in INSUFFICIENT_DATA, one back to OK, and a text message.
func goldenDigest(t *testing.T) Digest {
	all := fixtures(t)
	pick := func(name string) alarm.Notification {
		ns, ok := all[name]
		if !ok {
			t.Fatalf("no fixture %s", name)
		}
		return ns[0]
	}
	return Digest{Changes: 8, Entries: []DigestEntry{
		{Notification: pick("latency-alarm"), Folded: 2, Was: alarm.StateOK},
		{Notification: pick("error-rate-http"), Was: alarm.StateOK},
		{Notification: pick("p99-http-api"), Was: alarm.StateOK},
		{Notification: pick("insufficient-data"), Was: alarm.StateOK},
		{Notification: pick("latency-ok"), Was: alarm.StateAlarm},
		{Notification: pick("plain-text")},
	}}
}

// TestDigestGolden renders the digest for every messenger in every language and compares with the
// reviewed payloads (go test ./function/internal/render -run Digest -update rewrites them).
func TestDigestGolden(t *testing.T) {
	d := goldenDigest(t)
	for _, lang := range []Language{English, Korean} {
		for _, m := range Messengers {
			name := fmt.Sprintf("digest.%s.json", m)
			if lang != English {
				name = fmt.Sprintf("digest.%s.%s.json", m, lang)
			}
			t.Run(name, func(t *testing.T) {
				opts := seoul(t)
				opts.Language, opts.Mentions = lang, configuredMentions
				out, err := RenderDigest(m, d, opts)
				if err != nil {
					t.Fatal(err)
				}
				if out.Omitted() != 0 {
					t.Fatalf("%d of %d entries left out of a small digest", out.Omitted(), len(d.Entries))
				}
				checkDigest(t, m, out.Payload)
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, out.Payload, "", "  "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				golden := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./function/internal/render -run Digest -update to create it)", err)
				}
				if !bytes.Equal(pretty.Bytes(), want) {
					t.Errorf("digest differs from %s (run with -update and review the diff):\n%s", golden, testsupport.Diff(string(want), pretty.String()))
				}
			})
		}
	}
}

// TestDigestHeadline: the count of changes (folded ones included), and the API and
// "(project/stack)" the alarms share; nothing shared, nothing named.
func TestDigestHeadline(t *testing.T) {
	named := func(name, api string) DigestEntry {
		return DigestEntry{Notification: alarm.Notification{Alarm: &alarm.Alarm{Name: name, API: api, State: alarm.StateAlarm}}}
	}
	tests := []struct {
		name    string
		d       Digest
		lang    Language
		want    string
		wantSum string
	}{
		{"shared api and stack", Digest{Changes: 37, Entries: []DigestEntry{named("orders-api latency (alarm-relay/prod)", "orders-api"), named("orders-api 5xx (alarm-relay/prod)", "orders-api")}},
			English, "⚠️ 37 alarm changes — orders-api (alarm-relay/prod)", "2 ALARM"},
		{"different apis", Digest{Changes: 2, Entries: []DigestEntry{named("a latency (alarm-relay/prod)", "a"), named("b latency (alarm-relay/prod)", "b")}},
			English, "⚠️ 2 alarm changes — (alarm-relay/prod)", "2 ALARM"},
		{"nothing shared", Digest{Entries: []DigestEntry{named("x", "a"), named("y (p/s)", "b")}},
			English, "⚠️ 2 alarm changes", "2 ALARM"},
		{"korean", Digest{Changes: 3, Entries: []DigestEntry{named("orders-api latency (alarm-relay/prod)", "orders-api")}},
			Korean, "⚠️ 알람 변경 3건 — orders-api (alarm-relay/prod)", "1 경보"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newDigestView(tt.d, Options{Language: tt.lang})
			if v.headline != tt.want {
				t.Errorf("headline %q, want %q", v.headline, tt.want)
			}
			if !strings.HasSuffix(v.summary, ": "+tt.wantSum) {
				t.Errorf("summary %q, want it to end with %q", v.summary, tt.wantSum)
			}
		})
	}
}

// TestDigestOrder: ALARM first, then INSUFFICIENT_DATA, OK and other notifications; newest first
// within a group; an unknown state is shown (with the others), never dropped.
func TestDigestOrder(t *testing.T) {
	at := func(name string, s alarm.State, minute int) DigestEntry {
		return DigestEntry{Notification: alarm.Notification{Alarm: &alarm.Alarm{Name: name, State: s, ChangedAt: time.Date(2026, 12, 3, 9, minute, 0, 0, time.UTC)}}}
	}
	d := Digest{Entries: []DigestEntry{
		at("ok-1", alarm.StateOK, 1), at("alarm-old", alarm.StateAlarm, 1), at("strange", "MUTED", 5),
		at("alarm-new", alarm.StateAlarm, 3), at("nodata", alarm.StateInsufficientData, 2),
		{Notification: alarm.Notification{Subject: "hello", Text: "plain"}},
	}}
	v := newDigestView(d, Options{})
	var got []string
	for _, g := range v.groups {
		for _, l := range g {
			got = append(got, l.name)
		}
	}
	want := []string{"alarm-new", "alarm-old", "nodata", "ok-1", "strange", "hello"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestDigestLimits: a storm far beyond one post (hundreds of alarms, the largest there can be, in
// the costliest characters) stays within every limit single messages respect; what does not fit
// is counted in "and N more", ALARMs shown before OKs.
func TestDigestLimits(t *testing.T) {
	for _, fill := range []string{"\x01", "\"", "한", "<at>x</at>", "&<>"} {
		var entries []DigestEntry
		for i := range 120 {
			a := hugeAlarm(fill)
			a.Observed = nil // the huge unit of the fixture costs a megabyte per line to build
			if i%2 == 1 {
				a.State = alarm.StateOK
			}
			entries = append(entries, DigestEntry{Notification: alarm.Notification{Alarm: a}, Folded: i % 3, Was: alarm.StateOK})
		}
		entries = append(entries, DigestEntry{Notification: alarm.Notification{Subject: strings.Repeat(fill, 50_000), Text: strings.Repeat(fill, 256<<10)}})
		d := Digest{Changes: 1000, Entries: entries}
		for _, lang := range []Language{English, Korean} {
			for _, m := range Messengers {
				opts := seoul(t)
				opts.Language, opts.Mentions = lang, append(configuredMentions, manyMentions()...)
				out, err := RenderDigest(m, d, opts)
				if err != nil {
					t.Fatal(err)
				}
				checkDigest(t, m, out.Payload)
				omitted := out.Omitted()
				if omitted == 0 || omitted == len(entries) {
					t.Fatalf("%s %s %q: %d of %d entries left out; want some shown and some counted", m, lang, fill, omitted, len(entries))
				}
				if !bytes.Contains(out.Payload, []byte(fmt.Sprintf(digestWordsFor(lang).more, omitted))) {
					t.Errorf("%s %s: no %q line for the %d left out", m, lang, digestWordsFor(lang).more, omitted)
				}
				// What needs someone first: no OK is shown while an ALARM is left out.
				for i, e := range entries {
					if e.Notification.Alarm != nil && e.Notification.Alarm.State == alarm.StateOK && out.Shown[i] {
						for j, f := range entries {
							if f.Notification.Alarm != nil && f.Notification.Alarm.State == alarm.StateAlarm && !out.Shown[j] {
								t.Fatalf("%s: OK entry %d shown while ALARM entry %d is left out", m, i, j)
							}
						}
					}
				}
			}
		}
	}
}

// slackLink is the only markup a digest line may hold: a console link around the escaped name.
var slackLink = regexp.MustCompile(`<https://[^<>|\s]+\|([^<>]*)>`)

// checkDigest is checkPayload for digests: the messenger's shape and limits, and mention safety
// with the console links (the only "<" Slack lines may hold) taken out.
func checkDigest(t testing.TB, m Messenger, payload []byte) {
	t.Helper()
	if m == Slack {
		var msg slackMessage
		if err := json.Unmarshal(payload, &msg); err != nil {
			t.Fatal(err)
		}
		for i := range msg.Attachments {
			for j, b := range msg.Attachments[i].Blocks {
				if b.Text != nil {
					msg.Attachments[i].Blocks[j].Text.Text = slackLink.ReplaceAllString(b.Text.Text, "$1")
				}
			}
		}
		stripped, err := json.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		checkSlackLimits(t, payload)
		checkMentionSafety(t, m, stripped)
		return
	}
	checkPayload(t, m, payload)
}
