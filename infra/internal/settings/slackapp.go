package settings

import (
	"encoding/json"
	"strings"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Reminders: how often a destination may be reminded of an alarm that stays in ALARM; the
// relay accepts the same range (see relayconfig). 0 turns them off.
const (
	MinRemindMinutes = relayconfig.MinRemindMinutes
	MaxRemindMinutes = relayconfig.MaxRemindMinutes
)

// AWS limits the reminders must fit: an EventBridge target's constant input, and all inline
// policies of one IAM role together.
const (
	reminderInputBytes = 8192
	rolePolicyBytes    = 10240
	// arnOverhead bounds an alarm ARN without its name: "arn:aws-us-gov:cloudwatch:" + the longest
	// region + ":" + account + ":alarm:" is under 64 bytes.
	arnOverhead = 64
	// policyBase bounds the rest of a relay's role policy: its parameter, log group, queue, table
	// and trend statements with their ARNs.
	policyBase = 1500
)

func (r *reader) remind(key string, minutes int) {
	if minutes != 0 && (minutes < MinRemindMinutes || minutes > MaxRemindMinutes) {
		r.fail(key, "%d must be 0 (no reminders) or %d to %d minutes", minutes, MinRemindMinutes, MaxRemindMinutes)
	}
}

// slackApp checks a slack-app destination: a secret bot token, a channel id, and no webhook.
func (r *reader) slackApp(prefix string, d *Destination, hasHook bool, token, channel string, secret bool) {
	if hasHook {
		r.fail(prefix+"messenger", "slack-app posts with a bot token (slackToken), not to a webhook: remove webhook, or set messenger to slack or auto")
		return
	}
	if !d.SlackApp() {
		r.fail(prefix+"messenger", "%s posts to a webhook; a destination with slackToken is a Slack app: leave messenger out or set it to slack-app", d.Messenger)
	}
	switch {
	case strings.TrimSpace(token) == "":
		r.fail(prefix+"slackToken", "not set: pulumi config set --secret --path '%sslackToken' xoxb-... (the app's Bot User OAuth Token)", prefix)
	case !secret:
		r.fail(prefix+"slackToken", "is stored in plain text: set it again with pulumi config set --secret --path '%sslackToken' xoxb-...", prefix)
	default:
		if err := relayconfig.CheckSlackToken(token); err != nil {
			r.fail(prefix+"slackToken", "%v", err)
		}
	}
	if strings.TrimSpace(channel) == "" {
		r.fail(prefix+"slackChannel", "not set: pulumi config set --path '%sslackChannel' C0123ABCDEF (the id at the bottom of the channel's details)", prefix)
	} else if err := relayconfig.CheckSlackChannel(channel); err != nil {
		r.fail(prefix+"slackChannel", "%v", err)
	} else {
		d.SlackChannel = strings.TrimSpace(channel)
	}
}

// reminderLimits checks that a destination's reminders fit AWS's limits: the schedule's input and
// the role policy both list the ARNs of the alarms it receives. remindKey is where reminders were
// turned on.
func (r *reader) reminderLimits(remindKey, prefix string, d Destination, s *Settings) {
	if d.RemindEveryMinutes == 0 {
		return
	}
	names := d.Alarms
	if len(names) == 0 {
		for _, a := range s.Alarms {
			names = append(names, a.Name)
		}
	}
	list, patterns := 0, 0 // the ARNs as a JSON list, at their longest; in the policy, as patterns
	for _, name := range names {
		quoted, _ := json.Marshal(name) // a string always marshals
		list += arnOverhead + len(quoted) + 1
		// The policy writes each *, ? and $ as ${*}, ${?}, ${$} (see stack.RolePolicy).
		patterns += arnOverhead + len(quoted) + 1 + 3*strings.Count(name, "*") + 3*strings.Count(name, "?") + 3*strings.Count(name, "$")
	}
	input := len(`{"alarmRelay":"remind","everyMinutes":1440,"alarmArns":[]}`) + list
	policy := policyBase + patterns
	fits := func(limit, fixed, size int) int { return max(0, (limit-fixed)*len(names)/max(size, 1)) }
	switch {
	case input > reminderInputBytes:
		r.fail(remindKey, "%s's reminders list %d alarms, about %d bytes of schedule input; EventBridge takes %d: list at most about %d alarms in %salarms, or turn reminders off",
			destLabel(d), len(names), input, reminderInputBytes, fits(reminderInputBytes, input-list, list), prefixOr(prefix, "destinations[]."))
	case policy > rolePolicyBytes:
		r.fail(remindKey, "%s's reminders list %d alarms, about %d characters of role policy; IAM takes %d per role: list at most about %d alarms in %salarms, or turn reminders off",
			destLabel(d), len(names), policy, rolePolicyBytes, fits(rolePolicyBytes, policyBase, patterns), prefixOr(prefix, "destinations[]."))
	}
}

func destLabel(d Destination) string {
	if d.Shorthand {
		return "the webhookUrl destination"
	}
	return "destination " + d.Name
}

func prefixOr(prefix, alt string) string {
	if prefix == "" {
		return alt
	}
	return prefix
}
