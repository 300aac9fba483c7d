package relayconfig

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

// TestLoadHandsOutTypedValues: Load gives the values its checks parsed, in the relay's types, so
// that the relay parses nothing again; a configuration with problems gives none.
func TestLoadHandsOutTypedValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Parsed
		zone string
	}{
		{"defaults", nil, Parsed{Messenger: "", Language: English}, "UTC"},
		{"as written by hand", map[string]string{EnvMessenger: " Slack-App ", EnvTimezone: " Asia/Seoul ", EnvLanguage: "KO", EnvMentions: "@here, S0123ABCD,alice@contoso.com"},
			Parsed{Messenger: messenger.SlackApp, Language: Korean, Mentions: []messenger.Mention{{Slack: "<!here>"}, {Slack: "<!subteam^S0123ABCD>"}, {UPN: "alice@contoso.com"}}}, "Asia/Seoul"},
		{"auto is no messenger yet", map[string]string{EnvMessenger: "AUTO", EnvTimezone: "Europe/Berlin"}, Parsed{Language: English}, "Europe/Berlin"},
		{"teams", map[string]string{EnvMessenger: "teams"}, Parsed{Messenger: messenger.Teams, Language: English}, "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := Load(getenv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got.Location == nil || got.Location.String() != tt.zone {
				t.Errorf("Location %v, want %s", got.Location, tt.zone)
			}
			got.Location = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load = %+v, want %+v", got, tt.want)
			}
		})
	}
	c, got, err := Load(getenv(map[string]string{EnvTimezone: "Asia/Seoul", EnvLanguage: "jp"}))
	if err == nil || !reflect.DeepEqual(got, Parsed{}) || c.Timezone != "Asia/Seoul" {
		t.Errorf("with a problem: %+v, %+v, %v; want the Config read, no typed values and the error", c, got, err)
	}
}

// TestResolveIsResolveMessenger: the typed Resolve answers as ResolveMessenger does for the name.
func TestResolveIsResolveMessenger(t *testing.T) {
	hosts := []string{"", "https://hooks.slack.com/services/T/B/X", "https://x.webhook.office.com/webhookb2/a", "https://chat.example.com/x"}
	for _, name := range []string{"auto", "slack", "teams", "teams-legacy", "slack-app"} {
		var m messenger.Messenger
		if name != Auto {
			m = messenger.Messenger(name)
		}
		for _, h := range hosts {
			u := mustURL(t, h)
			want, werr := ResolveMessenger(name, u)
			got, gerr := Resolve(m, u)
			if got != want || (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
				t.Errorf("%s on %q: Resolve = %q, %v; ResolveMessenger = %q, %v", name, h, got, gerr, want, werr)
			}
		}
	}
}

// mustURL parses raw; "" is no webhook (nil).
func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
