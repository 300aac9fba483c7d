package relayconfig

import (
	"errors"
	"fmt"
	"strings"
)

// A slack-app destination (MESSENGER=slack-app) posts with a bot token through Slack's Web API and
// keeps one message per incident in a DynamoDB table the stack creates. Both sides agree on the
// table's keys and on the rules below: the stack checks slackToken and slackChannel with them, the
// relay its environment and the token it reads from SSM.

// The incident table's keys: the stack declares the table with them, function/internal/incident
// reads and writes its items with them.
const (
	IncidentHashKey      = "alarmArn"    // S: the alarm's ARN
	IncidentRangeKey     = "destination" // S: the destination's name (DESTINATION)
	IncidentTTLAttribute = "expiresAt"   // N: epoch seconds; set on closed incidents only
)

// CheckSlackToken checks a bot token: the xoxb- prefix Slack gives bot tokens, at most 255
// characters, then letters, digits and dashes. Its errors describe the problem without repeating
// the token.
func CheckSlackToken(raw string) error {
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

// CheckSlackChannel checks a channel id: C… (or G… for older private channels), 9 to 20
// upper-case letters and digits. A #name is refused: chat.update needs the id, and names change.
// A token or URL pasted here (slackToken and slackChannel swapped) is refused without showing it.
func CheckSlackChannel(raw string) error {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return errors.New("is empty: use the channel id (C…) from the bottom of the channel's details")
	case looksSecret(s):
		return errors.New("looks like a Slack token or a URL (value not shown: it may be a secret): a bot token belongs in slackToken " +
			"(set with --secret); slackChannel takes the channel id (C…) from the bottom of the channel's details")
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

// looksSecret tells a Slack token (xoxb-, xoxp-, xapp-…) or a URL such as a webhook's.
func looksSecret(s string) bool {
	lower := strings.ToLower(s)
	return strings.HasPrefix(lower, "xox") || strings.HasPrefix(lower, "xapp-") || strings.Contains(s, "/")
}

// CheckStateTable checks a DynamoDB table name: 3 to 255 of a-z, A-Z, 0-9, _ - and dot.
func CheckStateTable(name string) error {
	if len(name) < 3 || len(name) > 255 || strings.IndexFunc(name, badTableRune) >= 0 {
		return fmt.Errorf("%q is not a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _ - .)", name)
	}
	return nil
}

func badTableRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
}
