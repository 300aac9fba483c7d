package slacktest

import (
	"net/http"
	"strconv"
	"time"
)

// Rate limits, as Slack enforces them: chat.postMessage about one message a second per channel
// (a short burst aside), chat.update (Tier 3) about one edit a second per message here. Beyond
// them the call is answered HTTP 429, {"ok":false,"error":"ratelimited"} with Retry-After: 1,
// and nothing is posted or edited. Zero intervals (the default) limit nothing.
type limits struct {
	PostInterval   time.Duration // per channel
	UpdateInterval time.Duration // per message

	lastPost   map[string]time.Time // channel → last accepted post
	lastUpdate map[string]time.Time // channel/ts → last accepted edit (or the post)
	limited    int
	postGaps   []time.Duration // between accepted posts of a channel
}

// Limit makes the server refuse posts closer than post in one channel and edits closer than
// update to one message (0: no limit).
func (s *Server) Limit(post, update time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.PostInterval, s.limits.UpdateInterval = post, update
}

// Limited is how many calls were answered ratelimited.
func (s *Server) Limited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.limited
}

// MinPostGap is the shortest time between two accepted posts in one channel (0 with fewer than
// two posts).
func (s *Server) MinPostGap() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var least time.Duration
	for i, g := range s.limits.postGaps {
		if i == 0 || g < least {
			least = g
		}
	}
	return least
}

// overRate answers ratelimited when a post (ts "") or an edit (of ts) comes too soon, and
// otherwise counts it as accepted. Called with s.mu held.
func (s *Server) overRate(method, channel, ts string, answer func(int, map[string]any, string)) bool {
	l := &s.limits
	if l.lastPost == nil {
		l.lastPost, l.lastUpdate = map[string]time.Time{}, map[string]time.Time{}
	}
	now := time.Now()
	key, last, interval := channel+"/"+ts, l.lastUpdate, l.UpdateInterval
	if method == "chat.postMessage" {
		key, last, interval = channel, l.lastPost, l.PostInterval
	}
	if prev, ok := last[key]; ok && interval > 0 && now.Sub(prev) < interval {
		l.limited++
		answer(http.StatusTooManyRequests, map[string]any{"ok": false, "error": "ratelimited"}, "1")
		return true
	}
	if method == "chat.postMessage" {
		if prev, ok := last[key]; ok {
			l.postGaps = append(l.postGaps, now.Sub(prev))
		}
	}
	last[key] = now
	return false
}

// posted starts a new message's edit clock.
func (s *Server) posted(channel, ts string) {
	if s.limits.lastUpdate != nil {
		s.limits.lastUpdate[channel+"/"+ts] = time.Now()
	}
}

// RetryAfterIgnored counts the calls a client made too soon after being told to wait: the same
// method for the same channel, from the same connection, before the Retry-After of an answer it
// got had passed. (Different connections may be different clients, which cannot know; one
// client reusing its connection is the case that counts.)
func (s *Server) RetryAfterIgnored() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for i, told := range s.calls {
		secs, err := strconv.Atoi(told.RetryAfter)
		if err != nil || secs <= 0 {
			continue
		}
		until := told.At.Add(time.Duration(secs) * time.Second)
		for _, c := range s.calls[i+1:] {
			if c.From == told.From && c.Method == told.Method && c.Channel == told.Channel && c.At.Before(until) {
				n++
			}
		}
	}
	return n
}
