// Package relayconfig is the contract between the Pulumi program (infra/) and the relay
// (function/): the relay's environment variables, one typed Config with one Validate, Env (what
// the stack writes) and FromEnv (what the relay reads; Load adds the values typed, Parsed, so
// that nothing parses them again); the text conventions the stack writes
// into alarm descriptions and the relay reads back (description.go); a Slack app destination's
// incident table and its token and channel rules (slackapp.go); and the reminder schedule's event
// (reminder.go).
//
// The rules, the same on both sides:
//   - Surrounding spaces never count. Names (messenger, language, TREND's on/off) ignore case
//     too, and Env writes them in lower case: `language: KO` passes `pulumi up` and the relay
//     alike. Time zone names keep their case, as the IANA database spells them.
//   - An empty value means the default: MESSENGER auto, TIMEZONE UTC, LANGUAGE en, TREND off.
//   - MENTIONS are checked by messenger.ParseMentions and take at most 2048 bytes (Lambda
//     allows 4 KB of environment in all).
//   - TIMEZONE is an IANA name; "Local" is refused, since it is UTC in Lambda and the machine's
//     zone in a local run, and a local run shows what the Lambda would send.
//   - The webhook is an absolute https URL with a host and no user credentials, spaces or
//     invisible characters; plain http only to a loopback address (a local test server).
//     ParseWebhookURL is the one parser.
//   - Messenger "auto" takes the messenger from the webhook's host, and an unknown host is an
//     error; a named messenger wins, but not on a host that says another one (ResolveMessenger).
//   - With MESSENGER slack-app, the bot token starts with xoxb- (CheckSlackToken), the channel is
//     an id, not a #name (CheckSlackChannel), the incident table a DynamoDB name
//     (CheckStateTable), and no webhook is set; a relay that posts needs all three (Missing).
//     Other messengers leave these settings alone.
//   - A reminder event comes every MinRemindMinutes to MaxRemindMinutes and lists alarm ARNs.
//   - Secrets (the webhook, the bot token) are Secret values, which never print. The stack never
//     writes them: it writes the SSM parameter holding one, and the relay reads it at start-up.
//
// Problems name the environment variable; the stack maps them to its config keys
// (destinations[1].timezone), the local command to the flag the value came from (-language).
package relayconfig

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the relay's runtime has no zoneinfo; both sides resolve names from the same data

	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

// The environment variables of the relay.
const (
	EnvMessenger        = "MESSENGER"         // auto, slack, teams, teams-legacy or slack-app
	EnvTimezone         = "TIMEZONE"          // IANA time zone shown next to UTC
	EnvLanguage         = "LANGUAGE"          // en or ko
	EnvMentions         = "MENTIONS"          // comma-separated, notified on ALARM
	EnvTrend            = "TREND"             // on: show a single-metric alarm's last hour
	EnvWebhookParameter = "WEBHOOK_PARAMETER" // SSM SecureString holding the webhook, "name" or "name:version"
	EnvWebhookURL       = "WEBHOOK_URL"       // the webhook itself (a secret): local runs and tests

	// The slack-app messenger's.
	EnvSlackTokenParameter = "SLACK_TOKEN_PARAMETER" // SSM SecureString holding the bot token, "name" or "name:version"
	EnvSlackChannel        = "SLACK_CHANNEL"         // the id of the channel the bot posts to
	EnvStateTable          = "STATE_TABLE"           // DynamoDB table of incidents
	EnvDestination         = "DESTINATION"           // the destination's name: with the alarm, an incident's key
	EnvSlackToken          = "SLACK_TOKEN"           // the bot token itself (a secret): local runs and tests

	// EnvSlackAPIURL points the Slack Web API client elsewhere (tests). It is not part of Config:
	// the stack never sets it, and slackapi reads and checks it where it builds its client.
	EnvSlackAPIURL = "SLACK_API_URL"
)

// The defaults an empty value stands for.
const (
	Auto            = "auto"
	defaultTimezone = "UTC"
	defaultLanguage = "en"
)

// Language is a language the relay writes its messages in, as LANGUAGE spells it.
type Language string

// The languages the relay writes in.
const (
	English Language = "en"
	Korean  Language = "ko"
)

// Languages lists every language the relay writes in.
var Languages = []Language{English, Korean}

// mentionsBytes keeps MENTIONS well inside the 4 KB Lambda allows for all environment variables.
const mentionsBytes = 2048

// Config is the relay's configuration, as the stack declares it and the relay reads it.
type Config struct {
	Messenger string // auto or a messenger name
	Timezone  string // IANA name
	Language  string // en or ko
	Mentions  string // comma-separated (see messenger.ParseMentions)
	Trend     bool   // show a single-metric alarm's last hour (needs cloudwatch:GetMetricData)

	WebhookParameter string // SSM parameter holding the webhook; the stack sets it as an output
	WebhookURL       Secret // the webhook itself, for local runs; the stack never sets it

	// A slack-app destination's; the stack sets them for one only.
	SlackTokenParameter string // SSM parameter holding the bot token; the stack sets it as an output
	SlackChannel        string // the channel's id (C…)
	StateTable          string // the incident table; the stack sets it as an output
	Destination         string // the destination's name (the relay defaults it where it runs)
	SlackToken          Secret // the bot token itself, for local runs; the stack never sets it
}

// Canonical is c with names in lower case, spaces trimmed and empty values replaced by their
// defaults: the form Env writes and FromEnv returns.
func (c Config) Canonical() Config {
	c.Messenger = orDefault(strings.ToLower(strings.TrimSpace(c.Messenger)), Auto)
	c.Timezone = orDefault(strings.TrimSpace(c.Timezone), defaultTimezone)
	c.Language = orDefault(strings.ToLower(strings.TrimSpace(c.Language)), defaultLanguage)
	c.WebhookParameter = strings.TrimSpace(c.WebhookParameter)
	c.SlackTokenParameter = strings.TrimSpace(c.SlackTokenParameter)
	c.SlackChannel = strings.TrimSpace(c.SlackChannel)
	c.StateTable = strings.TrimSpace(c.StateTable)
	c.Destination = strings.TrimSpace(c.Destination)
	return c
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Parsed is a configuration's values in the types the relay works with. Validate's checks are
// the one parser: Load hands them out with the Config, so that nothing parses a setting again.
type Parsed struct {
	Messenger messenger.Messenger // "" for auto: the webhook's host decides (ResolveMessenger)
	Location  *time.Location      // the zone shown next to UTC
	Language  Language
	Mentions  []messenger.Mention // notified on ALARM only
}

// Validate checks every setting and returns all problems, nil when there are none; a Slack
// app's settings only with messenger slack-app, which takes no webhook. It does not demand a webhook or a Slack app's
// token, channel and table (a dry run has none; the stack checks its own) and does not match
// the messenger with the webhook's host: ResolveMessenger does, once the webhook is known.
func (c Config) Validate() []Problem {
	_, problems := c.parse()
	return problems
}

// parse is Validate, keeping the values it parsed (meaningful only when there are no problems).
func (c Config) parse() (Parsed, []Problem) {
	var problems []Problem
	add := func(env, format string, args ...any) {
		problems = append(problems, Problem{Env: env, Message: fmt.Sprintf(format, args...)})
	}
	var p Parsed
	var err error
	n := c.Canonical()
	if n.Messenger != Auto {
		if p.Messenger, err = messenger.Parse(c.Messenger); err != nil {
			add(EnvMessenger, "%v", err)
		}
	}
	if p.Location, err = loadTimezone(n.Timezone); err != nil {
		add(EnvTimezone, "%q %v", c.Timezone, err)
	}
	if p.Language = Language(n.Language); !slices.Contains(Languages, p.Language) {
		add(EnvLanguage, "unknown language %q: use %s", c.Language, languageList())
	}
	if p.Mentions, err = messenger.ParseMentions(c.Mentions); err != nil {
		add(EnvMentions, "%v", err)
	} else if len(c.Mentions) > mentionsBytes {
		add(EnvMentions, "%d bytes of mentions: the relay's environment (4 KB in all, Lambda's limit) takes %d; mention a group instead of its members", len(c.Mentions), mentionsBytes)
	}
	if n.Messenger == string(messenger.SlackApp) {
		// A webhook beside a Slack app is a mistake, valid or not: the relay would never use it.
		for _, w := range []struct {
			env string
			set bool
		}{{EnvWebhookURL, c.WebhookURL != ""}, {EnvWebhookParameter, n.WebhookParameter != ""}} {
			if w.set {
				add(w.env, "messenger slack-app posts with a bot token (%s or %s), not a webhook: unset it", EnvSlackToken, EnvSlackTokenParameter)
			}
		}
	} else if c.WebhookURL != "" {
		if _, err := ParseWebhookURL(c.WebhookURL.Reveal()); err != nil {
			add(EnvWebhookURL, "%v", err)
		}
		if n.WebhookParameter != "" {
			// Which one was meant? A WEBHOOK_URL left exported from a local try would otherwise
			// silently receive what the stack's webhook should (a dead-letter replay, say).
			add(EnvWebhookURL, "is set beside %s: set one of them (the URL for a local run, the parameter for the stack's webhook)", EnvWebhookParameter)
		}
	}
	if n.Messenger != string(messenger.SlackApp) {
		// SLACK_TOKEN and SLACK_CHANNEL are common names in a shell, set for other tools: a
		// webhook's relay leaves them alone.
		return p, problems
	}
	if c.SlackToken != "" {
		if err := CheckSlackToken(c.SlackToken.Reveal()); err != nil {
			add(EnvSlackToken, "%v", err)
		}
		if n.SlackTokenParameter != "" {
			add(EnvSlackToken, "is set beside %s: set one of them (the token for a local run, the parameter for the stack's)", EnvSlackTokenParameter)
		}
	}
	if n.SlackChannel != "" {
		if err := CheckSlackChannel(n.SlackChannel); err != nil {
			add(EnvSlackChannel, "%v", err)
		}
	}
	if n.StateTable != "" {
		if err := CheckStateTable(n.StateTable); err != nil {
			add(EnvStateTable, "%v", err)
		}
	}
	return p, problems
}

// Missing is what a relay that posts needs and c leaves unset: with messenger slack-app, the bot
// token (or its parameter), the channel and the incident table. Validate leaves these out, since
// a dry run needs none of them and the stack sets the table and parameter as outputs; the relay
// adds them to Validate's problems, so that every problem is reported at once.
func (c Config) Missing() []Problem {
	n := c.Canonical()
	if n.Messenger != string(messenger.SlackApp) {
		return nil
	}
	var problems []Problem
	if c.SlackToken == "" && n.SlackTokenParameter == "" {
		problems = append(problems, Problem{Env: EnvSlackToken, Message: fmt.Sprintf(
			"no Slack bot token configured: set %s to the SSM SecureString parameter holding it (the Pulumi stack does), or %s for a local run", EnvSlackTokenParameter, EnvSlackToken)})
	}
	if n.SlackChannel == "" {
		problems = append(problems, Problem{Env: EnvSlackChannel, Message: CheckSlackChannel("").Error()})
	}
	if n.StateTable == "" {
		problems = append(problems, Problem{Env: EnvStateTable, Message: "is not set: a slack-app destination keeps its incidents in a DynamoDB table"})
	}
	return problems
}

// languageList is "en or ko".
func languageList() string {
	names := make([]string, len(Languages))
	for i, l := range Languages {
		names[i] = string(l)
	}
	return strings.Join(names, " or ")
}

// loadTimezone loads name, an IANA time zone both sides resolve the same way; its error does
// not repeat the name.
func loadTimezone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, fmt.Errorf("is not an IANA time zone name (for example Asia/Seoul, Europe/Berlin or UTC)")
	}
	return loc, nil
}

// Env is the relay's environment for c in its canonical form: what the stack writes. MESSENGER,
// TIMEZONE, LANGUAGE and TREND always appear, the others only when set.
func (c Config) Env() map[string]string {
	n := c.Canonical()
	env := map[string]string{
		EnvMessenger: n.Messenger,
		EnvTimezone:  n.Timezone,
		EnvLanguage:  n.Language,
		EnvTrend:     onOff(n.Trend),
	}
	for name, v := range map[string]string{
		EnvMentions:            n.Mentions,
		EnvWebhookParameter:    n.WebhookParameter,
		EnvWebhookURL:          n.WebhookURL.Reveal(),
		EnvSlackTokenParameter: n.SlackTokenParameter,
		EnvSlackChannel:        n.SlackChannel,
		EnvStateTable:          n.StateTable,
		EnvDestination:         n.Destination,
		EnvSlackToken:          n.SlackToken.Reveal(),
	} {
		if v != "" {
			env[name] = v
		}
	}
	return env
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// FromEnv reads the relay's configuration, in canonical form, and checks it: what the relay
// reads. A problem leaves the rest read; the error lists every problem (an *Error).
func FromEnv(getenv func(string) string) (Config, error) {
	c, _, err := Load(getenv)
	return c, err
}

// Load is FromEnv with the values typed (Parsed), parsed once by the checks; with problems,
// Parsed is the zero value.
func Load(getenv func(string) string) (Config, Parsed, error) {
	c := Config{
		Messenger:        getenv(EnvMessenger),
		Timezone:         getenv(EnvTimezone),
		Language:         getenv(EnvLanguage),
		Mentions:         getenv(EnvMentions),
		WebhookParameter: getenv(EnvWebhookParameter),
		WebhookURL:       Secret(getenv(EnvWebhookURL)),

		SlackTokenParameter: getenv(EnvSlackTokenParameter),
		SlackChannel:        getenv(EnvSlackChannel),
		StateTable:          getenv(EnvStateTable),
		Destination:         getenv(EnvDestination),
		SlackToken:          Secret(getenv(EnvSlackToken)),
	}
	parsed, problems := c.parse()
	switch trend := strings.ToLower(strings.TrimSpace(getenv(EnvTrend))); trend {
	case "", "off":
	case "on":
		c.Trend = true
	default:
		problems = append(problems, Problem{Env: EnvTrend, Message: fmt.Sprintf("%q is not on or off", getenv(EnvTrend))})
	}
	c = c.Canonical()
	if len(problems) > 0 {
		return c, Parsed{}, &Error{Problems: problems}
	}
	return c, parsed, nil
}

// Problem is one invalid setting: its environment variable and what is wrong, with the value
// (never a secret's) and what is allowed.
type Problem struct {
	Env, Message string
}

func (p Problem) Error() string { return p.Env + ": " + p.Message }

// Error is every problem of a configuration, in the order Validate checks them.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string { return e.Named(func(env string) string { return env }) }

// Named is the error's text with each setting named by name(env): a flag, a config key.
func (e *Error) Named(name func(env string) string) string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = name(p.Env) + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

// Secret is a value that never prints: fmt, slog and encoding/json show [secret]. Reveal gives
// the value to the one call that needs it.
type Secret string

const masked = "[secret]"

// Reveal returns the secret itself; never log or wrap it.
func (s Secret) Reveal() string { return string(s) }

func (Secret) String() string               { return masked }
func (Secret) GoString() string             { return masked }
func (Secret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(masked)) }
func (Secret) LogValue() slog.Value         { return slog.StringValue(masked) }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + masked + `"`), nil }
func (Secret) MarshalText() ([]byte, error) { return []byte(masked), nil }
