package secretmask

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkMask: a 4 KB answer (what deliver reads at most) and a 64 KB one (what the Slack Web
// API client reads at most) in the spellings that cost most. ns/op should grow with the size, not
// with its square.
func BenchmarkMask(b *testing.B) {
	kinds := []struct {
		name string
		unit string
	}{
		{"plain", "invalid_payload "},
		{"percent", "%25"},
		{"tokens", token + " "},
		{"json escapes", `\u0041`},
		{"entities", "&amp;"},
		{"almost tokens", token[:len(token)-1] + " "},
	}
	for _, size := range []int{4 << 10, 64 << 10} {
		for _, k := range kinds {
			body := strings.Repeat(k.unit, size/len(k.unit))
			b.Run(fmt.Sprintf("%s/%dKB", k.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for range b.N {
					Mask(body, []string{hook, token}, []string{"[webhook]", "[slack token]"})
				}
			})
		}
	}
}
