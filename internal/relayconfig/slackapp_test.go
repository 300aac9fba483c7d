package relayconfig

import (
	"strings"
	"testing"
	"unicode"
)

func TestCheckSlackToken(t *testing.T) {
	const secret = "xoxb-test-slackapp-AbCdEfGhIjKlMnOp"
	tests := []struct {
		raw, errHas string
	}{
		{secret, ""},
		{"  " + secret + "\n", ""}, // the stack file may keep a trailing newline
		{"xoxb-" + strings.Repeat("a", 250), ""},
		{"", "is empty"},
		{"   ", "is empty"},
		{"xoxp-1234-5678-SECRETuser", `it is a "xoxp-" token`},
		{"xapp-1-SECRET", "must be a bot token starting with xoxb- (the value does not"},
		{"https://hooks.slack.com/services/T0/B0/SECRET", "must be a bot token starting with xoxb-"},
		{"xoxb-" + strings.Repeat("a", 251), "is 256 characters long"},
		{"xoxb-1234 SECRET", "unexpected character at position 10"},
		{"xoxb-1234_SECRET", "unexpected character at position 10"},
		{"xoxb-1234\x00SECRET", "unexpected character at position 10"},
		{"xoxb-1234é", "unexpected character at position 10"},
	}
	for _, tt := range tests {
		err := CheckSlackToken(tt.raw)
		switch {
		case tt.errHas == "" && err != nil:
			t.Errorf("CheckSlackToken(%d bytes): %v", len(tt.raw), err)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("CheckSlackToken(%d bytes) = %v, want an error with %q", len(tt.raw), err, tt.errHas)
		case err != nil && (strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "aaaa")):
			t.Errorf("the error shows the token: %v", err)
		}
	}
}

func FuzzCheckSlackToken(f *testing.F) {
	for _, seed := range []string{"xoxb-1-2-abc", "xoxp-1-2", "xoxb-ä", ""} {
		f.Add(seed)
	}
	// The error may depend on the type prefix, the length and where a bad character is, never on
	// the token's letters and digits: shifting each of them after the prefix changes nothing.
	f.Fuzz(func(t *testing.T, raw string) {
		err := CheckSlackToken(raw)
		if err == nil {
			return
		}
		if other := CheckSlackToken(shift(raw)); other == nil || other.Error() != err.Error() {
			t.Errorf("the error depends on the token's characters:\n%v\n%v", err, other)
		}
	})
}

// shift replaces every ASCII letter and digit after the first five bytes of the trimmed value with
// the next one of its class (z → a).
func shift(raw string) string {
	lead := len(raw) - len(strings.TrimLeftFunc(raw, unicode.IsSpace))
	b := []byte(raw)
	for i := lead + 5; i < len(b); i++ {
		switch c := b[i]; {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+1)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+1)%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+1)%10
		}
	}
	return string(b)
}

func TestCheckSlackChannel(t *testing.T) {
	tests := []struct {
		raw, errHas string
	}{
		{"C0123ABCDEF", ""},
		{"G0123ABCD", ""},
		{" C0123ABCDEF ", ""},
		{"", "is empty"},
		{"#alerts", "looks like a channel name"},
		{"alerts", "looks like a channel name"},
		{"c0123abcdef", "looks like a channel name"},
		{"D0123ABCDEF", "is not a channel id: ids start with C"},
		{"U0123ABCDEF", "is not a channel id"},
		{"C0123", "is not a channel id"},
		{"C" + strings.Repeat("0", 20), "is 21 characters long"},
		{"C" + strings.Repeat("x", 500), "is 501 characters long"},
		{"C0123-ABCDEF", "upper-case letters and digits only"},
		// slackToken and slackChannel swapped, or a webhook pasted: refused without the value.
		{"xoxb-1234-SECRETchannel", "looks like a Slack token or a URL (value not shown"},
		{" XOXB-1234-SECRET ", "looks like a Slack token"},
		{"xoxp-1-SECRET", "looks like a Slack token"},
		{"xapp-1-A0-SECRET", "looks like a Slack token"},
		{"https://hooks.slack.com/services/T0/B0/SECRET", "looks like a Slack token or a URL"},
	}
	for _, tt := range tests {
		err := CheckSlackChannel(tt.raw)
		if tt.errHas == "" && err != nil || tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) {
			t.Errorf("CheckSlackChannel(%q) = %v, want %q", tt.raw, err, tt.errHas)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("CheckSlackChannel shows the secret: %v", err)
		}
	}
}

// FuzzCheckSlackChannel: whatever is pasted, a value that starts like a Slack token is never
// repeated in the error.
func FuzzCheckSlackChannel(f *testing.F) {
	for _, seed := range []string{"xoxb-1-SECRET", "XOXP-1", " xapp-1-A", "#alerts", "C0123ABCDEF"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s := strings.ToLower(strings.TrimSpace(raw))
		if !strings.HasPrefix(s, "xox") && !strings.HasPrefix(s, "xapp-") {
			return
		}
		if err := CheckSlackChannel(raw); err == nil || strings.Contains(err.Error(), strings.TrimSpace(raw)) {
			t.Errorf("CheckSlackChannel(%q) = %v", raw, err)
		}
	})
}

func TestCheckStateTable(t *testing.T) {
	for name, ok := range map[string]bool{
		"alarm-relay-dev-incidents": true,
		"a.b_C-9":                   true,
		strings.Repeat("t", 255):    true,
		"":                          false,
		"ab":                        false,
		strings.Repeat("t", 256):    false,
		"a b c":                     false,
		"incidents/dev":             false,
		"인시던트":                      false,
	} {
		err := CheckStateTable(name)
		if (err == nil) != ok || err != nil && !strings.Contains(err.Error(), "is not a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _ - .)") {
			t.Errorf("CheckStateTable(%q) = %v, want ok %v", name, err, ok)
		}
	}
}

// TestMissing: a slack-app relay that posts lists every required setting left unset; other
// messengers, and a complete slack-app configuration, have none.
func TestMissing(t *testing.T) {
	envs := func(ps []Problem) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Env)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name string
		c    Config
		want string
	}{
		{"slack-app with nothing", Config{Messenger: "Slack-App"}, "SLACK_TOKEN,SLACK_CHANNEL,STATE_TABLE"},
		{"slack-app, spaces only", Config{Messenger: "slack-app", SlackTokenParameter: " ", SlackChannel: " ", StateTable: " "}, "SLACK_TOKEN,SLACK_CHANNEL,STATE_TABLE"},
		{"token from a parameter", Config{Messenger: "slack-app", SlackTokenParameter: "/x/token", SlackChannel: "C0123ABCDEF"}, "STATE_TABLE"},
		{"complete", Config{Messenger: "slack-app", SlackToken: "xoxb-1", SlackChannel: "C0123ABCDEF", StateTable: "incidents"}, ""},
		{"a webhook messenger", Config{Messenger: "slack"}, ""},
		{"auto", Config{}, ""},
	}
	for _, tt := range tests {
		if got := envs(tt.c.Missing()); got != tt.want {
			t.Errorf("%s: missing %q, want %q", tt.name, got, tt.want)
		}
	}
}
