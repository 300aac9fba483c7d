package settings

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// KnownKeys are the keys of the project's namespace the program reads: those of Defaults, which
// a test keeps in step with Pulumi.yaml's config block. A new key is one line in Defaults.
func KnownKeys() []string { return slices.Sorted(maps.Keys(Defaults)) }

// unknownKeys refuses every key of the project's namespace that the program does not read: a
// misspelt key (latencyTresholdMs) would otherwise be ignored and its default deployed. The Go
// SDK's Context offers no list of the stack's keys; the CLI hands the program all of them as JSON
// in PULUMI_CONFIG (pulumi.EnvConfig), which is where Context.GetConfig reads them from too.
func (r *reader) unknownKeys() {
	var all map[string]json.RawMessage
	if err := json.Unmarshal([]byte(os.Getenv(pulumi.EnvConfig)), &all); err != nil {
		return // no configuration at all: every key is at its default
	}
	known := KnownKeys()
	for _, full := range slices.Sorted(maps.Keys(all)) {
		key, ours := strings.CutPrefix(full, r.project+":")
		if !ours {
			r.foreignKey(full, known)
			continue
		}
		if slices.Contains(known, key) {
			continue
		}
		// `pulumi config set 'destinations[0].name' team` without --path stores one key of that name.
		if i := strings.IndexAny(key, "[."); i > 0 && slices.Contains(known, key[:i]) {
			r.fail(key, "is a key of its own: without --path, pulumi config set stores %q as one key. Remove it (pulumi config rm '%s') and set it again with --path: pulumi config set --path '%s' ... (add --secret for a webhook or slackToken)",
				key, key, key)
			continue
		}
		hint := ""
		if near := nearest(key, known); near != "" {
			hint = " (did you mean " + near + "?)"
		}
		odd := ""
		if chars := oddChars(key); chars != "" {
			odd = fmt.Sprintf("%q holds %s, not a character of any key. The", key, chars)
		} else {
			odd = "the"
		}
		r.fail(key, "unknown key%s: %s program would ignore it. Remove it (pulumi config rm %s); the keys are %s", hint, odd, shellWord(key), strings.Join(known, ", "))
	}
}

// oddChars names the characters of a key that no key has (none but ASCII letters, digits and the
// marks of a path), each once: a look-alike (Cyrillic М for M, a zero-width or trailing space)
// otherwise reads in an error exactly like the key it imitates.
func oddChars(key string) string {
	var names []string
	seen := map[rune]bool{}
	for _, c := range key {
		plain := c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("_-.[]", c))
		if plain || seen[c] {
			continue
		}
		seen[c] = true
		if unicode.IsGraphic(c) {
			names = append(names, fmt.Sprintf("%q (U+%04X)", c, c))
		} else {
			names = append(names, fmt.Sprintf("U+%04X", c))
		}
	}
	return strings.Join(names, ", ")
}

// shellWord is a key as a shell command takes it: bare when it is plain, else single-quoted (a
// trailing space or an invisible character survives the copy and paste).
func shellWord(key string) string {
	if key != "" && oddChars(strings.ReplaceAll(key, ":", "")) == "" && !strings.ContainsAny(key, "[]") {
		return key
	}
	return "'" + strings.ReplaceAll(key, "'", `'\''`) + "'"
}

// foreignKey refuses a key of another namespace that is one of the program's keys
// (orders-alarms:alarms, alarm_relay:timezone): a stack file copied from the docs into a project
// named otherwise (pulumi new names it after its directory), or a misspelt namespace, would
// otherwise be ignored whole. The provider's and Pulumi's own namespaces hold none of these keys.
func (r *reader) foreignKey(full string, known []string) {
	ns, key, ok := strings.Cut(full, ":")
	if !ok || ns == "aws" || ns == "pulumi" {
		return
	}
	name := key
	if i := strings.IndexAny(key, "[."); i > 0 {
		name = key[:i]
	}
	if !slices.Contains(known, name) {
		return
	}
	r.fail(full, "the program reads the keys of this project, %s, and ignores this one: set it as %s (pulumi config set %s ..., or %s:%s in Pulumi.%s.yaml) and remove it (pulumi config rm %s)",
		r.project, name, name, r.project, name, r.ctx.Stack(), shellWord(full))
}
