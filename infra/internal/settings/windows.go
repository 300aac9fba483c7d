package settings

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// WindowsKey is the maintenance windows' key, top-level and in a destinations entry.
const WindowsKey = "maintenanceWindows"

// windowFields are the fields a maintenanceWindows entry may have.
var windowFields = []string{"name", "days", "start", "durationMinutes", "timezone", "end", "alarms"}

// Now is the clock the windows are checked from (an end in a DST gap in the coming years is
// refused); tests set it.
var Now = time.Now

// lambdaEnvBytes is Lambda's limit on a function's environment variables, keys and values.
const lambdaEnvBytes = 4096

// envReserve is kept free for what the stack adds to the environment once deployed: the secret's
// parameter name with its version, the incident table's name.
const envReserve = 512

// windows reads a list of maintenance windows at key (maintenanceWindows, or
// destinations[1].maintenanceWindows): each field checked, alarms given by id or label resolved
// to their CloudWatch names. set is false when the key is absent.
func (r *reader) windows(key string, raw json.RawMessage, s *Settings) maintenance.Set {
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		r.fail(key, "is %s: must be a list of windows such as [{name: sunday-deploy, days: [Sun], start: \"02:00\", durationMinutes: 120, timezone: Asia/Seoul}]", typeOf(raw))
		return nil
	}
	byID, byLabel := map[string]string{}, map[string]string{}
	for _, a := range s.Alarms {
		byID[a.ID], byLabel[a.Label] = a.Name, a.Name
	}
	specs := make([]maintenance.Spec, 0, len(entries))
	unread := make([]map[string]bool, len(entries)) // per entry, the fields that could not be read
	for i, data := range entries {
		path := fmt.Sprintf("%s[%d]", key, i)
		before := len(r.problems)
		o, ok := r.entry(path, data, windowFields)
		if !ok { // unread[i] stays nil: the entry's problem is that it is no object
			specs = append(specs, maintenance.Spec{})
			continue
		}
		spec := maintenance.Spec{Name: o.str("name"), Days: o.list("days"), Start: o.str("start"), Timezone: o.str("timezone"), End: o.str("end")}
		if n := o.whole("durationMinutes", "minutes such as 120"); n != nil {
			spec.DurationMinutes = *n
		}
		for j, ref := range o.list("alarms") {
			name, ok := byID[ref]
			if !ok {
				name, ok = byLabel[ref]
			}
			if !ok {
				r.fail(fmt.Sprintf("%s.alarms[%d]", path, j), "unknown alarm %q; the stack's alarms are %s", ref, strings.Join(slices.Sorted(maps.Keys(byID)), ", "))
				continue
			}
			if !slices.Contains(spec.Alarms, name) {
				spec.Alarms = append(spec.Alarms, name)
			}
		}
		specs = append(specs, spec)
		unread[i] = map[string]bool{}
		for _, p := range r.problems[before:] {
			field, _, _ := strings.Cut(strings.TrimPrefix(p.Key, path+"."), "[")
			unread[i][field] = true
		}
	}
	set, problems := maintenance.CheckAll(specs, Now())
	for _, p := range problems {
		// A field that could not be read has its problem already; its zero value has no other, and
		// an entry that is no object none at all.
		var i int
		if _, err := fmt.Sscanf(p.Field, "[%d]", &i); err == nil && i < len(unread) {
			field, _, _ := strings.Cut(p.Field[strings.Index(p.Field, ".")+1:], "[")
			if unread[i] == nil || unread[i][field] {
				continue
			}
		}
		r.fail(key+p.Field, "%s", p.Message)
	}
	return set
}

// topWindows reads the top-level maintenanceWindows: every destination's, unless it sets its own.
func (r *reader) topWindows(s *Settings) maintenance.Set {
	raw, set := r.raw(WindowsKey)
	if !set {
		return nil
	}
	return r.windows(WindowsKey, json.RawMessage(raw), s)
}

// destinationWindows is a destinations entry's own windows when it sets the key (an empty list
// keeps the destination loud through every window), else the top-level ones.
func (r *reader) destinationWindows(o *entry, s *Settings) maintenance.Set {
	raw, ok := o.raw(WindowsKey)
	if !ok {
		return s.Windows
	}
	return r.windows(o.key(WindowsKey), raw, s)
}

// windowsFit checks that the destination's windows fit the relay's environment with the rest of
// its settings: Lambda takes 4 KB of environment in all, measured as the variables' JSON (its
// error reads "String measured: {...}"), where every quote of the windows' own JSON costs two bytes.
func (r *reader) windowsFit(key string, d Destination) {
	if len(d.Windows) == 0 {
		return
	}
	encoded, err := d.Windows.Encode()
	if err != nil {
		r.fail(key, "%v", err)
		return
	}
	c := relayconfig.Config{Messenger: d.Messenger, Timezone: d.Timezone, Language: d.Language, Mentions: d.Mentions, Trend: d.Trend, SlackChannel: d.SlackChannel, Destination: d.Name}
	env := c.Env()
	rest, err := json.Marshal(env)
	if err != nil {
		r.fail(key, "%v", err)
		return
	}
	env[maintenance.EnvWindows] = encoded
	all, err := json.Marshal(env)
	if err != nil {
		r.fail(key, "%v", err)
		return
	}
	if size := len(all) + envReserve; size > lambdaEnvBytes {
		windows := len(all) - len(rest)
		r.fail(key, "%d windows take %d bytes of the relay's environment (as Lambda measures it, in JSON), which has %d left of Lambda's 4 KB (with %d bytes kept for the stack's own settings): use fewer windows or fewer alarms in them (or shorter mentions)",
			len(d.Windows), windows, max(lambdaEnvBytes-envReserve-len(rest), 0), envReserve)
	}
}
