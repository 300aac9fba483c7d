package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is an io.Writer the server goroutine and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServesTheScriptedSlack(t *testing.T) {
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, "xoxb-local-try", []string{"C0123ABCDEF"}, &out) }()

	post := func(token, channel string) map[string]any {
		body := `{"channel":"` + channel + `","text":"🔴 ALARM: orders-api latency\nmore"}`
		req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/api/chat.postMessage", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var answer map[string]any
		if err := json.Unmarshal(raw, &answer); err != nil {
			t.Fatalf("answer %q: %v", raw, err)
		}
		return answer
	}
	if a := post("xoxb-local-try", "C0123ABCDEF"); a["ok"] != true || a["ts"] == "" {
		t.Errorf("a good post answered %v", a)
	}
	if a := post("xoxb-other", "C0123ABCDEF"); a["error"] != "invalid_auth" {
		t.Errorf("a wrong token answered %v", a)
	}
	if a := post("xoxb-local-try", "C999"); a["error"] != "channel_not_found" {
		t.Errorf("an unknown channel answered %v", a)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after Ctrl-C: %v", err)
	}
	printed := out.String()
	for _, want := range []string{
		"export SLACK_API_URL=http://" + ln.Addr().String() + "/api/ SLACK_TOKEN=xoxb-local-try SLACK_CHANNEL=C0123ABCDEF",
		"answer=invalid_auth",
		"answer=channel_not_found",
	} {
		if !strings.Contains(printed, want) {
			t.Errorf("output lacks %q:\n%s", want, printed)
		}
	}
	// A message's ts is the posting time's seconds and a sequence number, as Slack's are.
	if !regexp.MustCompile(`chat.postMessage channel=C0123ABCDEF ts=\d{10}\.000001 thread_ts= answer=ok\n  🔴 ALARM: orders-api latency\n`).MatchString(printed) {
		t.Errorf("output lacks the good post:\n%s", printed)
	}
}

func TestListensOnLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:9001", "example.com:9001", "127.0.0.1"} {
		if ln, err := listen(addr); err == nil {
			ln.Close()
			t.Errorf("listen(%q): no error", addr)
		}
	}
	ln, err := listen("localhost:0")
	if err != nil {
		t.Fatalf("listen(localhost:0): %v", err)
	}
	ln.Close()
}

func TestBadFlagsExit2(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-addr", "0.0.0.0:9001"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "loopback only") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	if code := run([]string{"-nope"}, &out, &errOut); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
}
