package settings

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// The states a destination can ask for at the least (see Destination.MinimumState).
var minimumStates = []string{"OK", "INSUFFICIENT_DATA", "ALARM"}

// Destination is one chat destination — a webhook, or a Slack app's channel — with its own relay,
// retries and dead-letter queue.
type Destination struct {
	Name      string // unique; names its resources. "" for the webhookUrl shorthand
	Shorthand bool   // the webhookUrl shorthand: resource names as before destinations existed
	Webhook   pulumi.StringOutput
	// SlackToken (a secret) and SlackChannel (an id) are a slack-app destination's instead of Webhook.
	SlackToken   pulumi.StringOutput
	SlackChannel string
	// Messenger is "auto", a webhook messenger's name or slack-app; Timezone an IANA name.
	Messenger, Timezone string
	// MinimumState says which state changes reach the destination (see FilterPolicy):
	// ALARM: changes to and from ALARM; OK (the default): also every change to OK; INSUFFICIENT_DATA:
	// everything, also changes to INSUFFICIENT_DATA from OK.
	MinimumState string
	Alarms       []string // CloudWatch alarm names it receives; nil for all
	Language     string   // en or ko
	Mentions     string   // comma-separated, notified on ALARM (the key takes a list or a comma-separated text)
	Trend        bool     // show single-metric alarms' last hour
	// RemindEveryMinutes is how often the destination is reminded of its alarms still in ALARM;
	// 0: never.
	RemindEveryMinutes int
	Windows            maintenance.Set // its maintenance windows (the top-level ones unless it sets its own)
	// OverflowWindowSeconds is the overflow queue's batching window (see OverflowWindow); 0: the default.
	OverflowWindowSeconds int
}

// SlackApp tells whether the destination posts through a Slack app (bot token) instead of a webhook.
func (d Destination) SlackApp() bool { return d.Messenger == string(messenger.SlackApp) }

// destinationFields are the fields a destinations entry may have; webhook and slackToken are secrets.
var destinationFields = []string{"name", "webhook", "slackToken", "slackChannel", "messenger", "timezone", "minimumState", "alarms",
	"language", "mentions", "trend", "remindEveryMinutes", WindowsKey, overflowWindowField}

var destinationName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,19}$`)

// reservedDestination tells whether a destination name is the alarms': a destination's resources
// are named "<destination>-<part>" and the alarms' "alarm-<id>", so destination "alarm" (or
// "alarm-x") with part "relay-errors" would be the resource of the alarm with id relay-errors (or
// x-relay-errors).
func reservedDestination(name string) bool {
	return name == "alarm" || strings.HasPrefix(name, "alarm-")
}

// destinations reads the destinations key, or makes the single webhookUrl destination.
func (r *reader) destinations(s *Settings) []Destination {
	raw, set := r.raw("destinations")
	hook, hookSet := r.raw(WebhookKey)
	hookSet = hookSet && strings.TrimSpace(hook) != ""
	if !set {
		return r.shorthandDestination(s, hook, hookSet)
	}
	if hookSet {
		r.fail(WebhookKey, "set webhookUrl (one destination) or destinations, not both")
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || len(entries) == 0 {
		r.fail("destinations", "must be a non-empty list of {%s} (see docs/alarms-and-destinations.md), or left unset for webhookUrl", strings.Join(destinationFields, ", "))
		return nil
	}
	secret := r.src.IsConfigSecret(r.project + ":destinations")
	byID, byLabel := map[string]string{}, map[string]string{}
	for _, a := range s.Alarms {
		byID[a.ID], byLabel[a.Label] = a.Name, a.Name
	}
	var out []Destination
	seen := map[string]bool{}
	for i, data := range entries {
		prefix := fmt.Sprintf("destinations[%d].", i)
		o, ok := r.entry(strings.TrimSuffix(prefix, "."), data, destinationFields, "webhook", "slackToken")
		if !ok {
			continue
		}
		e := struct {
			Name, Webhook, SlackToken, SlackChannel, Messenger, Timezone, MinimumState, Language string
			Alarms, Mentions                                                                     []string
			Trend                                                                                *bool
			RemindEveryMinutes                                                                   *int
		}{
			Name: o.str("name"), Webhook: o.str("webhook"), SlackToken: o.str("slackToken"), SlackChannel: o.str("slackChannel"),
			Messenger: o.str("messenger"), Timezone: o.str("timezone"),
			MinimumState: o.str("minimumState"), Language: o.str("language"), Alarms: o.list("alarms"), Mentions: o.list("mentions"),
			Trend: o.boolean("trend"), RemindEveryMinutes: o.whole("remindEveryMinutes", "minutes such as 60, or 0 for no reminders"),
		}
		d := Destination{Name: e.Name, Messenger: strings.ToLower(strings.TrimSpace(e.Messenger)), Timezone: e.Timezone, MinimumState: e.MinimumState,
			Language: e.Language, Mentions: strings.Join(e.Mentions, ","), Trend: s.Trend, RemindEveryMinutes: s.RemindEveryMinutes}
		if e.Trend != nil {
			d.Trend = *e.Trend
		}
		remindKey := "remindEveryMinutes" // inherited: the top-level key is the one to change
		if e.RemindEveryMinutes != nil {
			d.RemindEveryMinutes, remindKey = *e.RemindEveryMinutes, prefix+"remindEveryMinutes"
			r.remind(remindKey, d.RemindEveryMinutes)
		}
		if d.Language == "" {
			d.Language = s.Language
		}
		if !destinationName.MatchString(e.Name) {
			r.fail(prefix+"name", "%q must be 1 to 20 lowercase letters, digits or '-', starting with a letter or digit", e.Name)
		} else if reservedDestination(e.Name) {
			r.fail(prefix+"name", "%q is reserved: alarm and names starting with alarm- belong to the stack's alarms (their resources are named alarm-<id>); choose another name", e.Name)
		} else if seen[e.Name] {
			r.fail(prefix+"name", "%q names two destinations", e.Name)
		}
		seen[e.Name] = true
		r.healthAlarmsFree(s, d)
		// A token field that is present makes a Slack app, even when empty or of the wrong type: its
		// problem is then the token's, not a missing webhook.
		hasHook, hasToken := strings.TrimSpace(e.Webhook) != "", o.has("slackToken")
		if (d.Messenger == "" || d.Messenger == "auto") && hasToken && !hasHook {
			d.Messenger = string(messenger.SlackApp) // a bot token says what the destination is
		}
		if d.Messenger == "" {
			d.Messenger = s.Messenger
		}
		if d.Timezone == "" {
			d.Timezone = s.Timezone
		}
		if d.MinimumState == "" {
			d.MinimumState = "OK"
		}
		r.relay(prefix, relayconfig.Config{Messenger: d.Messenger, Timezone: d.Timezone, Language: d.Language, Mentions: d.Mentions})
		if !slices.Contains(minimumStates, d.MinimumState) {
			r.fail(prefix+"minimumState", "%q is not one of %s", d.MinimumState, strings.Join(minimumStates, ", "))
		}
		switch {
		case hasHook && hasToken:
			r.fail(prefix+"slackToken", "set webhook or slackToken, not both: a destination posts to a webhook or through a Slack app")
		case d.SlackApp() || hasToken:
			r.slackApp(prefix, &d, hasHook, e.SlackToken, e.SlackChannel, secret)
		case !hasHook:
			r.fail(prefix+"webhook", "not set: pulumi config set --secret --path '%swebhook' https://hooks.slack.com/services/... (or a Slack app's slackToken and slackChannel)", prefix)
		case !secret:
			r.fail(prefix+"webhook", "is stored in plain text: set it again with pulumi config set --secret --path '%swebhook' ...", prefix)
		default:
			r.webhook(prefix+"webhook", e.Webhook, prefix+"messenger", d.Messenger)
		}
		if !d.SlackApp() && o.has("slackChannel") {
			r.fail(prefix+"slackChannel", "is for Slack app destinations (with slackToken); a webhook posts to the channel it was made for")
		}
		for j, ref := range e.Alarms {
			name, ok := byID[ref]
			if !ok {
				name, ok = byLabel[ref]
			}
			if !ok {
				r.fail(fmt.Sprintf("%salarms[%d]", prefix, j), "unknown alarm %q; the stack's alarms are %s", ref, strings.Join(slices.Sorted(maps.Keys(byID)), ", "))
				continue
			}
			if !slices.Contains(d.Alarms, name) {
				d.Alarms = append(d.Alarms, name)
			}
		}
		if n := FilterCombinations(d.filter()); n > maxFilterCombinations {
			r.fail(prefix+"alarms", "%d alarms with minimumState %s make %d value combinations in the SNS filter policy; SNS allows %d: list at most %d alarms, or none for all",
				len(d.Alarms), d.MinimumState, n, maxFilterCombinations, maxFilterCombinations*len(d.Alarms)/max(n, 1))
		}
		r.reminderLimits(remindKey, prefix, d, s)
		d.Windows = r.destinationWindows(o, s)
		r.windowsFit(prefix+WindowsKey, d)
		d.OverflowWindowSeconds = r.overflowWindow(prefix, o, d)
		if d.SlackApp() {
			d.SlackToken = pulumi.ToSecret(pulumi.String(strings.TrimSpace(e.SlackToken))).(pulumi.StringOutput)
		} else {
			d.Webhook = pulumi.ToSecret(pulumi.String(strings.TrimSpace(e.Webhook))).(pulumi.StringOutput)
		}
		out = append(out, d)
	}
	return out
}

func (r *reader) shorthandDestination(s *Settings, hook string, set bool) []Destination {
	switch {
	case !set:
		r.fail(WebhookKey, "not set: pulumi config set --secret %s https://hooks.slack.com/services/... (or configure destinations)", WebhookKey)
		return nil
	case !r.src.IsConfigSecret(r.project + ":" + WebhookKey):
		r.fail(WebhookKey, "is stored in plain text: set it again with pulumi config set --secret %s ...", WebhookKey)
	default:
		r.webhook(WebhookKey, hook, "messenger", s.Messenger)
	}
	d := Destination{Shorthand: true, Webhook: pulumi.ToSecret(pulumi.String(strings.TrimSpace(hook))).(pulumi.StringOutput), Messenger: s.Messenger, Timezone: s.Timezone, MinimumState: "OK",
		Language: s.Language, Mentions: s.Mentions, Trend: s.Trend, RemindEveryMinutes: s.RemindEveryMinutes}
	r.healthAlarmsFree(s, d)
	r.reminderLimits("remindEveryMinutes", "", d, s)
	d.Windows = s.Windows
	r.windowsFit(WindowsKey, d)
	return []Destination{d}
}

// healthAlarmsFree checks that no alarm of the stack has the CloudWatch name of one of the
// destination's health alarms: two resources would then define one alarm, each overwriting the
// other on every update, and deleting one would delete both.
func (r *reader) healthAlarmsFree(s *Settings, d Destination) {
	failing, deadLetters := HealthAlarmNames(s.Project, s.Stack, d.Name)
	for _, name := range []string{failing, deadLetters} {
		if key, taken := r.alarmKeys[name]; taken {
			r.fail(key, "would make the CloudWatch alarm %q, the name of %s's relay health alarm: give the alarm another name", name, destLabel(d))
		}
	}
}

// maxFilterCombinations is SNS's limit on the value combinations of one filter policy.
const maxFilterCombinations = 150

// FilterPolicy is the subscription's SNS filter on the alarm message body: which alarms, and
// which state changes, the destination receives; nil receives everything published to the topic.
//
// Every alarm notifies the topic on ALARM, OK and INSUFFICIENT_DATA. Which of those changes a
// destination hears:
//   - ALARM: every change to ALARM, and every change away from it (to OK, or to INSUFFICIENT_DATA
//     when the metric stops), so a message that said ALARM is always followed up.
//   - OK (the default): the above, and every change to OK. OK → INSUFFICIENT_DATA (a quiet metric
//     on a healthy alarm) is left out.
//   - INSUFFICIENT_DATA: everything, also OK → INSUFFICIENT_DATA, and messages other than alarms.
//
// A body filter matches JSON only: a destination with one does not receive plain-text messages
// published to the topic by hand.
func (d Destination) FilterPolicy() string {
	policy := d.filter()
	if policy == nil {
		return ""
	}
	out, _ := json.Marshal(policy) // maps of strings and lists of strings always marshal
	return string(out)
}

func (d Destination) filter() map[string]any {
	policy := map[string]any{}
	if len(d.Alarms) > 0 {
		policy["AlarmName"] = d.Alarms
	}
	switch d.MinimumState {
	case "ALARM":
		policy["$or"] = []map[string][]string{{"NewStateValue": {"ALARM"}}, {"OldStateValue": {"ALARM"}}}
	case "OK", "":
		policy["$or"] = []map[string][]string{{"NewStateValue": {"ALARM", "OK"}}, {"OldStateValue": {"ALARM"}}}
	}
	if len(policy) == 0 {
		return nil
	}
	return policy
}

// FilterCombinations counts a filter policy's value combinations as SNS does: the product of the
// lengths of its value lists, summed over the branches that each "$or" opens.
func FilterCombinations(policy map[string]any) int {
	if policy == nil {
		return 0
	}
	return combinations(policy)
}

func combinations(policy map[string]any) int {
	total := 1
	for key, v := range policy {
		if key == "$or" {
			sum := 0
			for _, branch := range orBranches(v) {
				sum += combinations(branch)
			}
			total *= max(sum, 1)
			continue
		}
		switch values := v.(type) {
		case []string:
			total *= max(len(values), 1)
		case []any:
			total *= max(len(values), 1)
		case map[string]any: // a nested key of the message body
			total *= combinations(values)
		}
	}
	return total
}

func orBranches(v any) []map[string]any {
	var out []map[string]any
	switch branches := v.(type) {
	case []map[string][]string:
		for _, b := range branches {
			m := map[string]any{}
			for k, vals := range b {
				m[k] = vals
			}
			out = append(out, m)
		}
	case []map[string]any:
		out = branches
	case []any:
		for _, b := range branches {
			if m, ok := b.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}
