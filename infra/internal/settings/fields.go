package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// entry is one element of a structured key (alarms[2], destinations[0]) read field by field, so
// that a field of the wrong type is one problem and does not hide the entry's others.
//
// Values come as the stack file holds them. `pulumi config set --path` stores "1200" as a number
// and "true" as a boolean but "2.5" and "0123" as strings, so numbers, booleans and strings are
// each accepted where they can only mean one thing.
type entry struct {
	r      *reader
	path   string // "alarms[2]"
	fields map[string]json.RawMessage
	secret map[string]bool // fields whose value is never shown
}

// entry reads one list element as an object whose fields are among allowed.
func (r *reader) entry(path string, data json.RawMessage, allowed []string, secret ...string) (*entry, bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		r.fail(path, "%s is not an object: write it as {%s: ...}", typeOf(data), allowed[0])
		return nil, false
	}
	e := &entry{r: r, path: path, fields: fields, secret: map[string]bool{}}
	for _, s := range secret {
		e.secret[s] = true
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if slices.Contains(allowed, name) {
			continue
		}
		hint := ""
		if near := nearest(name, allowed); near != "" {
			hint = " (did you mean " + near + "?)"
		}
		odd := ""
		if chars := oddChars(name); chars != "" {
			odd = fmt.Sprintf(": %q holds %s, not a character of any field", name, chars)
		}
		r.fail(path+"."+name, "unknown field%s%s; allowed: %s", hint, odd, strings.Join(allowed, ", "))
	}
	return e, true
}

func (e *entry) key(name string) string { return e.path + "." + name }

// shown is a value as an error may print it: never a secret field's, and not too long.
func (e *entry) shown(name string, raw json.RawMessage) string {
	if e.secret[name] {
		return "the value (not shown: it is a secret)"
	}
	s := string(bytes.TrimSpace(raw))
	if len(s) > 80 {
		s = clip.Prefix(s, 77) + "..."
	}
	return s
}

func (e *entry) raw(name string) (json.RawMessage, bool) {
	v, ok := e.fields[name]
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return nil, false
	}
	return v, true
}

// has tells whether the field is set.
func (e *entry) has(name string) bool {
	_, ok := e.raw(name)
	return ok
}

// str reads a text field; a number is taken as its text (stage 2024, name 123).
func (e *entry) str(name string) string {
	s, _ := e.optStr(name)
	return s
}

func (e *entry) optStr(name string) (string, bool) {
	raw, ok := e.raw(name)
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	e.r.fail(e.key(name), "%s is %s: write text", e.shown(name, raw), typeOf(raw))
	return "", false
}

// num reads a number, or text holding one ("2.5").
func (e *entry) num(name, what string) *float64 {
	return scalar(e, name, parseFinite, "not a number: write "+what)
}

// whole reads a whole number, or text holding one.
func (e *entry) whole(name, what string) *int {
	return scalar(e, name, strconv.Atoi, "not a whole number: write "+what)
}

// boolean reads true or false, or the text "true" or "false".
func (e *entry) boolean(name string) *bool {
	return scalar(e, name, strconv.ParseBool, "not true or false")
}

// scalar reads a field as a JSON value of type T, or as text that parse reads as one; nil when
// the field is unset or neither (problem says what it is not: "not a whole number: write 3").
func scalar[T any](e *entry, name string, parse func(string) (T, error), problem string) *T {
	raw, ok := e.raw(name)
	if !ok {
		return nil
	}
	var v T
	if json.Unmarshal(raw, &v) == nil {
		return &v
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, err := parse(strings.TrimSpace(s)); err == nil {
			return &v
		}
	}
	e.r.fail(e.key(name), "%s is %s", e.shown(name, raw), problem)
	return nil
}

// parseFinite reads a number other than infinity or NaN, which strconv accepts and no setting means.
func parseFinite(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return f, err
}

// list reads a list of text, or one comma-separated text ("@here, S0123ABCD").
func (e *entry) list(name string) []string {
	raw, ok := e.raw(name)
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		var out []string
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
		return out
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		e.r.fail(e.key(name), "%s is %s: write a list such as [a, b] or the text \"a, b\"", e.shown(name, raw), typeOf(raw))
		return nil
	}
	var out []string
	for i, item := range items {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(item, &s) == nil:
			out = append(out, s)
		case json.Unmarshal(item, &n) == nil:
			out = append(out, n.String())
		default:
			e.r.fail(fmt.Sprintf("%s[%d]", e.key(name), i), "%s is %s: write text", e.shown(name, item), typeOf(item))
		}
	}
	return out
}

// texts reads an object of text values ({FunctionName: checkout}); numbers are taken as text.
func (e *entry) texts(name string) map[string]string {
	raw, ok := e.raw(name)
	if !ok {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		e.r.fail(e.key(name), "%s is %s: write an object such as {Name: value}", e.shown(name, raw), typeOf(raw))
		return nil
	}
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(v, &s) == nil:
			out[k] = s
		case json.Unmarshal(v, &n) == nil:
			out[k] = n.String()
		default:
			e.r.fail(e.key(name)+"."+k, "%s is %s: write text", e.shown(name, v), typeOf(v))
		}
	}
	return out
}

// typeOf names a JSON value's type the way a YAML user reads it.
func typeOf(raw json.RawMessage) string {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 {
		return "empty"
	}
	switch s[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "text"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// nearest is the allowed name closest to a misspelt one, or "" when none is close.
func nearest(name string, allowed []string) string {
	best, bestDist := "", 3
	lower := strings.ToLower(name)
	for _, a := range allowed {
		la := strings.ToLower(a)
		if d := distance(lower, la); d < bestDist {
			best, bestDist = a, d
		} else if bestDist > 1 && len(la) >= 4 && (strings.HasPrefix(lower, la) || strings.HasPrefix(la, lower)) {
			best, bestDist = a, 2 // thresholdMs → threshold
		}
	}
	return best
}

// distance is the Levenshtein distance of two short names, in characters: a look-alike letter
// outside ASCII (Cyrillic о for o, two bytes) is one edit away, as it reads.
func distance(as, bs string) int {
	a, b := []rune(as), []rune(bs)
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
