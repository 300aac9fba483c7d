package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The states a destination can ask for at the least (see Destination.MinimumState).
var minimumStates = []string{"OK", "INSUFFICIENT_DATA", "ALARM"}

// Destination is one chat webhook with its own relay, retries and dead-letter queue.
type Destination struct {
	Name    string // unique; names its resources. "" for the webhookUrl shorthand
	Legacy  bool   // the webhookUrl shorthand: resource names as before destinations existed
	Webhook pulumi.StringOutput
	// Messenger is "auto" or a messenger name; Timezone an IANA name.
	Messenger, Timezone string
	// MinimumState: OK delivers every state change; INSUFFICIENT_DATA leaves out recoveries from
	// INSUFFICIENT_DATA; ALARM delivers only changes to ALARM and the recoveries from it.
	MinimumState string
	Alarms       []string // CloudWatch alarm names it receives; nil for all
	Language     string   // en or ko
	Mentions     string   // comma-separated, notified on ALARM
	Trend        bool     // show single-metric alarms' last hour
}

// destinationEntry is one element of the destinations key as written in Pulumi.<stack>.yaml.
type destinationEntry struct {
	Name         string   `json:"name"`
	Webhook      string   `json:"webhook"`
	Messenger    string   `json:"messenger"`
	Timezone     string   `json:"timezone"`
	MinimumState string   `json:"minimumState"`
	Alarms       []string `json:"alarms"`
	Language     string   `json:"language"`
	Mentions     []string `json:"mentions"`
	Trend        *bool    `json:"trend"`
}

var destinationName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,19}$`)

// destinations reads the destinations key, or makes the single webhookUrl destination.
func (r *reader) destinations(s *Settings) []Destination {
	raw, set := r.raw("destinations")
	hook, hookSet := r.raw(WebhookKey)
	hookSet = hookSet && strings.TrimSpace(hook) != ""
	if !set {
		return r.legacyDestination(s, hook, hookSet)
	}
	if hookSet {
		r.fail(WebhookKey, "set webhookUrl (one destination) or destinations, not both")
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || len(entries) == 0 {
		r.fail("destinations", "must be a non-empty list of {name, webhook, messenger, timezone, minimumState, alarms}")
		return nil
	}
	secret := r.ctx.IsConfigSecret(r.project + ":destinations")
	byID := map[string]string{}
	for _, a := range s.Alarms {
		byID[a.ID] = a.Name
	}
	var out []Destination
	seen := map[string]bool{}
	for i, data := range entries {
		prefix := fmt.Sprintf("destinations[%d].", i)
		var e destinationEntry
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			r.fail(strings.TrimSuffix(prefix, "."), "%v", err)
			continue
		}
		d := Destination{Name: e.Name, Messenger: strings.ToLower(e.Messenger), Timezone: e.Timezone, MinimumState: e.MinimumState,
			Language: e.Language, Mentions: strings.Join(e.Mentions, ","), Trend: s.Trend}
		if e.Trend != nil {
			d.Trend = *e.Trend
		}
		if d.Language == "" {
			d.Language = s.Language
		}
		r.language(prefix+"language", d.Language)
		r.mentions(prefix+"mentions", d.Mentions)
		if !destinationName.MatchString(e.Name) {
			r.fail(prefix+"name", "%q must be 1 to 20 lowercase letters, digits or '-', starting with a letter or digit", e.Name)
		} else if seen[e.Name] {
			r.fail(prefix+"name", "%q names two destinations", e.Name)
		}
		seen[e.Name] = true
		if d.Messenger == "" {
			d.Messenger = s.Messenger
		}
		if d.Timezone == "" {
			d.Timezone = s.Timezone
		}
		if d.MinimumState == "" {
			d.MinimumState = "OK"
		}
		r.messenger(prefix+"messenger", d.Messenger)
		r.timezone(prefix+"timezone", d.Timezone)
		if !slices.Contains(minimumStates, d.MinimumState) {
			r.fail(prefix+"minimumState", "%q is not one of %s", d.MinimumState, strings.Join(minimumStates, ", "))
		}
		switch {
		case strings.TrimSpace(e.Webhook) == "":
			r.fail(prefix+"webhook", "not set: pulumi config set --secret --path '%swebhook' https://hooks.slack.com/services/...", prefix)
		case !secret:
			r.fail(prefix+"webhook", "is stored in plain text: set it again with pulumi config set --secret --path '%swebhook' ...", prefix)
		default:
			r.webhook(prefix+"webhook", e.Webhook, prefix+"messenger", d.Messenger)
		}
		for _, id := range e.Alarms {
			name, ok := byID[id]
			if !ok {
				r.fail(prefix+"alarms", "unknown alarm %q; the stack's alarms are %s", id, strings.Join(slices.Sorted(maps.Keys(byID)), ", "))
				continue
			}
			d.Alarms = append(d.Alarms, name)
		}
		d.Webhook = pulumi.ToSecret(pulumi.String(strings.TrimSpace(e.Webhook))).(pulumi.StringOutput)
		out = append(out, d)
	}
	return out
}

func (r *reader) legacyDestination(s *Settings, hook string, set bool) []Destination {
	switch {
	case !set:
		r.fail(WebhookKey, "not set: pulumi config set --secret %s https://hooks.slack.com/services/... (or configure destinations)", WebhookKey)
		return nil
	case !r.ctx.IsConfigSecret(r.project + ":" + WebhookKey):
		r.fail(WebhookKey, "is stored in plain text: set it again with pulumi config set --secret %s ...", WebhookKey)
	default:
		r.webhook(WebhookKey, hook, "messenger", s.Messenger)
	}
	return []Destination{{Legacy: true, Webhook: pulumi.ToSecret(pulumi.String(strings.TrimSpace(hook))).(pulumi.StringOutput), Messenger: s.Messenger, Timezone: s.Timezone, MinimumState: "OK",
		Language: s.Language, Mentions: s.Mentions, Trend: s.Trend}}
}
