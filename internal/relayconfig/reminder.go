package relayconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ReminderEvent is what a destination's reminder schedule (an EventBridge rule's constant input)
// sends the relay: {"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:…"]}.
// The ARNs are the alarms the destination receives. The stack writes it with ReminderInput, the
// relay reads it with ParseReminderEvent.
type ReminderEvent struct {
	Action       string   `json:"alarmRelay"` // what the relay is asked to do: "remind"
	EveryMinutes int      `json:"everyMinutes"`
	AlarmARNs    []string `json:"alarmArns"`
}

// actionRemind marks a reminder event.
const actionRemind = "remind"

// The reminder intervals both sides accept. EventBridge schedules to the minute, but a reminder
// more often than every 5 minutes drowns the channel and falls within the schedule's own jitter
// and the alarms' evaluation periods (5 minutes by default); one a day is the longest interval an
// on-call shift still notices. An event outside them did not come from the stack's schedule.
const (
	MinRemindMinutes = 5
	MaxRemindMinutes = 24 * 60
)

// Every is the reminder interval.
func (e ReminderEvent) Every() time.Duration { return time.Duration(e.EveryMinutes) * time.Minute }

// check is the one rule for a reminder event, on both sides.
func (e ReminderEvent) check() error {
	switch {
	case e.Action != actionRemind:
		return fmt.Errorf("reminder event: alarmRelay is %q; the only kind is %q", e.Action, actionRemind)
	case e.EveryMinutes < MinRemindMinutes || e.EveryMinutes > MaxRemindMinutes:
		return fmt.Errorf("reminder event: everyMinutes is %d; use %d to %d", e.EveryMinutes, MinRemindMinutes, MaxRemindMinutes)
	case len(e.AlarmARNs) == 0:
		return errors.New("reminder event: alarmArns is empty; list the alarms to remind about")
	}
	return nil
}

// ReminderInput is the schedule's input for one destination: remind every `every` minutes of the
// alarms (ARNs) it receives.
func ReminderInput(every int, alarmARNs []string) (string, error) {
	e := ReminderEvent{Action: actionRemind, EveryMinutes: every, AlarmARNs: alarmARNs}
	if err := e.check(); err != nil {
		return "", err
	}
	out, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("reminder input: %w", err)
	}
	return string(out), nil
}

// ParseReminderEvent tells whether raw is a reminder event (ok false: some other event, such as
// SNS) and checks it.
func ParseReminderEvent(raw []byte) (ReminderEvent, bool, error) {
	var probe struct {
		Action *string `json:"alarmRelay"`
	}
	if json.Unmarshal(raw, &probe) != nil || probe.Action == nil {
		return ReminderEvent{}, false, nil
	}
	var e ReminderEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, true, fmt.Errorf("reminder event: %w (expected {\"alarmRelay\":\"remind\",\"everyMinutes\":60,\"alarmArns\":[…]})", err)
	}
	if err := e.check(); err != nil {
		return e, true, err
	}
	for _, arn := range e.AlarmARNs {
		if !isAlarmARN(arn) {
			return e, true, fmt.Errorf("reminder event: alarmArns: %q is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)", arn)
		}
	}
	return e, true, nil
}

// isAlarmARN tells whether s has the shape of a CloudWatch alarm's ARN, as the relay reads it
// (function/internal/alarm.ParseARN): a bad one is a bad event, not a failed delivery.
func isAlarmARN(s string) bool {
	f := strings.SplitN(s, ":", 7)
	return len(f) == 7 && f[0] == "arn" && f[1] != "" && f[2] == "cloudwatch" && f[3] != "" && f[5] == "alarm" && f[6] != ""
}
