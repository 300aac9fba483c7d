package stormtest

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/slacktest"
)

// SlackAppReport is what a Slack app destination's channel shows after a storm, read from the
// scripted Web API's calls as a person would have seen them, in order.
type SlackAppReport struct {
	Report
	Roots, Replies, Updates int // accepted posts (roots, thread replies) and edits
	Limited                 int // calls answered ratelimited
	// RootsTwice names root posts made twice (the same metadata post id on two messages).
	RootsTwice []string
}

// ReadSlackApp replays the accepted chat.postMessage and chat.update calls of channel and compares
// what its messages show last with each alarm's newest state: an alarm is visible once every
// message showing it shows its newest state (an older root left red would mislead), and
// Duplicated names alarms shown by more than one message.
func ReadSlackApp(s *slacktest.Server, channel string, newest map[string]string) SlackAppReport {
	var r SlackAppReport
	shows := map[string]map[string]string{} // message ts → alarm → state
	correctSince := map[string]time.Time{}  // alarm → since when every message shows its newest state
	postIDs := map[string]int{}

	var posts []time.Time
	for _, c := range s.Calls() {
		if c.Channel != channel {
			continue
		}
		if c.Answer == "ratelimited" {
			r.Limited++
		}
		if c.Answer != "ok" {
			continue
		}
		switch c.Method {
		case "chat.postMessage":
			posts = append(posts, c.At)
			if c.ThreadTS != "" {
				r.Replies++
				continue
			}
			r.Roots++
			if meta, ok := c.Body["metadata"].(map[string]any); ok {
				if p, ok := meta["event_payload"].(map[string]any); ok {
					postIDs[fmt.Sprint(p["post"])]++
				}
			}
		case "chat.update":
			r.Updates++
		default:
			continue
		}
		raw, _ := json.Marshal(c.Body)
		shows[c.TS] = ReadSlack(raw)

		for alarm, want := range newest {
			if agreed(shows, alarm) == want {
				if correctSince[alarm].IsZero() {
					correctSince[alarm] = c.At
				}
			} else {
				delete(correctSince, alarm)
			}
		}
	}
	r.Posts = r.Roots + r.Replies
	for alarm, want := range newest {
		if got := agreed(shows, alarm); got != want {
			r.Missing = append(r.Missing, fmt.Sprintf("%s %s (shows %q)", alarm, want, got))
			continue
		}
		if correctSince[alarm].After(r.AllVisible) {
			r.AllVisible = correctSince[alarm]
		}
		n := 0
		for _, m := range shows {
			if _, ok := m[alarm]; ok {
				n++
			}
		}
		if n > 1 {
			r.Duplicated = append(r.Duplicated, fmt.Sprintf("%s (in %d messages)", alarm, n))
		}
	}
	if len(r.Missing) > 0 {
		r.AllVisible = time.Time{}
	}
	for id, n := range postIDs {
		if n > 1 {
			r.RootsTwice = append(r.RootsTwice, id)
		}
	}
	sort.Slice(posts, func(i, j int) bool { return posts[i].Before(posts[j]) })
	for i := 1; i < len(posts); i++ {
		if g := posts[i].Sub(posts[i-1]); i == 1 || g < r.MinGap {
			r.MinGap = g
		}
	}
	return r
}

// agreed is the state every message showing alarm shows; "" when none does or they differ.
func agreed(shows map[string]map[string]string, alarm string) string {
	state := ""
	for _, m := range shows {
		s, ok := m[alarm]
		if !ok {
			continue
		}
		if state != "" && s != state {
			return ""
		}
		state = s
	}
	return state
}
