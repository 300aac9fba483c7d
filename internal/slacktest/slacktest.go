// Package slacktest is a scripted Slack Web API for tests: it serves chat.postMessage and
// chat.update like Slack does (bearer token, channel ids, message timestamps, threads), records
// every call, and answers with scripted failures (ratelimited, channel_not_found, HTTP 5xx…) when
// told to. Messages can be deleted to test what happens to an incident whose message is gone.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
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
	failures map[string][]Failure
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
	var out []Message
	for i := 1; i <= s.next; i++ {
		if m, ok := s.messages[channel+"/"+ts(i)]; ok && m.ThreadTS == "" {
			out = append(out, *m)
		}
	}
	return out
}

// Replies returns the replies in a thread, oldest first.
func (s *Server) Replies(channel, threadTS string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for i := 1; i <= s.next; i++ {
		if m, ok := s.messages[channel+"/"+ts(i)]; ok && m.ThreadTS == threadTS {
			out = append(out, *m)
		}
	}
	return out
}

func ts(i int) string { return fmt.Sprintf("1764000000.%06d", i) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	jsonErr := json.Unmarshal(raw, &body)
	str := func(k string) string { v, _ := body[k].(string); return v }
	call := Call{Method: method, Channel: str("channel"), TS: str("ts"), ThreadTS: str("thread_ts"), Text: str("text"), Body: body}

	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(status int, v map[string]any, retryAfter string) {
		if e, ok := v["error"].(string); ok {
			call.Answer = e
		} else {
			call.Answer = "ok"
		}
		s.calls = append(s.calls, call)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(code string) { answer(http.StatusOK, map[string]any{"ok": false, "error": code}, "") }

	if queued := s.failures[method]; len(queued) > 0 {
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
		s.next++
		call.TS = ts(s.next)
		s.messages[call.Channel+"/"+call.TS] = &Message{Channel: call.Channel, TS: call.TS, ThreadTS: call.ThreadTS, Body: body}
		answer(http.StatusOK, map[string]any{"ok": true, "channel": call.Channel, "ts": call.TS}, "")
	case method == "chat.update":
		m, ok := s.messages[call.Channel+"/"+call.TS]
		if !ok {
			fail("message_not_found")
			return
		}
		m.Body = body
		m.Edits++
		answer(http.StatusOK, map[string]any{"ok": true, "channel": call.Channel, "ts": call.TS}, "")
	default:
		fail("unknown_method")
	}
}
