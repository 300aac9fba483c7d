package secretmask

import (
	"strings"
	"testing"
)

// BenchmarkMask: a 4 KB answer (what deliver reads at most) in the spellings that cost most.
func BenchmarkMask(b *testing.B) {
	for name, body := range map[string]string{
		"plain":        strings.Repeat("invalid_payload ", 256),
		"percent":      strings.Repeat("%25", 1365),
		"tokens":       strings.Repeat(token+" ", 4096/len(token)),
		"json escapes": strings.Repeat(`\u0041`, 682),
	} {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				Mask(body, []string{hook, token}, []string{"[webhook]", "[slack token]"})
			}
		})
	}
}
