package settings

import "testing"

// TestLookAlikeKeys: a key that differs from a known one only by a character that looks the same
// (Cyrillic М for Latin M, a zero-width space, a trailing space) reads like the known key in an
// error. The error names the odd character, suggests the key, and quotes the key in the command
// that removes it (unquoted, the shell drops a trailing space and `config rm` removes another key).
func TestLookAlikeKeys(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"Cyrillic letter", base(map[string]string{"latencyThresholdМs": "500"}),
			`latencyThresholdМs: unknown key (did you mean latencyThresholdMs?): "latencyThresholdМs" holds 'М' (U+041C), not a character of any key. The program would ignore it. Remove it (pulumi config rm 'latencyThresholdМs')`},
		{"zero-width space", base(map[string]string{"latencyThresholdMs\u200b": "500"}),
			`latencyThresholdMs` + "\u200b" + `: unknown key (did you mean latencyThresholdMs?): "latencyThresholdMs\u200b" holds U+200B, not a character of any key. The program would ignore it. Remove it (pulumi config rm 'latencyThresholdMs` + "\u200b" + `')`},
		{"trailing space", base(map[string]string{"latencyThresholdMs ": "500"}),
			`latencyThresholdMs : unknown key (did you mean latencyThresholdMs?): "latencyThresholdMs " holds ' ' (U+0020), not a character of any key. The program would ignore it. Remove it (pulumi config rm 'latencyThresholdMs ')`},
		{"two Cyrillic letters in a field", base(map[string]string{"webhookUrl": "", "destinations": `[{"name":"team","webhооk":"` + slack + `"}]`}),
			`destinations[0].webhооk: unknown field (did you mean webhook?): "webhооk" holds 'о' (U+043E), not a character of any field; allowed: name, webhook,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hasProblem(t, problemsOf(t, tt.config, "webhookUrl", "destinations"), tt.want)
		})
	}
	// A plain misspelling reads as before, with the key bare in the command.
	hasProblem(t, problemsOf(t, base(map[string]string{"latencyTresholdMs": "500"}), "webhookUrl"),
		"latencyTresholdMs: unknown key (did you mean latencyThresholdMs?): the program would ignore it. Remove it (pulumi config rm latencyTresholdMs)")
}
