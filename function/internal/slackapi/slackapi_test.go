package slackapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry/retrytest"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// secret is a well-formed bot token; no error, log line or printout may contain it.
const secret = "xoxb-1111111111-2222222222222-SeCrEtSeCrEtSeCrEt"

const channel = "C0123ABCDEF"

// payload is the shape render builds for Slack webhooks (as JSON: see message).
const payload = `{"text":"🔴 ALARM: orders-api latency — Average Latency > 300 ms","blocks":[{"type":"header","text":{"type":"plain_text","text":"🔴 ALARM: orders-api latency","emoji":true}}],"attachments":[{"color":"#E01E5A","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Average Latency > 300 ms* <b>"}}]}]}`

func token(t *testing.T) slackapi.Token {
	t.Helper()
	tok, err := slackapi.ParseToken(secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// webAPI is the slack-app messenger's reading of the Web API's answers, as the relay wires it.
func webAPI(t testing.TB) chat.Judge {
	t.Helper()
	j, err := render.JudgeFor(render.SlackApp)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func client(t *testing.T, base string) (*slackapi.Client, *retrytest.Clock) {
	t.Helper()
	c, err := slackapi.New(func(k string) string {
		if k == relayconfig.EnvSlackAPIURL {
			return base
		}
		return ""
	}, token(t), webAPI(t), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	clk := retrytest.New(time.Now()) // real time: contexts with deadlines compare against it
	c.Clock = clk.Retry()
	return c, clk
}

// message decodes a Slack payload as render would have built it.
func message(t *testing.T, payload string) *blockkit.Message {
	t.Helper()
	var m blockkit.Message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestPostUpdateAndReply(t *testing.T) {
	slack := slacktest.New(t, secret, channel)
	c, _ := client(t, slack.URL)
	ctx := context.Background()

	root, err := c.PostMessage(ctx, slackapi.Message{Channel: channel, Payload: message(t, payload)})
	if err != nil {
		t.Fatal(err)
	}
	if root.TS == "" || root.Channel != channel || root.Attempts != 1 {
		t.Errorf("posted = %+v", root)
	}
	reply, err := c.PostMessage(ctx, slackapi.Message{Channel: channel, ThreadTS: root.TS, Text: "✅ resolved after 14 min"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateMessage(ctx, slackapi.Message{Channel: channel, TS: root.TS, Text: "plain now"}); err != nil {
		t.Fatal(err)
	}

	calls := slack.Calls()
	if len(calls) != 3 {
		t.Fatalf("calls = %+v", calls)
	}
	post := calls[0].Body
	if post["text"] != "🔴 ALARM: orders-api latency — Average Latency > 300 ms" || post["unfurl_links"] != false || post["thread_ts"] != nil {
		t.Errorf("root post = %v", post)
	}
	if atts, _ := post["attachments"].([]any); len(atts) != 1 {
		t.Errorf("the payload's attachments were not posted: %v", post)
	}
	if calls[1].ThreadTS != root.TS || calls[1].Text != "✅ resolved after 14 min" {
		t.Errorf("reply = %+v", calls[1])
	}
	if got := slack.Replies(channel, root.TS); len(got) != 1 || got[0].TS != reply.TS {
		t.Errorf("thread = %+v", got)
	}
	m := slack.Message(channel, root.TS)
	if m == nil || m.Edits != 1 || m.Body["text"] != "plain now" || len(m.Body["blocks"].([]any)) != 0 {
		t.Errorf("a text update must replace the old blocks: %+v", m)
	}
}

func TestRawRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = readAll(r)
		fmt.Fprint(w, `{"ok":true,"channel":"C0123ABCDEF","ts":"1.2"}`)
	}))
	defer srv.Close()
	c, _ := client(t, srv.URL+"/api") // no trailing slash: added
	// A message has no channel or token of its own (blockkit.Message has no such fields): the
	// request's are the only ones. Encoded once, "<" and "&" stay as written.
	if _, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Payload: &blockkit.Message{Text: "a < b & c"}}); err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/api/chat.postMessage" || got.Header.Get("Authorization") != "Bearer "+secret ||
		got.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("request %s %v", got.URL.Path, got.Header)
	}
	want := `{"channel":"C0123ABCDEF","text":"a < b & c","unfurl_links":false,"unfurl_media":false}`
	if string(body) != want {
		t.Errorf("body\n got %s\nwant %s", body, want)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

func TestJudgement(t *testing.T) {
	tests := []struct {
		name      string
		failures  []slacktest.Failure
		update    bool
		wantErr   string // "" means delivered
		waits     []time.Duration
		gone      bool
		wantCalls int
	}{
		{name: "ratelimited with Retry-After", failures: []slacktest.Failure{{Status: 429, Code: "ratelimited", RetryAfter: "3"}},
			waits: []time.Duration{3 * time.Second}, wantCalls: 2},
		{name: "rate_limited inside HTTP 200", failures: []slacktest.Failure{{Code: "rate_limited", RetryAfter: "2"}},
			waits: []time.Duration{2 * time.Second}, wantCalls: 2},
		{name: "server error then ok", failures: []slacktest.Failure{{Status: 503, Body: "upstream connect error"}, {Code: "internal_error"}}, wantCalls: 3},
		{name: "channel_not_found", failures: []slacktest.Failure{{Code: "channel_not_found"}},
			wantErr: `slack chat.postMessage answered HTTP 200 "channel_not_found": the channel id is wrong or the app cannot see the channel; use the id (C…) from the channel's details; not retried (1 attempt)`, wantCalls: 1},
		{name: "not_in_channel", failures: []slacktest.Failure{{Code: "not_in_channel"}}, wantErr: "invite the app to the channel", wantCalls: 1},
		{name: "invalid_auth", failures: []slacktest.Failure{{Code: "invalid_auth"}}, wantErr: `"invalid_auth": the bot token is not valid`, wantCalls: 1},
		{name: "token_revoked", failures: []slacktest.Failure{{Code: "token_revoked"}}, wantErr: "reinstall the app", wantCalls: 1},
		{name: "msg_too_long", failures: []slacktest.Failure{{Code: "msg_too_long"}}, wantErr: `"msg_too_long"`, wantCalls: 1},
		{name: "unknown code", failures: []slacktest.Failure{{Code: "something_new"}}, wantErr: `"something_new": rejected; not retried`, wantCalls: 1},
		{name: "HTML from a proxy", failures: []slacktest.Failure{{Body: "<html>login</html>"}}, wantErr: "the answer is not Slack's JSON", wantCalls: 1},
		{name: "404", failures: []slacktest.Failure{{Status: 404, Body: "not found"}}, wantErr: "HTTP 404", wantCalls: 1},
		{name: "ok without ts", failures: []slacktest.Failure{{Body: `{"ok":true}`}}, wantErr: "without the message's ts", wantCalls: 1},
		{name: "message_not_found on update", update: true, failures: []slacktest.Failure{{Code: "message_not_found"}}, wantErr: "message_not_found", gone: true, wantCalls: 1},
		{name: "cant_update_message", update: true, failures: []slacktest.Failure{{Code: "cant_update_message"}}, wantErr: "cannot be edited", gone: true, wantCalls: 1},
		{name: "edit_window_closed", update: true, failures: []slacktest.Failure{{Code: "edit_window_closed"}}, wantErr: "too old", gone: true, wantCalls: 1},
		{name: "ratelimited forever", failures: repeat(slacktest.Failure{Status: 429, Code: "ratelimited", RetryAfter: "1"}, 10),
			wantErr: `HTTP 429 "ratelimited": rate limited (6 attempts)`, waits: repeat(time.Second, 5), wantCalls: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slack := slacktest.New(t, secret, channel)
			c, clk := client(t, slack.URL)
			ctx := context.Background()
			var ts string
			if tt.update {
				root, err := c.PostMessage(ctx, slackapi.Message{Channel: channel, Text: "root"})
				if err != nil {
					t.Fatal(err)
				}
				ts = root.TS
			}
			slack.Fail(map[bool]string{true: "chat.update", false: "chat.postMessage"}[tt.update], tt.failures...)
			var err error
			if tt.update {
				_, err = c.UpdateMessage(ctx, slackapi.Message{Channel: channel, TS: ts, Payload: message(t, payload)})
			} else {
				_, err = c.PostMessage(ctx, slackapi.Message{Channel: channel, Payload: message(t, payload)})
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("not delivered: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if errors.Is(err, slackapi.ErrMessageGone) != tt.gone {
				t.Errorf("errors.Is(%v, ErrMessageGone) = %v", err, !tt.gone)
			}
			calls := len(slack.Calls())
			if tt.update {
				calls-- // the root posted first
			}
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if tt.waits != nil && fmt.Sprint(clk.Waits()) != fmt.Sprint(tt.waits) {
				t.Errorf("waits %v, want %v", clk.Waits(), tt.waits)
			}
			if len(clk.Waits()) != tt.wantCalls-1 {
				t.Errorf("%d waits for %d calls", len(clk.Waits()), tt.wantCalls)
			}
		})
	}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestDeadline(t *testing.T) {
	slack := slacktest.New(t, secret, channel)
	c, clk := client(t, slack.URL)
	slack.Fail("chat.postMessage", slacktest.Failure{Status: 429, Code: "ratelimited", RetryAfter: "3600"})
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(30*time.Second))
	defer cancel()
	_, err := c.PostMessage(ctx, slackapi.Message{Channel: channel, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "no time left to retry after 1h0m0s before the deadline") || len(clk.Waits()) != 0 {
		t.Errorf("err = %v, waits %v", err, clk.Waits())
	}
}

// TestTokenNeverShown: a server that echoes the request (headers and all) into its error body,
// and a network failure, and every way of printing a token.
func TestTokenNeverShown(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"ok":false,"error":"bad %s","response_metadata":{"messages":["Authorization: %s"]}}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	closed := testsupport.RefusedURL(t)
	var printed []string
	for _, base := range []string{echo.URL + "/", closed + "/"} {
		c, _ := client(t, base)
		c.Policy.MaxAttempts = 2
		_, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Text: "x"})
		if err == nil {
			t.Fatalf("%s: delivered", base)
		}
		printed = append(printed, err.Error(), fmt.Sprintf("%+v", err))
	}
	if !strings.Contains(printed[0], "[slack token]") {
		t.Errorf("the echoed token was not redacted visibly: %s", printed[0])
	}
	tok := token(t)
	holder := struct {
		Name  string
		Token slackapi.Token
		inner struct{ t slackapi.Token }
	}{Name: "x", Token: tok}
	holder.inner.t = tok
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		printed = append(printed, fmt.Sprintf(verb, tok), fmt.Sprintf(verb, holder), fmt.Sprintf(verb, &holder))
	}
	js, _ := json.Marshal(holder)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("start", "token", tok, "holder", holder)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("start", "token", tok)
	c, _ := client(t, echo.URL)
	printed = append(printed, string(js), logs.String(), fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", c))
	for _, p := range printed {
		if strings.Contains(p, "SeCrEt") || strings.Contains(p, "2222222222222") {
			t.Errorf("token printed: %s", p)
		}
	}
}

// TestTokenNeverShownWhereAnAnswerIsCut: an answer (Slack's JSON, or a proxy's page) that echoes
// the bearer token at any offset, so that the token straddles the point where the error code
// (80 bytes) or the detail (200) is cut, shows none of it: the token is redacted before the cut.
// A JSON string may spell the token with \u escapes; that copy is found too.
func TestTokenNeverShownWhereAnAnswerIsCut(t *testing.T) {
	var body string // what the server answers; set before each request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	c, _ := client(t, srv.URL+"/")
	escaped := `\u0078` + secret[1:] // "xoxb-…" with its first letter as a JSON escape
	for pad := 0; pad < 260; pad++ {
		filler := strings.Repeat("a", pad)
		for shape, answer := range map[string]string{
			"json error":         fmt.Sprintf(`{"ok":false,"error":"%s Bearer %s"}`, filler, secret),
			"json error escaped": fmt.Sprintf(`{"ok":false,"error":"%s Bearer %s"}`, filler, escaped),
			"json messages":      fmt.Sprintf(`{"ok":false,"error":"invalid_auth","response_metadata":{"messages":["%s Bearer %s"]}}`, filler, secret),
			"html":               fmt.Sprintf("<html>%s Authorization: Bearer %s</html>", filler, secret),
		} {
			body = answer
			_, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Text: "x"})
			if err == nil {
				t.Fatalf("%s, pad %d: delivered", shape, pad)
			}
			if msg := err.Error(); strings.Contains(msg, secret[:12]) || strings.Contains(msg, escaped[:12]) {
				t.Fatalf("%s, pad %d: a part of the token is shown: %s", shape, pad, msg)
			}
		}
	}
}

func TestParseToken(t *testing.T) {
	tests := []struct{ in, errHas string }{
		{secret, ""},
		{"  " + secret + "\n", ""},
		{"", "empty"},
		{"xoxp-1234-5678-abcdef", `it is a "xoxp-" token`},
		{"https://hooks.slack.com/services/T0/B0/XXXX", "must be a bot token starting with xoxb-"},
		{"xoxb-12345-abc def", "unexpected character at position 15"},
		{"xoxb-" + strings.Repeat("a", 300), "305 characters"},
	}
	for _, tt := range tests {
		_, err := slackapi.ParseToken(tt.in)
		switch {
		case tt.errHas == "" && err != nil:
			t.Errorf("ParseToken(%q): %v", tt.in, err)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("ParseToken(%q) = %v, want %q", tt.in, err, tt.errHas)
		case err != nil && len(tt.in) > 8 && strings.Contains(err.Error(), tt.in[6:]):
			t.Errorf("the error repeats the value: %v", err)
		}
	}
}

func TestParseChannel(t *testing.T) {
	for in, errHas := range map[string]string{
		"C0123ABCDEF":   "",
		" G0123ABCDE ":  "",
		"":              "empty",
		"#alerts":       "looks like a channel name",
		"alerts":        "looks like a channel name",
		"U0123ABCDEF":   "not a channel id",
		"C01":           "not a channel id",
		"C0123ABC-DEF1": "upper-case letters and digits",
	} {
		_, err := slackapi.ParseChannel(in)
		if (errHas == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), errHas) {
			t.Errorf("ParseChannel(%q) = %v, want %q", in, err, errHas)
		}
	}
}

func TestNew(t *testing.T) {
	tok := token(t)
	for base, errHas := range map[string]string{
		"":                              "",
		"https://slack.example/api/":    "",
		"http://127.0.0.1:9/api/":       "",
		"http://slack.example/api/":     "must use https",
		"ftp://slack.example/":          "must use https",
		"slack.com/api":                 "not an absolute URL",
		"https://u:p@slack.example/api": "without credentials",
	} {
		c, err := slackapi.New(func(string) string { return base }, tok, webAPI(t), http.DefaultClient)
		if (errHas == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), errHas) {
			t.Errorf("New(%q) = %v, want %q", base, err, errHas)
		}
		if base == "" && err == nil && c.BaseURL != slackapi.DefaultBaseURL {
			t.Errorf("default base = %q", c.BaseURL)
		}
	}
	if _, err := slackapi.New(func(string) string { return "" }, tok, nil, http.DefaultClient); err == nil {
		t.Error("New without a judge succeeded: an HTTP 200 with ok:false would count as posted")
	}
	if _, err := slackapi.New(func(string) string { return "" }, slackapi.Token{}, webAPI(t), http.DefaultClient); err == nil {
		t.Error("a client without a token was built")
	}
}

func TestLoadToken(t *testing.T) {
	read := func(values map[string]string) func(context.Context, string) (string, error) {
		return func(_ context.Context, name string) (string, error) {
			v, ok := values[name]
			if !ok {
				return "", errors.New("ParameterNotFound")
			}
			return v, nil
		}
	}
	params := map[string]string{"/relay/token:3": secret, "/relay/bad:1": "xoxp-user-token-1"}
	tests := []struct {
		env    map[string]string
		errHas string
	}{
		{map[string]string{"SLACK_TOKEN": secret}, ""},
		{map[string]string{"SLACK_TOKEN_PARAMETER": "/relay/token:3"}, ""},
		{map[string]string{}, "set SLACK_TOKEN_PARAMETER"},
		{map[string]string{"SLACK_TOKEN": "nope"}, "SLACK_TOKEN: slack token must be a bot token"},
		{map[string]string{"SLACK_TOKEN": secret, "SLACK_TOKEN_PARAMETER": "/relay/missing"}, ""}, // a local run's token wins
		{map[string]string{"SLACK_TOKEN_PARAMETER": "/relay/missing"}, `SSM parameter "/relay/missing": ParameterNotFound`},
		{map[string]string{"SLACK_TOKEN_PARAMETER": "/relay/bad:1"}, `SSM parameter "/relay/bad:1": slack token must be a bot token`},
	}
	for _, tt := range tests {
		c := relayconfig.Config{SlackToken: relayconfig.Secret(tt.env["SLACK_TOKEN"]), SlackTokenParameter: tt.env["SLACK_TOKEN_PARAMETER"]}
		tok, err := slackapi.LoadToken(context.Background(), c, read(params))
		switch {
		case tt.errHas == "" && (err != nil || tok.IsZero()):
			t.Errorf("LoadToken(%v): %v", tt.env, err)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("LoadToken(%v) = %v, want %q", tt.env, err, tt.errHas)
		case err != nil && strings.Contains(err.Error(), "user-token"):
			t.Errorf("the error repeats the value: %v", err)
		}
	}
}

// BenchmarkNew is the client's start-up cost in a cold container: checking the token and the
// base URL.
func BenchmarkNew(b *testing.B) {
	getenv := func(string) string { return "" }
	judge := webAPI(b)
	for b.Loop() {
		tok, err := slackapi.ParseToken(secret)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := slackapi.New(getenv, tok, judge, http.DefaultClient); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseToken: no error ever repeats a token-sized part of its input.
func FuzzParseToken(f *testing.F) {
	f.Add(secret)
	f.Add("xoxp-1234-5678-abcdef")
	f.Add("xoxb-12345-abc def")
	f.Fuzz(func(t *testing.T, raw string) {
		_, err := slackapi.ParseToken(raw)
		if err == nil {
			return
		}
		s := strings.TrimSpace(raw)
		if len(s) >= 12 && strings.Contains(err.Error(), s[5:]) {
			t.Fatalf("the error repeats the value: %v", err)
		}
	})
}
