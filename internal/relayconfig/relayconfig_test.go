package relayconfig

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/alarm-relay/alarm-relay/internal/loopback"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

// getenv reads a map as the environment.
func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		config  Config
		problem string // "" for none
	}{
		{"defaults", Config{}, ""},
		{"everything set", Config{Messenger: "teams", Timezone: "Asia/Seoul", Language: "ko", Mentions: "@here, S0123ABCD", Trend: true, WebhookURL: "https://hooks.slack.com/services/T/B/SECRET"}, ""},
		{"names in any case", Config{Messenger: " Teams-Legacy ", Language: "KO", Timezone: " Europe/Berlin "}, ""},
		{"loopback http webhook", Config{WebhookURL: "http://127.0.0.1:8080/SECRET"}, ""},
		{"unknown messenger", Config{Messenger: "discord"}, `MESSENGER: unknown messenger "discord": use one of slack, teams, teams-legacy`},
		{"unknown zone", Config{Timezone: "KST"}, `TIMEZONE: "KST" is not an IANA time zone name (for example Asia/Seoul, Europe/Berlin or UTC)`},
		{"machine's zone", Config{Timezone: "Local"}, `TIMEZONE: "Local" is not an IANA time zone name`},
		{"zone in the wrong case", Config{Timezone: "asia/seoul"}, `TIMEZONE: "asia/seoul" is not an IANA time zone name`},
		{"unknown language", Config{Language: "jp"}, `LANGUAGE: unknown language "jp": use en or ko`},
		{"bad mention", Config{Mentions: "@here,@everyone"}, `MENTIONS: mention "@everyone" is not @here`},
		{"too many mentions", Config{Mentions: strings.Repeat("someone@example.com,", 110)}, "MENTIONS: 2200 bytes of mentions"},
		{"http webhook", Config{WebhookURL: "http://hooks.slack.com/services/SECRET"}, `WEBHOOK_URL: webhook URL must use https (got scheme "http")`},
		{"webhook with credentials", Config{WebhookURL: "https://user:SECRET@hooks.slack.com/services/x"}, "WEBHOOK_URL: webhook URL must not carry user credentials"},
		{"webhook without host", Config{WebhookURL: "hooks.slack.com/services/SECRET"}, "WEBHOOK_URL: webhook URL has no host"},
		{"webhook with a space", Config{WebhookURL: "https://hooks.slack.com/services/T/B/SEC RET"}, "WEBHOOK_URL: webhook URL has a space or an invisible character (U+0020) at character 41 (value not shown: it is a secret)"},
		{"webhook with a line break", Config{WebhookURL: "https://hooks.slack.com/services/T/B/SEC\nRET"}, "WEBHOOK_URL: webhook URL has a space or an invisible character (U+000A)"},
		{"webhook with a zero-width space", Config{WebhookURL: "https://hooks.slack.com/services/T/B/SEC\u200bRET"}, "WEBHOOK_URL: webhook URL has a space or an invisible character (U+200B)"},
		{"webhook with a no-break space", Config{WebhookURL: "https://hooks.slack.com/services/T/B/SEC\u00a0RET"}, "WEBHOOK_URL: webhook URL has a space or an invisible character (U+00A0)"},
		{"malformed webhook", Config{WebhookURL: "https://hooks.slack.com/%zzSECRET"}, "WEBHOOK_URL: webhook URL is malformed"},
		{"slack app", Config{Messenger: "Slack-App", SlackToken: "xoxb-1-2-SECRET", SlackChannel: " C0123ABCDEF ", StateTable: "alarm-relay-dev-incidents", Destination: "oncall"}, ""},
		{"slack app as the stack declares it", Config{Messenger: "slack-app", SlackTokenParameter: "/alarm-relay/dev/oncall/slack-token:3", SlackChannel: "G0123ABCD"}, ""},
		{"user token", Config{Messenger: "slack-app", SlackToken: "xoxp-1-2-SECRET"}, `SLACK_TOKEN: must be a bot token starting with xoxb- (it is a "xoxp-" token`},
		{"webhook as a token", Config{Messenger: "slack-app", SlackToken: "https://hooks.slack.com/services/T/B/SECRET"}, "SLACK_TOKEN: must be a bot token starting with xoxb- (the value does not"},
		{"channel name", Config{Messenger: "slack-app", SlackChannel: "#alerts"}, `SLACK_CHANNEL: "#alerts" looks like a channel name`},
		{"user id as channel", Config{Messenger: "slack-app", SlackChannel: "U0123ABCDEF"}, `SLACK_CHANNEL: "U0123ABCDEF" is not a channel id`},
		{"table name", Config{Messenger: "slack-app", StateTable: "my incidents"}, `STATE_TABLE: "my incidents" is not a DynamoDB table name`},
		{"slack app with a webhook", Config{Messenger: "slack-app", WebhookURL: "https://hooks.slack.com/services/T/B/SECRET"}, "WEBHOOK_URL: messenger slack-app posts with a bot token (SLACK_TOKEN or SLACK_TOKEN_PARAMETER), not a webhook: unset it"},
		{"slack app with a webhook parameter", Config{Messenger: "slack-app", WebhookParameter: "/x/webhook"}, "WEBHOOK_PARAMETER: messenger slack-app posts with a bot token"},
		{"webhook URL and parameter", Config{WebhookURL: "https://hooks.slack.com/services/T/B/SECRET", WebhookParameter: "/alarm-relay/dev/webhook-url"}, "WEBHOOK_URL: is set beside WEBHOOK_PARAMETER: set one of them"},
		{"token and token parameter", Config{Messenger: "slack-app", SlackToken: "xoxb-1-2-SECRET", SlackTokenParameter: "/alarm-relay/dev/oncall/slack-token:3"}, "SLACK_TOKEN: is set beside SLACK_TOKEN_PARAMETER: set one of them"},
		// Another tool's Slack settings in the shell do not stop a webhook's relay.
		{"a webhook beside other Slack settings", Config{Messenger: "slack", SlackToken: "xoxp-1-2-SECRET", SlackChannel: "#alerts", StateTable: "x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := tt.config.Validate()
			if tt.problem == "" {
				if problems != nil {
					t.Fatalf("Validate() = %v, want no problem", problems)
				}
				return
			}
			if len(problems) != 1 || !strings.HasPrefix(problems[0].Error(), tt.problem) {
				t.Fatalf("Validate() = %v, want one problem starting %q", problems, tt.problem)
			}
			if strings.Contains(problems[0].Error(), "SECRET") {
				t.Errorf("problem shows the webhook: %v", problems[0])
			}
		})
	}
}

func TestValidateReportsEverything(t *testing.T) {
	for _, tt := range []struct {
		config Config
		want   []string
	}{
		{Config{Messenger: "discord", Timezone: "Mars", Language: "jp", Mentions: "@everyone", WebhookURL: "ftp://x/SECRET"},
			[]string{EnvMessenger, EnvTimezone, EnvLanguage, EnvMentions, EnvWebhookURL}},
		{Config{Messenger: "slack-app", Timezone: "Mars", Language: "jp", Mentions: "@everyone", WebhookURL: "ftp://x/SECRET", SlackToken: "xoxa-SECRET", SlackChannel: "alerts", StateTable: "t"},
			[]string{EnvTimezone, EnvLanguage, EnvMentions, EnvWebhookURL, EnvSlackToken, EnvSlackChannel, EnvStateTable}},
	} {
		var envs []string
		for _, p := range tt.config.Validate() {
			envs = append(envs, p.Env)
		}
		if !reflect.DeepEqual(envs, tt.want) {
			t.Errorf("problems name %v, want %v", envs, tt.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Config
		err  string
	}{
		{"nothing set", nil, Config{Messenger: "auto", Timezone: "UTC", Language: "en"}, ""},
		{"the stack's", map[string]string{"MESSENGER": "auto", "TIMEZONE": "Asia/Seoul", "LANGUAGE": "ko", "TREND": "on", "MENTIONS": "@here", "WEBHOOK_PARAMETER": "/alarm-relay/dev/webhook-url:3"},
			Config{Messenger: "auto", Timezone: "Asia/Seoul", Language: "ko", Trend: true, Mentions: "@here", WebhookParameter: "/alarm-relay/dev/webhook-url:3"}, ""},
		{"a local run", map[string]string{"MESSENGER": "Slack", "LANGUAGE": " KO", "TREND": "OFF", "WEBHOOK_URL": "https://hooks.slack.com/services/T/B/SECRET"},
			Config{Messenger: "slack", Timezone: "UTC", Language: "ko", WebhookURL: "https://hooks.slack.com/services/T/B/SECRET"}, ""},
		{"the stack's slack app", map[string]string{"MESSENGER": "slack-app", "TIMEZONE": "UTC", "LANGUAGE": "en", "TREND": "off",
			"SLACK_TOKEN_PARAMETER": "/alarm-relay/dev/oncall/slack-token:3", "SLACK_CHANNEL": "C0123ABCDEF", "STATE_TABLE": "alarm-relay-dev-incidents-1a2b3c", "DESTINATION": "oncall"},
			Config{Messenger: "slack-app", Timezone: "UTC", Language: "en", SlackTokenParameter: "/alarm-relay/dev/oncall/slack-token:3", SlackChannel: "C0123ABCDEF",
				StateTable: "alarm-relay-dev-incidents-1a2b3c", Destination: "oncall"}, ""},
		{"a local slack app", map[string]string{"MESSENGER": "SLACK-APP", "SLACK_TOKEN": "xoxb-1-2-SECRET", "SLACK_CHANNEL": " C0123ABCDEF\n", "STATE_TABLE": "incidents", "DESTINATION": " me "},
			Config{Messenger: "slack-app", Timezone: "UTC", Language: "en", SlackToken: "xoxb-1-2-SECRET", SlackChannel: "C0123ABCDEF", StateTable: "incidents", Destination: "me"}, ""},
		{"a channel name", map[string]string{"MESSENGER": "slack-app", "SLACK_CHANNEL": "#alerts", "SLACK_TOKEN": "xoxb-SECRET!"}, Config{Messenger: "slack-app", Timezone: "UTC", Language: "en", SlackChannel: "#alerts", SlackToken: "xoxb-SECRET!"},
			`SLACK_TOKEN: has an unexpected character at position 12; bot tokens hold letters, digits and dashes only (value not shown: it is a secret); SLACK_CHANNEL: "#alerts" looks like a channel name; use the channel's id (C…), shown at the bottom of its details`},
		{"bad trend", map[string]string{"TREND": "maybe"}, Config{Messenger: "auto", Timezone: "UTC", Language: "en"}, `TREND: "maybe" is not on or off`},
		{"two problems", map[string]string{"TIMEZONE": "KST", "TREND": "yes"}, Config{Messenger: "auto", Timezone: "KST", Language: "en"},
			`TIMEZONE: "KST" is not an IANA time zone name (for example Asia/Seoul, Europe/Berlin or UTC); TREND: "yes" is not on or off`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(getenv(tt.env))
			if got != tt.want {
				t.Errorf("FromEnv = %#v, want %#v", got, tt.want) // Secret prints masked: compare fields
				if got.WebhookURL != tt.want.WebhookURL || got.SlackToken != tt.want.SlackToken {
					t.Errorf("a secret differs")
				}
			}
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("FromEnv error: %v", err)
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Errorf("FromEnv error = %v, want %s", err, tt.err)
			}
		})
	}
}

// TestRoundTrip: what the stack writes, the relay reads back as the same configuration, and
// writes again the same way.
func TestRoundTrip(t *testing.T) {
	for _, c := range []Config{
		{},
		{Messenger: "auto", Timezone: "UTC", Language: "en"},
		{Messenger: "TEAMS", Timezone: "America/Argentina/Buenos_Aires", Language: "Ko", Trend: true, Mentions: "@here, S0123ABCD", WebhookParameter: "/p/webhook-url:12"},
		{Messenger: "teams-legacy", Mentions: "alice@contoso.com", WebhookURL: "http://localhost:9/hook"},
		// A Slack app, as the stack declares it and for a local run.
		{Messenger: "slack-app", Timezone: "Asia/Seoul", Language: "ko", Trend: true, Mentions: "@here", SlackTokenParameter: "/alarm-relay/dev/oncall/slack-token:3",
			SlackChannel: "C0123ABCDEF", StateTable: "alarm-relay-dev-incidents", Destination: "oncall"},
		{Messenger: " Slack-App", SlackToken: " xoxb-1-2-abc ", SlackChannel: " G0123ABCD ", StateTable: " incidents", Destination: " local "},
	} {
		roundTrip(t, c)
	}
}

func roundTrip(t *testing.T, c Config) {
	t.Helper()
	if problems := c.Validate(); problems != nil {
		t.Fatalf("%+v: %v", c, problems)
	}
	env := c.Env()
	got, err := FromEnv(getenv(env))
	if err != nil {
		t.Fatalf("FromEnv(%v): %v", env, err)
	}
	if got != c.Canonical() {
		t.Errorf("FromEnv(Env(%#v)) = %#v, want %#v", c, got, c.Canonical())
	}
	if again := got.Env(); !maps.Equal(again, env) {
		t.Errorf("Env changed on the way back: %v, then %v", env, again)
	}
}

// FuzzRoundTrip: any configuration Validate accepts survives Env and FromEnv unchanged, and
// FromEnv accepts nothing Validate would refuse.
func FuzzRoundTrip(f *testing.F) {
	f.Add("auto", "UTC", "en", "", false, "", "", "", "", "")
	f.Add(" Teams ", "Asia/Seoul", "KO", "@here, S0123ABCD", true, "/alarm-relay/dev/webhook-url:3", "https://hooks.slack.com/services/T/B/X", "", "", "")
	f.Add("", "", "", "alice@contoso.com", false, " p ", "http://127.0.0.1:1/x", "", "", "")
	f.Add("discord", "Local", "jp", "@everyone", true, "", "ftp://x", "xoxp-1", "#alerts", "a b")
	f.Add("slack-app", "", "ko", "@here", true, "/p/slack-token:1", "", "xoxb-1-2", " C0123ABCDEF", "incidents")
	f.Fuzz(func(t *testing.T, m, tz, lang, mentions string, trend bool, param, hook, token, channel, table string) {
		c := Config{Messenger: m, Timezone: tz, Language: lang, Mentions: mentions, Trend: trend, WebhookParameter: param, WebhookURL: Secret(hook),
			SlackTokenParameter: param, SlackChannel: channel, StateTable: table, Destination: table, SlackToken: Secret(token)}
		if c.Validate() != nil {
			return
		}
		env := c.Env()
		got, err := FromEnv(getenv(env))
		if err != nil {
			t.Fatalf("FromEnv(Env(%#v)): %v", c, err)
		}
		if got != c.Canonical() {
			t.Fatalf("FromEnv(Env(%#v)) = %#v", c, got)
		}
		if !maps.Equal(got.Env(), env) {
			t.Fatalf("Env is not stable: %v, then %v", env, got.Env())
		}
	})
}

// FuzzFromEnv: any environment is read without a panic, problems name only the relay's
// variables and never show the webhook, and a configuration read without problems writes the
// same canonical environment back.
func FuzzFromEnv(f *testing.F) {
	f.Add("auto", "UTC", "en", "", "off", "", "", "", "", "")
	f.Add("TEAMS", "Asia/Seoul", " ko", "@here", "ON", "/p:1", "https://user:pw@x/SECRET", "", "", "")
	f.Add("slack-app", "", "", "", "", "/p:1", "", "xoxp-1-SECRET", "#alerts", "a b")
	f.Fuzz(func(t *testing.T, m, tz, lang, mentions, trend, param, hook, token, channel, table string) {
		env := map[string]string{EnvMessenger: m, EnvTimezone: tz, EnvLanguage: lang, EnvMentions: mentions, EnvTrend: trend, EnvWebhookParameter: param, EnvWebhookURL: hook,
			EnvSlackTokenParameter: param, EnvSlackChannel: channel, EnvStateTable: table, EnvDestination: table, EnvSlackToken: token}
		c, err := FromEnv(getenv(env))
		if err != nil {
			var e *Error
			if !asError(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %v is not an *Error with problems", err)
			}
			for _, p := range e.Problems {
				if _, known := env[p.Env]; !known {
					t.Errorf("problem names %q", p.Env)
				}
				if p.Env == EnvWebhookURL && len(hook) > 8 && strings.Contains(p.Message, hook) {
					t.Errorf("problem shows the webhook: %v", p)
				}
				if p.Env == EnvSlackToken && len(strings.TrimSpace(token)) > 8 && strings.Contains(p.Message, strings.TrimSpace(token)[5:]) {
					t.Errorf("problem shows the token: %v", p)
				}
			}
			return
		}
		again, err := FromEnv(getenv(c.Env()))
		if err != nil || again != c {
			t.Fatalf("FromEnv(Env(%#v)) = %#v, %v", c, again, err)
		}
	})
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

func TestErrorNamed(t *testing.T) {
	e := &Error{Problems: []Problem{{EnvLanguage, `unknown language "jp": use en or ko`}, {EnvTrend, `"x" is not on or off`}}}
	flags := map[string]string{EnvLanguage: "-language"}
	got := e.Named(func(env string) string {
		if f, ok := flags[env]; ok {
			return f
		}
		return env
	})
	if want := `-language: unknown language "jp": use en or ko; TREND: "x" is not on or off`; got != want {
		t.Errorf("Named = %q, want %q", got, want)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	c := Config{WebhookURL: "https://hooks.slack.com/services/T/B/SECRET", SlackToken: "xoxb-1-2-SECRET"}
	js, _ := json.Marshal(c)
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("config", "config", c, "url", c.WebhookURL, "token", c.SlackToken)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v %#v %s %q %v", c, c, c.WebhookURL, c.WebhookURL, c.SlackToken), string(js), log.String()} {
		if strings.Contains(s, "SECRET") || !strings.Contains(s, "[secret]") {
			t.Errorf("printed %s", s)
		}
	}
	if c.WebhookURL.Reveal() != "https://hooks.slack.com/services/T/B/SECRET" {
		t.Error("Reveal lost the value")
	}
}

func TestResolveMessenger(t *testing.T) {
	const slack = "https://hooks.slack.com/services/T/B/SECRET"
	tests := []struct {
		name, webhook string
		want          messenger.Messenger
		err           string
	}{
		{"auto", slack, messenger.Slack, ""},
		{"", "https://x.environment.api.powerplatform.com/p/SECRET", messenger.Teams, ""},
		{"AUTO", "https://contoso.webhook.office.com/webhookb2/SECRET", messenger.TeamsLegacy, ""},
		{"auto", "", messenger.Slack, ""}, // a dry run without a webhook shows Slack
		{"auto", "https://chat.example.com/SECRET", "", `auto: cannot tell the messenger from webhook host "chat.example.com"`},
		{"slack", "https://proxy.example.com/hooks/SECRET", messenger.Slack, ""}, // what a named messenger is for
		{"Teams", "https://contoso.webhook.office.com/webhookb2/SECRET", messenger.Teams, ""},
		{"teams-legacy", "", messenger.TeamsLegacy, ""},
		{"teams", slack, "", "teams cannot post to a slack webhook (host hooks.slack.com): set messenger to slack or auto, or use a teams webhook"},
		{"slack", "https://x.environment.api.powerplatform.com/p/SECRET", "", "slack cannot post to a teams webhook"},
		{"teams-legacy", "https://x.environment.api.powerplatform.com/p/SECRET", "", "teams-legacy cannot post to a teams webhook"},
		{"discord", slack, "", `unknown messenger "discord"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.webhook, func(t *testing.T) {
			var u *url.URL
			if tt.webhook != "" {
				var err error
				if u, err = ParseWebhookURL(tt.webhook); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ResolveMessenger(tt.name, u)
			if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.HasPrefix(err.Error(), tt.err) {
				t.Fatalf("ResolveMessenger(%q) = %q, %v; want %q, %q", tt.name, got, err, tt.want, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error shows the webhook path: %v", err)
			}
		})
	}
}

// FuzzParseWebhookURL: no input panics, an error never repeats the URL's path, and what is
// accepted is https, or http to a loopback address, with a host and no credentials.
func FuzzParseWebhookURL(f *testing.F) {
	for _, s := range []string{"https://hooks.slack.com/services/T/B/X", "http://127.0.0.1:8/x", "http://[::1]/x", "http://localhost/x",
		"http://example.com/SECRETPATH", "https://u:p@h/x", "hooks.slack.com/x", "https://%zz", " https://h/x ", "https://:443/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ParseWebhookURL(raw)
		if err != nil {
			// The only URL an error shows is its example of a good one.
			text := strings.ReplaceAll(err.Error(), "https://hooks.slack.com/services/...", "")
			if len(raw) > 12 && strings.Contains(text, raw) {
				t.Fatalf("error repeats the URL: %v", err)
			}
			return
		}
		if u.Hostname() == "" || u.User != nil || !(u.Scheme == "https" || u.Scheme == "http" && loopback.IsHost(u.Hostname())) ||
			strings.ContainsFunc(strings.TrimSpace(raw), unicode.IsSpace) {
			t.Fatalf("accepted %q as %#v", raw, u)
		}
	})
}

// BenchmarkFromEnv is the start-up cost of reading and checking the stack's environment.
func BenchmarkFromEnv(b *testing.B) {
	env := Config{Messenger: "auto", Timezone: "Asia/Seoul", Language: "ko", Mentions: "@here, S0123ABCD", Trend: true, WebhookParameter: "/alarm-relay/dev/webhook-url:3"}.Env()
	for b.Loop() {
		if _, err := FromEnv(getenv(env)); err != nil {
			b.Fatal(err)
		}
	}
}
