package stormtest

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

var emojiStates = map[string]string{"🔴": "ALARM", "✅": "OK", "⚪": "INSUFFICIENT_DATA"}

// digestLine is a Slack digest line: "🔴 <console|name> · …".
var digestLine = regexp.MustCompile(`^(🔴|✅|⚪) <[^|<>]*\|([^<>]*)>`)

// ReadSlack is what a Slack payload shows, as a person reads it: alarm name → state, from a
// single alarm message ("🔴 ALARM: name" in the header) or a digest (one line per alarm).
func ReadSlack(payload []byte) map[string]string {
	var msg struct {
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
		Attachments []struct {
			Blocks []struct {
				Type string `json:"type"`
				Text *struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		} `json:"attachments"`
	}
	out := map[string]string{}
	if json.Unmarshal(payload, &msg) != nil || len(msg.Blocks) == 0 || msg.Blocks[0].Text == nil {
		return out
	}
	header := msg.Blocks[0].Text.Text
	if emoji, rest, ok := strings.Cut(header, " "); ok && emojiStates[emoji] != "" {
		if _, name, ok := strings.Cut(rest, ": "); ok {
			out[name] = emojiStates[emoji]
		}
		return out
	}
	for _, a := range msg.Attachments {
		for _, b := range a.Blocks {
			if b.Type != "section" || b.Text == nil {
				continue
			}
			for _, line := range strings.Split(b.Text.Text, "\n") {
				if m := digestLine.FindStringSubmatch(line); m != nil {
					out[unescape(m[2])] = emojiStates[m[1]]
				}
			}
		}
	}
	return out
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// Chat is a Slack webhook that takes one post per Interval (429 with Retry-After: 1 beyond it,
// as Slack answers a flood) and keeps what a person would see: the accepted posts in order, and
// for each alarm the state the channel shows last.
type Chat struct {
	Interval time.Duration // 1 s: Slack's one message per second

	mu       sync.Mutex
	last     time.Time // the last accepted post
	accepted int
	refused  int
	showing  map[string]string    // alarm → state it shows last
	shownAt  map[string]time.Time // alarm → when its current line was posted
	times    map[string]int       // "alarm state" → posts showing it
	gaps     []time.Duration      // between accepted posts
}

// NewChat is a webhook taking one post a second.
func NewChat() *Chat {
	return &Chat{Interval: time.Second, showing: map[string]string{}, shownAt: map[string]time.Time{}, times: map[string]int{}}
}

func (c *Chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if !c.last.IsZero() && now.Sub(c.last) < c.Interval {
		c.refused++
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "rate_limited")
		return
	}
	if !c.last.IsZero() {
		c.gaps = append(c.gaps, now.Sub(c.last))
	}
	c.last = now
	c.accepted++
	for name, state := range ReadSlack(raw) {
		c.showing[name], c.shownAt[name] = state, now
		c.times[name+" "+state]++
	}
	io.WriteString(w, "ok")
}

// Report is what the channel shows against what happened.
type Report struct {
	Posts, Refused int
	AllVisible     time.Time // when the last alarm's newest state was posted; zero if some never were
	Missing        []string  // alarms whose newest state the channel does not show last
	Duplicated     []string  // "alarm state" shown by more than one post
	MinGap         time.Duration
}

// Check compares the channel with each alarm's newest state.
func (c *Chat) Check(newest map[string]string) Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := Report{Posts: c.accepted, Refused: c.refused}
	for name, state := range newest {
		if c.showing[name] != state {
			r.Missing = append(r.Missing, name+" "+state+" (shows "+c.showing[name]+")")
			continue
		}
		if c.shownAt[name].After(r.AllVisible) {
			r.AllVisible = c.shownAt[name]
		}
	}
	for k, n := range c.times {
		if n > 1 {
			r.Duplicated = append(r.Duplicated, k)
		}
	}
	if len(r.Missing) > 0 {
		r.AllVisible = time.Time{}
	}
	for i, g := range c.gaps {
		if i == 0 || g < r.MinGap {
			r.MinGap = g
		}
	}
	return r
}

// Posts is how many posts the channel took.
func (c *Chat) Posts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accepted
}
