package slacktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The fake is only as good as its likeness to Slack: these tests speak raw HTTP to it, as Slack's
// documentation describes the Web API, without the slackapi client.

const token = "xoxb-test"

type answer struct {
	status     int
	retryAfter string
	raw        string
	OK         bool   `json:"ok"`
	Error      string `json:"error"`
	Channel    string `json:"channel"`
	TS         string `json:"ts"`
}

func call(t *testing.T, s *Server, method, auth string, body map[string]any) answer {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL+method, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), raw: string(data)}
	_ = json.Unmarshal(data, &a)
	return a
}

func TestPostReplyUpdateAndDelete(t *testing.T) {
	s := New(t, token, "C0123456789")
	root := call(t, s, "chat.postMessage", token, map[string]any{"channel": "C0123456789", "text": "🔴 ALARM"})
	if !root.OK || root.TS == "" || root.Channel != "C0123456789" {
		t.Fatalf("post = %+v, want ok with the channel and a ts", root)
	}
	reply := call(t, s, "chat.postMessage", token, map[string]any{"channel": "C0123456789", "text": "still", "thread_ts": root.TS})
	if !reply.OK || reply.TS == root.TS {
		t.Fatalf("reply = %+v, want ok with a ts of its own", reply)
	}
	if up := call(t, s, "chat.update", token, map[string]any{"channel": "C0123456789", "ts": root.TS, "text": "✅ OK"}); !up.OK || up.TS != root.TS {
		t.Fatalf("update = %+v, want ok with the root's ts", up)
	}

	if roots := s.Roots("C0123456789"); len(roots) != 1 || roots[0].TS != root.TS || roots[0].Body["text"] != "✅ OK" || roots[0].Edits != 1 {
		t.Errorf("roots = %+v, want the one root, edited once to its new text", roots)
	}
	if replies := s.Replies("C0123456789", root.TS); len(replies) != 1 || replies[0].TS != reply.TS {
		t.Errorf("replies = %+v, want the one reply", replies)
	}
	if m := s.Message("C0123456789", reply.TS); m == nil || m.ThreadTS != root.TS {
		t.Errorf("Message(reply) = %+v, want it in the root's thread", m)
	}

	s.Delete("C0123456789", root.TS)
	if got := call(t, s, "chat.update", token, map[string]any{"channel": "C0123456789", "ts": root.TS, "text": "x"}); got.OK || got.Error != "message_not_found" {
		t.Errorf("update of a deleted message = %+v, want message_not_found", got)
	}
	if got := call(t, s, "chat.postMessage", token, map[string]any{"channel": "C0123456789", "text": "x", "thread_ts": root.TS}); got.Error != "thread_not_found" {
		t.Errorf("reply to a deleted root = %+v, want thread_not_found", got)
	}

	calls := s.Calls()
	want := []string{"ok", "ok", "ok", "message_not_found", "thread_not_found"}
	if len(calls) != len(want) {
		t.Fatalf("%d calls recorded, want %d: %+v", len(calls), len(want), calls)
	}
	for i, c := range calls {
		if c.Answer != want[i] {
			t.Errorf("call %d (%s) answered %q, want %q", i+1, c.Method, c.Answer, want[i])
		}
	}
	if calls[0].TS != root.TS || calls[1].ThreadTS != root.TS || calls[2].Text != "✅ OK" {
		t.Errorf("calls do not record ts, thread_ts and text: %+v", calls[:3])
	}
}

func TestRefusesWhatSlackRefuses(t *testing.T) {
	s := New(t, token, "C0123456789")
	for _, tt := range []struct {
		name, method, auth string
		body               map[string]any
		want               string
	}{
		{"no token", "chat.postMessage", "", map[string]any{"channel": "C0123456789", "text": "x"}, "invalid_auth"},
		{"wrong token", "chat.postMessage", "xoxb-other", map[string]any{"channel": "C0123456789", "text": "x"}, "invalid_auth"},
		{"unknown channel", "chat.postMessage", token, map[string]any{"channel": "C9999999999", "text": "x"}, "channel_not_found"},
		{"no text and no blocks", "chat.postMessage", token, map[string]any{"channel": "C0123456789"}, "no_text"},
		{"unknown method", "chat.delete", token, map[string]any{"channel": "C0123456789", "text": "x"}, "unknown_method"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := call(t, s, tt.method, tt.auth, tt.body); got.status != 200 || got.OK || got.Error != tt.want {
				t.Errorf("answer = %+v, want HTTP 200 ok:false %q", got, tt.want)
			}
		})
	}
	if roots := s.Roots("C0123456789"); len(roots) != 0 {
		t.Errorf("refused calls posted %d messages", len(roots))
	}
}

func TestArchiveAndJoin(t *testing.T) {
	s := New(t, token, "C0123456789")
	s.Archive("C0123456789")
	if got := call(t, s, "chat.postMessage", token, map[string]any{"channel": "C0123456789", "text": "x"}); got.Error != "channel_not_found" {
		t.Errorf("post to an archived channel = %+v, want channel_not_found", got)
	}
	s.Join("C0123456789")
	if got := call(t, s, "chat.postMessage", token, map[string]any{"channel": "C0123456789", "text": "x"}); !got.OK {
		t.Errorf("post after Join = %+v, want ok", got)
	}
}

func TestScriptedFailuresComeInOrderThenSlackAnswersAgain(t *testing.T) {
	s := New(t, token, "C0123456789")
	s.Fail("chat.postMessage",
		Failure{Status: 429, Code: "ratelimited", RetryAfter: "3"},
		Failure{Status: 503, Body: "upstream connect error"},
		Failure{Code: "internal_error"})
	post := map[string]any{"channel": "C0123456789", "text": "x"}

	if got := call(t, s, "chat.postMessage", token, post); got.status != 429 || got.Error != "ratelimited" || got.retryAfter != "3" {
		t.Errorf("first = %+v, want HTTP 429 ratelimited after 3", got)
	}
	if got := call(t, s, "chat.postMessage", token, post); got.status != 503 || got.raw != "upstream connect error" {
		t.Errorf("second = %+v, want the raw 503 body", got)
	}
	if got := call(t, s, "chat.postMessage", token, post); got.status != 200 || got.Error != "internal_error" {
		t.Errorf("third = %+v, want HTTP 200 internal_error", got)
	}
	// Scripts are per method: chat.update was never scripted.
	first := call(t, s, "chat.postMessage", token, post)
	if !first.OK {
		t.Fatalf("fourth = %+v, want ok once the script is used up", first)
	}
	if got := call(t, s, "chat.update", token, map[string]any{"channel": "C0123456789", "ts": first.TS, "text": "y"}); !got.OK {
		t.Errorf("update = %+v, want ok", got)
	}
	answers := []string{}
	for _, c := range s.Calls() {
		answers = append(answers, c.Answer)
	}
	if got := strings.Join(answers, ","); got != "ratelimited,upstream connect error,internal_error,ok,ok" {
		t.Errorf("recorded answers %s", got)
	}
}

// TestRetryAfterIgnored: a client calling again before the Retry-After it was answered is counted.
func TestRetryAfterIgnored(t *testing.T) {
	s := New(t, token, "C1")
	s.Limit(time.Hour, 0)
	post := func() answer {
		return call(t, s, "chat.postMessage", token, map[string]any{"channel": "C1", "text": "hi"})
	}
	if a := post(); !a.OK {
		t.Fatalf("first post: %+v", a)
	}
	if a := post(); a.Error != "ratelimited" || a.retryAfter == "" {
		t.Fatalf("second post: %+v; want ratelimited with a Retry-After", a)
	}
	if n := s.RetryAfterIgnored(); n != 0 {
		t.Errorf("after one refusal: %d ignored; want 0", n)
	}
	post() // at once, on the same connection
	if n, limited := s.RetryAfterIgnored(), s.Limited(); n != 1 || limited != 2 {
		t.Errorf("%d ignored, %d ratelimited; want 1 and 2", n, limited)
	}
}
