// Package clip shortens text to a number of bytes without splitting a character: for log lines
// and error messages (an AWS error or a server's answer can be kilobytes long, and a log line
// should stay one readable line), and for AWS names and descriptions, whose limits are in bytes
// (a Korean character is three). The relay and the stack share it.
package clip

import (
	"strings"
	"unicode/utf8"
)

// Ellipsis marks a cut, here and wherever the relay shortens a text for a platform limit.
const Ellipsis = "…"

// String keeps s within limit bytes, as valid UTF-8, ending a cut text with an ellipsis. It never
// cuts inside a character.
func String(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= limit {
		return s
	}
	cut := limit - len(Ellipsis)
	if cut <= 0 {
		return ""
	}
	return Prefix(s, cut) + Ellipsis
}

// Prefix is s cut to at most n bytes without splitting a character, with no mark of the cut: for
// names that carry their own (a hash of the whole, say).
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Error is err with its text shortened to limit bytes; errors.Is and errors.As still see err.
func Error(err error, limit int) error {
	if err == nil {
		return nil
	}
	return &shortError{text: String(err.Error(), limit), err: err}
}

type shortError struct {
	text string
	err  error
}

func (e *shortError) Error() string { return e.text }
func (e *shortError) Unwrap() error { return e.err }
