// Package secretmask finds a secret in a server's answer however the server spelled it:
// percent-encoded (fully, partly, twice), with JSON or C escapes (\u002d, \/, \x2d), as HTML
// character references (&#45;, &#x2D;, &amp;), or in another case. Both the answer and the secret
// are brought to one canonical spelling (all of that undone, repeatedly, then ASCII lower-cased)
// and compared there; each match is traced back to the bytes of the answer that spelled it, and
// those are masked. Nothing a server says is printed before it passed through here.
package secretmask

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// minCanonical is the shortest canonical secret looked for: shorter ones would mask ordinary words.
const minCanonical = 6

// maxPasses bounds the decoding rounds (%25252D needs three); each round only shortens the text.
const maxPasses = 6

// span is where a canonical byte came from in the original text: [start, end).
type span struct{ start, end int }

// canonical is a text in its canonical spelling, with each byte's origin in the original.
type canonical struct {
	text []byte
	from []span
}

// Canonical is s in the canonical spelling (for tests and callers that compare).
func Canonical(s string) string { return string(canonicalize(s).text) }

func canonicalize(s string) canonical {
	c := canonical{text: []byte(s), from: make([]span, len(s))}
	for i := range s {
		c.from[i] = span{i, i + 1}
	}
	for range maxPasses {
		next, changed := c.decodeOnce()
		c = next
		if !changed {
			break
		}
	}
	for i, b := range c.text {
		if 'A' <= b && b <= 'Z' {
			c.text[i] = b + 'a' - 'A'
		}
	}
	return c
}

// decodeOnce undoes one layer of every escape it knows.
func (c canonical) decodeOnce() (canonical, bool) {
	out := canonical{text: make([]byte, 0, len(c.text)), from: make([]span, 0, len(c.text))}
	changed := false
	emit := func(decoded []byte, i, n int) { // decoded replaces c.text[i:i+n]
		origin := span{c.from[i].start, c.from[i+n-1].end}
		for _, b := range decoded {
			out.text = append(out.text, b)
			out.from = append(out.from, origin)
		}
	}
	for i := 0; i < len(c.text); {
		if decoded, n := escapeAt(c.text[i:]); n > 0 {
			emit(decoded, i, n)
			i += n
			changed = true
			continue
		}
		out.text = append(out.text, c.text[i])
		out.from = append(out.from, c.from[i])
		i++
	}
	return out, changed
}

// escapeAt decodes the escape at the start of t, if any: what it stands for and its length.
func escapeAt(t []byte) ([]byte, int) {
	if len(t) < 2 {
		return nil, 0
	}
	switch t[0] {
	case '%': // %2D
		if len(t) >= 3 && isHex(t[1]) && isHex(t[2]) {
			return []byte{unhex(t[1])<<4 | unhex(t[2])}, 3
		}
	case '\\':
		switch t[1] {
		case '/': // JSON's \/
			return []byte{'/'}, 2
		case 'u', 'U': // \u002d
			if len(t) >= 6 && allHex(t[2:6]) {
				r, _ := strconv.ParseUint(string(t[2:6]), 16, 32)
				return utf8.AppendRune(nil, rune(r)), 6
			}
		case 'x', 'X': // \x2d
			if len(t) >= 4 && allHex(t[2:4]) {
				return []byte{unhex(t[2])<<4 | unhex(t[3])}, 4
			}
		}
	case '&':
		return entityAt(t)
	}
	return nil, 0
}

var namedEntities = map[string]byte{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "sol": '/', "colon": ':', "quest": '?', "equals": '=', "hyphen": '-', "dash": '-', "period": '.', "lowbar": '_', "percnt": '%', "num": '#'}

// entityAt decodes an HTML character reference: &#45; &#x2D; &amp; (the ; is required).
func entityAt(t []byte) ([]byte, int) {
	end := slices.Index(t[:min(len(t), 12)], ';')
	if end < 2 {
		return nil, 0
	}
	name := string(t[1:end])
	if name[0] == '#' {
		digits, base := name[1:], 10
		if len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X') {
			digits, base = digits[1:], 16
		}
		r, err := strconv.ParseUint(digits, base, 32)
		if err != nil || digits == "" || r > utf8.MaxRune {
			return nil, 0
		}
		return utf8.AppendRune(nil, rune(r)), end + 1
	}
	if b, ok := namedEntities[strings.ToLower(name)]; ok {
		return []byte{b}, end + 1
	}
	return nil, 0
}

func isHex(b byte) bool { return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' }

func allHex(t []byte) bool {
	for _, b := range t {
		if !isHex(b) {
			return false
		}
	}
	return true
}

func unhex(b byte) byte {
	switch {
	case b >= 'a':
		return b - 'a' + 10
	case b >= 'A':
		return b - 'A' + 10
	}
	return b - '0'
}

// Mask replaces every part of s that spells one of secrets, in any spelling Canonical undoes, by
// marks[i] of the secret found (the lowest i where matches overlap; marks may be shorter than
// secrets, the last mark then stands for the rest). A secret whose canonical form is shorter than
// six bytes is masked only as written: in other spellings it would match ordinary words.
func Mask(s string, secrets []string, marks []string) string {
	if s == "" || len(secrets) == 0 || len(marks) == 0 {
		return s
	}
	c := canonicalize(s)
	type hit struct {
		span
		secret int
	}
	var hits []hit
	for i, secret := range secrets {
		want := []byte(Canonical(secret))
		if len(want) < minCanonical {
			// Too short to look for in other spellings; as written it is still masked.
			for at := 0; secret != ""; {
				j := strings.Index(s[at:], secret)
				if j < 0 {
					break
				}
				hits = append(hits, hit{span{at + j, at + j + len(secret)}, i})
				at += j + 1
			}
			continue
		}
		for at := 0; at+len(want) <= len(c.text); {
			j := bytesIndex(c.text[at:], want)
			if j < 0 {
				break
			}
			a, b := at+j, at+j+len(want)-1
			hits = append(hits, hit{span{c.from[a].start, c.from[b].end}, i})
			at = a + 1
		}
	}
	if len(hits) == 0 {
		return s
	}
	slices.SortFunc(hits, func(x, y hit) int { return x.start - y.start })
	var b strings.Builder
	last := 0
	for i := 0; i < len(hits); {
		cur := hits[i]
		for i++; i < len(hits) && hits[i].start < cur.end; i++ { // overlapping: one mask
			cur.end = max(cur.end, hits[i].end)
			cur.secret = min(cur.secret, hits[i].secret)
		}
		b.WriteString(s[last:cur.start])
		b.WriteString(marks[min(cur.secret, len(marks)-1)])
		last = cur.end
	}
	b.WriteString(s[last:])
	return b.String()
}

func bytesIndex(s, sub []byte) int { return strings.Index(string(s), string(sub)) }
