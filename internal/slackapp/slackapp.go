// Package slackapp is what the Pulumi program and the relay must agree on for a slack-app
// destination: the relay's environment, the incident table's shape, the reminder event the
// schedule sends, and the rules for a bot token and a channel id. infra/ cannot import
// function/internal, so the names live here; a test compares them with the relay's own.
package slackapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Messenger is the MESSENGER value (and the destinations' messenger) of a Slack app destination.
const Messenger = "slack-app"

// The relay's environment for a slack-app destination.
const (
	EnvTokenParameter = "SLACK_TOKEN_PARAMETER" // SSM SecureString "name:version" holding the bot token
	EnvChannel        = "SLACK_CHANNEL"         // the channel id
	EnvStateTable     = "STATE_TABLE"           // the DynamoDB table of incidents
	EnvDestination    = "DESTINATION"           // the destination's name: the incident key's range key
)

// The incident table's shape (function/internal/incident reads and writes the same).
const (
	HashKey      = "alarmArn"    // S: the alarm's ARN
	RangeKey     = "destination" // S: the destination's name
	TTLAttribute = "expiresAt"   // N: epoch seconds; set on closed incidents only
)

// ActionRemind marks a reminder event: {"alarmRelay":"remind",...}.
const ActionRemind = "remind"

// MaxEveryMinutes is the longest reminder interval the relay accepts: a week.
const MaxEveryMinutes = 7 * 24 * 60

// ReminderEvent is the constant input of a destination's reminder schedule.
type ReminderEvent struct {
	Action       string   `json:"alarmRelay"`
	EveryMinutes int      `json:"everyMinutes"`
	AlarmARNs    []string `json:"alarmArns"`
}

// ReminderInput is the schedule's input for one destination: remind every `every` minutes of the
// alarms (ARNs) it receives.
func ReminderInput(every int, alarmARNs []string) (string, error) {
	if every < 1 || every > MaxEveryMinutes {
		return "", fmt.Errorf("reminder interval %d minutes: use 1 to %d", every, MaxEveryMinutes)
	}
	if len(alarmARNs) == 0 {
		return "", errors.New("reminder: no alarms to remind about")
	}
	out, err := json.Marshal(ReminderEvent{Action: ActionRemind, EveryMinutes: every, AlarmARNs: alarmARNs})
	if err != nil {
		return "", fmt.Errorf("reminder input: %w", err)
	}
	return string(out), nil
}

// CheckToken checks a bot token as the relay's slackapi.ParseToken does: the xoxb- prefix Slack
// gives bot tokens, at most 255 characters, then letters, digits and dashes. Its errors describe
// the problem without repeating the token.
func CheckToken(raw string) error {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return errors.New("is empty")
	case !strings.HasPrefix(s, "xoxb-"):
		kind := "the value does not"
		if len(s) > 5 && strings.HasPrefix(s, "xox") && s[4] == '-' {
			kind = fmt.Sprintf("it is a %q token", s[:5]) // the type prefix is no secret
		}
		return fmt.Errorf("must be a bot token starting with xoxb- (%s; value not shown: it is a secret): "+
			"copy the Bot User OAuth Token from the app's OAuth & Permissions page", kind)
	case len(s) > 255:
		return fmt.Errorf("is %d characters long; bot tokens are far shorter (value not shown: it is a secret)", len(s))
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("has an unexpected character at position %d; bot tokens hold letters, digits and dashes only (value not shown: it is a secret)", i+1)
		}
	}
	return nil
}

// CheckChannel checks a channel id as the relay's slackapi.ParseChannel does: C… (or G… for
// older private channels), 9 to 20 upper-case letters and digits; a #name is refused, since
// chat.update needs the id.
func CheckChannel(raw string) error {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return errors.New("is empty: use the channel id (C…) from the bottom of the channel's details")
	case len(s) > 80:
		return fmt.Errorf("is %d characters long: channel ids have 9 to 20", len(s))
	case strings.HasPrefix(s, "#") || strings.ToUpper(s) != s:
		return fmt.Errorf("%q looks like a channel name; use the channel's id (C…), shown at the bottom of its details", s)
	case len(s) > 20:
		return fmt.Errorf("is %d characters long: channel ids have 9 to 20", len(s))
	case len(s) < 9 || (s[0] != 'C' && s[0] != 'G'):
		return fmt.Errorf("%q is not a channel id: ids start with C (or G for older private channels) and are 9 to 20 characters long", s)
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("%q is not a channel id: ids hold upper-case letters and digits only", s)
		}
	}
	return nil
}
