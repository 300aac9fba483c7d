package slackapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
)

// A post whose answer was lost is not retried (chat.postMessage is not idempotent): it is
// reported as ErrOutcomeUnknown, and Find finds it by its metadata. Issue 17, item 1.
func TestLostPostIsFoundNotRetried(t *testing.T) {
	for _, fault := range []struct {
		name string
		f    slacktest.Failure
	}{{"connection dropped after the post", slacktest.Failure{Lose: true}}, {"ok without ts", slacktest.Failure{NoTS: true}}} {
		t.Run(fault.name, func(t *testing.T) {
			s := slacktest.New(t, secret, channel)
			c, _ := client(t, s.URL)
			since := time.Now()
			s.Fail("chat.postMessage", fault.f)
			meta := &slackapi.Metadata{EventType: "alarm_relay_incident", Payload: map[string]string{"post": "p-1"}}
			_, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Text: "hello", Metadata: meta})
			if !errors.Is(err, slackapi.ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
			}
			if roots := s.Roots(channel); len(roots) != 1 {
				t.Fatalf("%d roots: the post was retried blindly (or never made)", len(roots))
			}
			lookup := slackapi.Lookup{Channel: channel, Since: since, EventType: "alarm_relay_incident", PostKey: "post", PostID: "p-1"}
			ts, err := c.Find(context.Background(), lookup)
			if err != nil || ts != s.Roots(channel)[0].TS {
				t.Errorf("find: %q, %v; want %s", ts, err, s.Roots(channel)[0].TS)
			}
			lookup.PostID = "p-2"
			if ts, err := c.Find(context.Background(), lookup); err != nil || ts != "" {
				t.Errorf("find another id: %q, %v", ts, err)
			}
		})
	}
	t.Run("a reply is found in its thread", func(t *testing.T) {
		s := slacktest.New(t, secret, channel)
		c, _ := client(t, s.URL)
		root, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Text: "root"})
		if err != nil {
			t.Fatal(err)
		}
		meta := &slackapi.Metadata{EventType: "alarm_relay_incident", Payload: map[string]string{"post": "r-1"}}
		reply, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, ThreadTS: root.TS, Text: "reply", Metadata: meta})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := c.Find(context.Background(), slackapi.Lookup{Channel: channel, ThreadTS: root.TS, Since: time.Now().Add(-time.Minute), EventType: "alarm_relay_incident", PostKey: "post", PostID: "r-1"})
		if err != nil || ts != reply.TS {
			t.Errorf("find: %q, %v; want %s", ts, err, reply.TS)
		}
	})
	t.Run("without the history scope", func(t *testing.T) {
		s := slacktest.New(t, secret, channel)
		s.NoHistory = true
		c, _ := client(t, s.URL)
		_, err := c.Find(context.Background(), slackapi.Lookup{Channel: channel, EventType: "e", PostKey: "post", PostID: "x"})
		if !errors.Is(err, slackapi.ErrNoHistoryScope) || strings.Contains(err.Error(), secret) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a refused connection is retried: nothing was sent", func(t *testing.T) {
		c, _ := client(t, "http://127.0.0.1:1/api/")
		_, err := c.PostMessage(context.Background(), slackapi.Message{Channel: channel, Text: "hello"})
		var serr *slackapi.Error
		if !errors.As(err, &serr) || serr.Attempts < 2 || errors.Is(err, slackapi.ErrOutcomeUnknown) {
			t.Errorf("err = %v", err)
		}
	})
}
