package messenger

import (
	"strings"
	"testing"
)

func TestParseMentions(t *testing.T) {
	got, err := ParseMentions(" @here, S0123ABCD ,U024BE7LH, W1A2B3C4D,alice@contoso.com,,@channel")
	if err != nil {
		t.Fatal(err)
	}
	want := []Mention{{Slack: "<!here>"}, {Slack: "<!subteam^S0123ABCD>"}, {Slack: "<@U024BE7LH>"}, {Slack: "<@W1A2B3C4D>"}, {UPN: "alice@contoso.com"}, {Slack: "<!channel>"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mention %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"@everyone", "<!channel>", "team-oncall", "Alice <alice@contoso.com>"} {
		if _, err := ParseMentions(bad); err == nil || !strings.Contains(err.Error(), "is not @here") {
			t.Errorf("ParseMentions(%q) = %v, want an error", bad, err)
		}
	}
}
