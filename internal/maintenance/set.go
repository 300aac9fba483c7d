package maintenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EnvWindows is the relay's environment variable holding its windows as compact JSON (Encode).
const EnvWindows = "MAINTENANCE_WINDOWS"

// Set is every window of one destination.
type Set []Window

// CompileAll compiles every spec; problems are named "[i].field", and a name used twice is one.
func CompileAll(specs []Spec) (Set, []Problem) {
	return compileAll(specs, Compile)
}

// CheckAll is CompileAll with Check's rule for ends, from `from`: the stack's validation.
func CheckAll(specs []Spec, from time.Time) (Set, []Problem) {
	return compileAll(specs, func(s Spec) (Window, []Problem) { return Check(s, from) })
}

func compileAll(specs []Spec, compile func(Spec) (Window, []Problem)) (Set, []Problem) {
	var set Set
	var problems []Problem
	seen := map[string]int{}
	for i, s := range specs {
		w, ps := compile(s)
		for _, p := range ps {
			problems = append(problems, Problem{Field: fmt.Sprintf("[%d].%s", i, p.Field), Message: p.Message})
		}
		if j, dup := seen[w.Name]; dup && w.Name != "" {
			problems = append(problems, Problem{Field: fmt.Sprintf("[%d].name", i), Message: fmt.Sprintf("%q also names window [%d]: each window needs its own name", w.Name, j)})
		}
		seen[w.Name] = i
		set = append(set, w)
	}
	return set, problems
}

// Specs are the windows in canonical form.
func (s Set) Specs() []Spec {
	out := make([]Spec, len(s))
	for i, w := range s {
		out[i] = w.Spec
	}
	return out
}

// Encode is the set as the relay's environment holds it: compact JSON, "" for no windows.
func (s Set) Encode() (string, error) {
	if len(s) == 0 {
		return "", nil
	}
	out, err := json.Marshal(s.Specs())
	if err != nil {
		return "", fmt.Errorf("maintenance windows: %w", err)
	}
	return string(out), nil
}

// Decode reads the environment's windows (Encode's form; "" is none) and compiles them.
func Decode(raw string) (Set, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var specs []Spec
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&specs); err != nil {
		return nil, fmt.Errorf("%s: %w (expected [{\"name\":\"sunday-deploy\",\"days\":[\"Sun\"],\"start\":\"02:00\",\"durationMinutes\":120,\"timezone\":\"Asia/Seoul\"}])", EnvWindows, err)
	}
	set, problems := CompileAll(specs)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = EnvWindows + p.Field + ": " + p.Message
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	return set, nil
}

// Find is the window named name.
func (s Set) Find(name string) (Window, bool) {
	for _, w := range s {
		if w.Name == name {
			return w, true
		}
	}
	return Window{}, false
}

// Holding is the first window holding the alarm's notifications at t, and its occurrence.
func (s Set) Holding(alarmName string, t time.Time) (Window, Occurrence, bool) {
	for _, w := range s {
		if !w.Holds(alarmName) {
			continue
		}
		if o, ok := w.At(t); ok {
			return w, o, true
		}
	}
	return Window{}, Occurrence{}, false
}

// HeldSince is when the alarm's hold that ends with occurrence o began: o's start, or earlier
// when other windows (or the same one) held the alarm without a break before it. A summary
// counts the changes since then, since none of them was posted.
func (s Set) HeldSince(alarmName string, o Occurrence) time.Time {
	since := o.Start
	for range 16 { // overlapping windows chain; a handful is plenty
		moved := false
		for _, w := range s {
			if !w.Holds(alarmName) {
				continue
			}
			if prev, ok := w.At(since.Add(-time.Nanosecond)); ok && prev.Start.Before(since) {
				since, moved = prev.Start, true
			}
		}
		if !moved {
			break
		}
	}
	return since
}

// EndEvent is what a window's end schedule sends the relay:
// {"alarmRelay":"windowEnd","window":"sunday-deploy","alarmArns":["arn:aws:cloudwatch:…"]}.
// The ARNs are the alarms of the destination the window holds.
type EndEvent struct {
	Action    string   `json:"alarmRelay"`
	Window    string   `json:"window"`
	AlarmARNs []string `json:"alarmArns"`
}

// ActionWindowEnd marks a window-end event.
const ActionWindowEnd = "windowEnd"

// EndInput is the end schedule's input for one destination's window.
func EndInput(window string, alarmARNs []string) (string, error) {
	if len(alarmARNs) == 0 {
		return "", fmt.Errorf("window %q: no alarms to sum up", window)
	}
	out, err := json.Marshal(EndEvent{Action: ActionWindowEnd, Window: window, AlarmARNs: alarmARNs})
	if err != nil {
		return "", fmt.Errorf("window end input: %w", err)
	}
	return string(out), nil
}

// ParseEndEvent tells whether raw is a window-end event (ok false: another event) and checks it.
func ParseEndEvent(raw []byte) (EndEvent, bool, error) {
	var probe struct {
		Action string `json:"alarmRelay"`
	}
	if json.Unmarshal(raw, &probe) != nil || probe.Action != ActionWindowEnd {
		return EndEvent{}, false, nil
	}
	var e EndEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, true, fmt.Errorf("window end event: %w (expected {\"alarmRelay\":\"windowEnd\",\"window\":\"sunday-deploy\",\"alarmArns\":[…]})", err)
	}
	switch {
	case e.Window == "":
		return e, true, errors.New("window end event: window is empty; name the window that ended")
	case len(e.AlarmARNs) == 0:
		return e, true, errors.New("window end event: alarmArns is empty; list the alarms to sum up")
	}
	for _, arn := range e.AlarmARNs {
		f := strings.SplitN(arn, ":", 7)
		if len(f) != 7 || f[0] != "arn" || f[2] != "cloudwatch" || f[5] != "alarm" || f[6] == "" {
			return e, true, fmt.Errorf("window end event: alarmArns: %q is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)", arn)
		}
	}
	return e, true, nil
}
