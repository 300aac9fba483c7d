package settings

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"

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
		if !ours || slices.Contains(known, key) {
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
		r.fail(key, "unknown key%s: the program would ignore it. Remove it (pulumi config rm %s); the keys are %s", hint, key, strings.Join(known, ", "))
	}
}
