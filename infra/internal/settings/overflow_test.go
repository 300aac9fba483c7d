package settings

import (
	"strings"
	"testing"
)

// TestOverflowWindow: the default for every webhook destination (and the webhookUrl shorthand);
// a window per destination, as a number or its text; refused outside 1..300 seconds, of the wrong
// type, naming the key; a Slack app destination has its overflow queue and window too.
func TestOverflowWindow(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		s := mustLoad(t, base(nil), "webhookUrl")
		d := s.Destinations[0]
		expectEq(t, "overflow", d.Overflow(), true)
		expectEq(t, "window", d.OverflowWindow(), DefaultOverflowWindowSeconds)
	})
	for _, value := range []string{"10", `"10"`} {
		t.Run("set "+value, func(t *testing.T) {
			s := mustLoad(t, destinationsOf(`{"name":"team","webhook":"`+slack+`","overflowWindowSeconds":`+value+`}`, `{"name":"ops","webhook":"`+slack+`"}`), "destinations")
			expectEq(t, "team window", s.Destinations[0].OverflowWindow(), 10)
			expectEq(t, "ops window", s.Destinations[1].OverflowWindow(), DefaultOverflowWindowSeconds)
		})
	}
	t.Run("slack app", func(t *testing.T) {
		s := mustLoad(t, destinationsOf(slackAppEntry(map[string]any{"overflowWindowSeconds": 7})), "destinations")
		expectEq(t, "overflow", s.Destinations[0].Overflow(), true)
		expectEq(t, "window", s.Destinations[0].OverflowWindow(), 7)
	})
	tests := []struct {
		entry string
		want  string
	}{
		{`{"name":"team","webhook":"` + slack + `","overflowWindowSeconds":0}`, "destinations[0].overflowWindowSeconds: 0 must be between 1 and 300 seconds"},
		{`{"name":"team","webhook":"` + slack + `","overflowWindowSeconds":301}`, "destinations[0].overflowWindowSeconds: 301 must be between 1 and 300 seconds"},
		{`{"name":"team","webhook":"` + slack + `","overflowWindowSeconds":"soon"}`, `destinations[0].overflowWindowSeconds: "soon" is not a whole number`},
		{`{"name":"team","webhook":"` + slack + `","overflowWindowSeconds":2.5}`, "destinations[0].overflowWindowSeconds: 2.5 is not a whole number"},
		{slackAppEntry(map[string]any{"overflowWindowSeconds": 0}), "destinations[0].overflowWindowSeconds: 0 must be between 1 and 300 seconds"},
		{`{"name":"team","webhook":"` + slack + `","overflowWindow":5}`, "destinations[0].overflowWindow: unknown field (did you mean overflowWindowSeconds?)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			problems := problemsOf(t, destinationsOf(tt.entry), "destinations")
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p, tt.want)
			}
			if !found {
				t.Errorf("problems %q; want one containing %q", problems, tt.want)
			}
		})
	}
}
