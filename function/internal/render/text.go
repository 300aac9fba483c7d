package render

import (
	"strings"
	"unicode/utf8"

	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// ellipsis marks a cut the same way as clip does for logs and AWS names.
const ellipsis = clip.Ellipsis

// truncate keeps s within limit characters (runes, as Slack and Teams count them), ending a cut
// text with an ellipsis so that a reader knows there was more. Invalid UTF-8 is replaced, so the
// result always encodes as the same JSON string. Only the part kept is looked at: a megabyte of
// input costs no more than the limit.
func truncate(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if head := runePrefix(s, limit); len(head) == len(s) {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ToValidUTF8(runePrefix(s, limit-1), "\uFFFD") + ellipsis
}

// runePrefix is s up to its first n runes (each invalid byte counting as one).
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
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
	// Every character takes at least one of limit: what lies beyond limit+1 of them cannot show.
	head := runePrefix(s, limit+1)
	more := len(head) < len(s)
	s = strings.ToValidUTF8(head, "\uFFFD")
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
	if total > limit || more {
		budget = limit - 1 // room for the ellipsis
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	n := 0
	for _, r := range s {
		w := width(r)
		if n+w > budget {
			more = true
			break
		}
		if e, ok := mrkdwnEscape(r); ok {
			b.WriteString(e)
		} else {
			b.WriteRune(r)
		}
		n += w
	}
	if more {
		b.WriteString(ellipsis)
	}
	return b.String()
}

// jsonSize is how many bytes s takes inside a JSON string as Render encodes it (HTML characters
// are not escaped; control characters, quotes, backslashes, U+2028 and U+2029 are).
func jsonSize(s string) int {
	n := 0
	for _, r := range s {
		n += jsonRuneSize(r)
	}
	return n
}

func jsonRuneSize(r rune) int {
	switch {
	case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
		return 2
	case r < 0x20 || r == '\u2028' || r == '\u2029':
		return 6 // \u00XX; Go writes \b and \f in 2, so this is an upper bound
	}
	return utf8.RuneLen(r)
}

// fitJSON keeps s within budget bytes once encoded as a JSON string (quotes aside), ending a cut
// text with an ellipsis. It cuts between characters, so never inside a character or an escape.
func fitJSON(s string, budget int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if jsonSize(s) <= budget {
		return s
	}
	room := budget - len(ellipsis)
	if room <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		w := jsonRuneSize(r)
		if n+w > room {
			return s[:i] + ellipsis
		}
		n += w
	}
	return s
}
