package secretmask

import (
	"runtime"
	"strings"
	"testing"
)

// allocated is the bytes f allocates (a count, not a timing: the same on every machine).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Mask's work grows with the answer, not with the answer times the copies of a secret in it: a
// 64 KB answer (what the Slack Web API client reads) that repeats the token a thousand times
// must not cost a copy of the rest of the answer per copy found.
func TestMaskCostGrowsLinearly(t *testing.T) {
	body := strings.Repeat(token+" ", (64<<10)/(len(token)+1))
	var got string
	n := allocated(func() { got = Mask(body, []string{hook, token}, []string{"[webhook]", "[slack token]"}) })
	if strings.Contains(got, token) {
		t.Fatal("a copy of the token was left")
	}
	if limit := uint64(48 * len(body)); n > limit {
		t.Errorf("Mask of %d bytes holding %d tokens allocated %d bytes (%.0f per byte of answer), want at most %d",
			len(body), strings.Count(body, token), n, float64(n)/float64(len(body)), limit)
	}
}
