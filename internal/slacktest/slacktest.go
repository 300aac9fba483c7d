// Package slacktest is a scripted Slack Web API for tests: it serves chat.postMessage and
// chat.update like Slack does (bearer token, channel ids, message timestamps, threads, message
// metadata), conversations.history and conversations.replies (with include_all_metadata and
// oldest), records every call, and answers with scripted failures (ratelimited,
// channel_not_found, HTTP 5xx…) when told to — also the faults that matter most to a caller that
// must not post twice: a post taken and its answer lost (the connection dropped), and ok without a
// ts. Messages can be deleted to test what happens to an incident whose message is gone. Roots
// and Replies show the channel as a person would see it: count those, not calls.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request the server received.
type Call struct {
	Method   string // chat.postMessage or chat.update
	Channel  string
	TS       string // chat.update: the message edited; chat.postMessage: the ts given to the new one
	ThreadTS string
	Text     string
	Body     map[string]any // the whole JSON request
	Answer   string         // "ok" or the error code answered
	At       time.Time      // when it was answered
	// RetryAfter is the Retry-After answered ("" none); From the caller's connection (its
	// address), which tells one client's calls from another's.
	RetryAfter string
	From       string
}

// Message is a message as the channel shows it now.
type Message struct {
	Channel, TS, ThreadTS string
	Body                  map[string]any // the last content posted or updated
	Edits                 int
}

// Failure is a scripted answer for the next call of a method.
type Failure struct {
	Status     int    // HTTP status; 0 means 200
	Code       string // Slack's error code, e.g. ratelimited
	RetryAfter string // Retry-After header
	Body       string // a raw body instead of Slack's JSON

	// Lose: the call is carried out (the message posted or edited), then the connection is
	// dropped without an answer, as a reset or a timeout after Slack took it would.
	Lose bool
	// NoTS: the call is carried out and answered ok without the message's ts.
	NoTS bool
}

// Server is the scripted Slack.
type Server struct {
	URL   string // base URL with a trailing slash, for SLACK_API_URL
	Token string

	mu       sync.Mutex
	channels map[string]bool // channel ids that exist and the bot is in
	srv      *httptest.Server
	calls    []Call
	messages map[string]*Message // by channel + "/" + ts
	next     int
	order    []string // message keys in the order posted
	failures map[string][]Failure

	limits limits // see Limit

	// NoHistory makes conversations.history and .replies answer missing_scope, as for an app
	// without channels:history / groups:history.
	NoHistory bool
}

// New starts a server accepting token and posting to the given channels; it stops with the test.
func New(t testing.TB, token string, channels ...string) *Server {
	t.Helper()
	s := &Server{Token: token, channels: map[string]bool{}, messages: map[string]*Message{}, failures: map[string][]Failure{}}
	for _, c := range channels {
		s.channels[c] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + "/api/"
	return s
}

// Fail scripts the answers to the next calls of method, in order.
func (s *Server) Fail(method string, failures ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failures...)
}

// Join adds a channel the bot can post in.
func (s *Server) Join(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[channel] = true
}

// Archive makes a channel unusable: calls for it answer channel_not_found.
func (s *Server) Archive(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, channel)
}

// Delete removes a message, as a person deleting it in Slack would.
func (s *Server) Delete(channel, ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.messages, channel+"/"+ts)
}

// Calls returns the calls so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Message returns a message as it is now, or nil.
func (s *Server) Message(channel, ts string) *Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.messages[channel+"/"+ts]; ok {
		c := *m
		return &c
	}
	return nil
}

// Roots returns the channel's messages that are not thread replies, oldest first.
func (s *Server) Roots(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inThread(channel, "")
}

// Replies returns the replies in a thread, oldest first.
func (s *Server) Replies(channel, threadTS string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inThread(channel, threadTS)
}

func (s *Server) inThread(channel, threadTS string) []Message {
	var out []Message
	for _, k := range s.order {
		if m, ok := s.messages[k]; ok && m.Channel == channel && m.ThreadTS == threadTS {
			out = append(out, *m)
		}
	}
	return out
}

// ts is the i-th message's timestamp: the posting time's seconds (so that oldest works as in
// Slack) and a sequence number that keeps it unique.
func ts(i int) string { return fmt.Sprintf("%d.%06d", time.Now().Unix(), i%1000000) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	jsonErr := json.Unmarshal(raw, &body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// The read methods take a form, as Slack's docs show them.
		form, err := url.ParseQuery(string(raw))
		jsonErr, body = err, map[string]any{}
		for k := range form {
			body[k] = form.Get(k)
		}
	}
	str := func(k string) string { v, _ := body[k].(string); return v }
	call := Call{Method: method, Channel: str("channel"), TS: str("ts"), ThreadTS: str("thread_ts"), Text: str("text"), Body: body, From: r.RemoteAddr}

	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(status int, v map[string]any, retryAfter string) {
		if e, ok := v["error"].(string); ok {
			call.Answer = e
		} else {
			call.Answer = "ok"
		}
		call.At, call.RetryAfter = time.Now(), retryAfter
		s.calls = append(s.calls, call)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(code string) { answer(http.StatusOK, map[string]any{"ok": false, "error": code}, "") }

	if queued := s.failures[method]; len(queued) > 0 && (queued[0].Lose || queued[0].NoTS) {
		s.failures[method] = queued[1:]
		lose := queued[0].Lose
		inner := answer
		answer = func(status int, v map[string]any, retryAfter string) {
			switch {
			case lose:
				call.Answer = "lost"
				s.calls = append(s.calls, call)
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					_ = conn.Close()
				}
			default:
				delete(v, "ts")
				inner(status, v, retryAfter)
			}
		}
	} else if len(queued) > 0 {
		f := queued[0]
		s.failures[method] = queued[1:]
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		if f.Body != "" {
			call.Answer = f.Body
			s.calls = append(s.calls, call)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, f.Body)
			return
		}
		answer(status, map[string]any{"ok": false, "error": f.Code}, f.RetryAfter)
		return
	}
	switch {
	case r.Method != http.MethodPost:
		fail("invalid_request")
	case r.Header.Get("Authorization") != "Bearer "+s.Token:
		fail("invalid_auth")
	case strings.HasPrefix(method, "conversations.") && s.NoHistory:
		answer(http.StatusOK, map[string]any{"ok": false, "error": "missing_scope", "needed": "channels:history", "provided": "chat:write"}, "")
	case method == "conversations.history" || method == "conversations.replies":
		if !s.channels[call.Channel] {
			fail("channel_not_found")
			return
		}
		s.history(method, body, answer)
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		fail("invalid_form_data")
	case jsonErr != nil:
		fail("invalid_json")
	case !s.channels[call.Channel]:
		fail("channel_not_found")
	case call.Text == "" && body["blocks"] == nil:
		fail("no_text")
	case method == "chat.postMessage":
		if call.ThreadTS != "" {
			if _, ok := s.messages[call.Channel+"/"+call.ThreadTS]; !ok {
				fail("thread_not_found")
				return
			}
		}
		if s.overRate(method, call.Channel, "", answer) {
			return
		}
		s.next++
		call.TS = ts(s.next)
		s.messages[call.Channel+"/"+call.TS] = &Message{Channel: call.Channel, TS: call.TS, ThreadTS: call.ThreadTS, Body: body}
		s.order = append(s.order, call.Channel+"/"+call.TS)
		s.posted(call.Channel, call.TS)
		answer(http.StatusOK, map[string]any{"ok": true, "channel": call.Channel, "ts": call.TS}, "")
	case method == "chat.update":
		m, ok := s.messages[call.Channel+"/"+call.TS]
		if !ok {
			fail("message_not_found")
			return
		}
		if s.overRate(method, call.Channel, call.TS, answer) {
			return
		}
		m.Body = body
		m.Edits++
		answer(http.StatusOK, map[string]any{"ok": true, "channel": call.Channel, "ts": call.TS}, "")
	default:
		fail("unknown_method")
	}
}

// history answers conversations.history (the channel's roots) or conversations.replies (a
// thread's parent and replies), newest first, since oldest, with each message's metadata when
// include_all_metadata is set.
func (s *Server) history(method string, form map[string]any, answer func(int, map[string]any, string)) {
	get := func(k string) string { v, _ := form[k].(string); return v }
	channel, oldest := get("channel"), get("oldest")
	withMeta := get("include_all_metadata") == "true"
	var list []Message
	if method == "conversations.replies" {
		parent, ok := s.messages[channel+"/"+get("ts")]
		if !ok {
			answer(http.StatusOK, map[string]any{"ok": false, "error": "thread_not_found"}, "")
			return
		}
		list = append([]Message{*parent}, s.inThread(channel, parent.TS)...)
	} else {
		list = s.inThread(channel, "")
	}
	var out []map[string]any
	for i := len(list) - 1; i >= 0; i-- {
		m := list[i]
		if oldest != "" && tsBefore(m.TS, oldest) {
			continue
		}
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Body["text"]}
		if m.ThreadTS != "" {
			msg["thread_ts"] = m.ThreadTS
		}
		if meta, ok := m.Body["metadata"]; ok && withMeta {
			msg["metadata"] = meta
		}
		out = append(out, msg)
	}
	answer(http.StatusOK, map[string]any{"ok": true, "messages": out, "has_more": false}, "")
}

// tsBefore compares two Slack timestamps ("seconds.micros") as numbers.
func tsBefore(a, b string) bool {
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	return x < y
}
