package settings

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// shownSecret stands for a secret value in a problem.
const shownSecret = "the value (a secret, not shown)"

// maskSecrets keeps the value of every key the stack stores as a secret out of the problems,
// whatever the key: a webhook set with --secret on the wrong key (timezone) would otherwise be
// printed by that key's check. A value is masked in its own key's problem however short, and in
// any other problem where it is long enough not to be a common word or number. The structured
// keys are left to their entries, which never show a webhook or a token.
func (r *reader) maskSecrets() {
	for _, key := range KnownKeys() {
		full := r.project + ":" + key
		if !r.ctx.IsConfigSecret(full) || structured[key] {
			continue
		}
		raw, _ := r.ctx.GetConfig(full)
		v := strings.TrimSpace(raw)
		if v == "" {
			continue
		}
		for i, p := range r.problems {
			if p.Key != key && len(v) < 8 {
				continue
			}
			p.Message = maskWord(p.Message, strconv.Quote(v))
			p.Message = maskWord(p.Message, v)
			r.problems[i] = p
		}
	}
}

// structured are the keys whose values are lists of entries.
var structured = map[string]bool{"alarms": true, "destinations": true, "maintenanceWindows": true}

// maskWord replaces each occurrence of v in s that does not continue a word or number on either
// side ("64" in "memoryMb: 64 must be", not in "10640").
func maskWord(s, v string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, v)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(v):])
		if i > 0 && wordRune(before) || i+len(v) < len(s) && wordRune(after) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i] + shownSecret)
		s = s[i+len(v):]
	}
}

func wordRune(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }
