package render

import (
	"strings"
	"unicode/utf8"
)

const ellipsis = "…"

// truncate keeps s within limit characters (runes, as Slack and Teams count them), ending a cut
// text with an ellipsis so that a reader knows there was more. Invalid UTF-8 is replaced, so the
// result always encodes as the same JSON string.
func truncate(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	i, n := 0, 0
	for i = range s {
		if n == limit-1 {
			break
		}
		n++
	}
	return s[:i] + ellipsis
}

// mrkdwnEscape returns the escape of one of the only three characters Slack asks to escape: they
// are how links and mentions (<!channel>, <@U123>) are written, so user text must never carry
// them raw. A switch, not a map: this runs for every character of every message.
func mrkdwnEscape(r rune) (string, bool) {
	switch r {
	case '&':
		return "&amp;", true
	case '<':
		return "&lt;", true
	case '>':
		return "&gt;", true
	}
	return "", false
}

// mrkdwn escapes s for Slack's mrkdwn and keeps the escaped text within limit characters, never
// cutting an escape sequence in half.
func mrkdwn(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	width := func(r rune) int {
		if e, ok := mrkdwnEscape(r); ok {
			return len(e)
		}
		return 1
	}
	total := 0
	for _, r := range s {
		total += width(r)
	}
	budget := limit
	if total > limit {
		budget = limit - 1 // room for the ellipsis
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	n := 0
	for _, r := range s {
		w := width(r)
		if n+w > budget {
			b.WriteString(ellipsis)
			break
		}
		if e, ok := mrkdwnEscape(r); ok {
			b.WriteString(e)
		} else {
			b.WriteRune(r)
		}
		n += w
	}
	return b.String()
}
