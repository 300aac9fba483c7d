package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// AlarmsFunc returns the current state of the given alarms (cwalarms.Lister.Describe is the real
// one).
type AlarmsFunc func(ctx context.Context, arns []string) ([]cwalarms.Alarm, error)

// SetAlarms lets the relay serve reminder and window end events, asking list for the alarms'
// states (a digest of its overflow queue asks it too: Alarms).
func (r *Relay) SetAlarms(list AlarmsFunc) { r.alarms = list }

// HandleJSON serves one invocation: the stack's reminder schedule sends
// {"alarmRelay":"remind",…}; anything else must be an SNS event. An SNS event, the common case,
// is decoded once; relayconfig.ParseReminderEvent reads (strictly) only what has the reminder's
// mark or is no SNS event.
func (r *Relay) HandleJSON(ctx context.Context, raw []byte) error {
	var in struct {
		alarm.Event
		Reminder *string `json:"alarmRelay"`
	}
	err := json.Unmarshal(raw, &in)
	if err != nil || in.Reminder != nil {
		if ev, ok, werr := maintenance.ParseEndEvent(raw); ok {
			if werr != nil {
				r.log.ErrorContext(ctx, "event rejected", "error", werr.Error())
				return &InvalidEventError{Err: werr}
			}
			return r.WindowEnded(ctx, ev)
		}
		if ev, ok, rerr := relayconfig.ParseReminderEvent(raw); ok {
			if rerr != nil {
				r.log.ErrorContext(ctx, "event rejected", "error", rerr.Error())
				return &InvalidEventError{Err: rerr}
			}
			return r.Remind(ctx, ev)
		}
	}
	if err != nil {
		// Decoded as an alarm.Event alone, the error names its fields as alarm's types do.
		var ev alarm.Event
		if e := json.Unmarshal(raw, &ev); e != nil {
			err = e
		}
		err = fmt.Errorf("neither an SNS event nor a reminder event: %w", err)
		r.log.ErrorContext(ctx, "event rejected", "error", err.Error())
		return &InvalidEventError{Err: err}
	}
	return r.Handle(ctx, in.Event)
}

// Remind serves one tick of the reminder schedule: every alarm of the event that has been in
// ALARM for an interval gets a reminder, as its destination reminds (Destination.Remind). Any reminder not delivered fails the invocation.
func (r *Relay) Remind(ctx context.Context, ev relayconfig.ReminderEvent) error {
	if r.alarms == nil {
		err := errors.New("this relay cannot read alarm states, so it serves no reminder events")
		r.log.ErrorContext(ctx, "event rejected", "error", err.Error())
		return &InvalidEventError{Err: err}
	}
	alarms, err := r.alarms(ctx, ev.AlarmARNs)
	var bad *cwalarms.BadARNsError
	if errors.As(err, &bad) {
		// One ARN of another region (or not an ARN) must not cost the others their reminders:
		// the good ones are reminded, the bad part is rejected as a bad event, not retried as
		// "not delivered".
		r.log.ErrorContext(ctx, "event rejected", "error", "reminder event: "+bad.Error(), "rejected_alarms", len(bad.ARNs), "alarms", len(ev.AlarmARNs))
		err = nil
	}
	if err != nil {
		r.log.ErrorContext(ctx, "reminders not delivered", "alarms", len(ev.AlarmARNs), "error", err.Error())
		return &NotDeliveredError{Failed: len(ev.AlarmARNs), Total: len(ev.AlarmARNs), What: "reminders", Err: fmt.Errorf("read the alarms' states: %w", err)}
	}
	due := r.notHeld(ctx, lifecycle.Due(alarms, ev.Every(), r.now()))
	r.log.InfoContext(ctx, "reminder tick", "alarms", len(ev.AlarmARNs), "found", len(alarms), "due", len(due), "every_minutes", ev.EveryMinutes)
	var failures []error
	for _, rem := range due {
		if err := r.remind(ctx, rem, ev.Every()); err != nil {
			failures = append(failures, err)
		}
	}
	if len(failures) > 0 {
		return &NotDeliveredError{Failed: len(failures), Total: len(due), What: "reminders", Err: errors.Join(failures...)}
	}
	if bad != nil {
		// Reported once per tick as what it is; a retry finds the good ones reminded recently.
		return &InvalidEventError{Err: fmt.Errorf("reminder event: %d of %d alarm ARNs cannot be asked about: %w", len(bad.ARNs), len(ev.AlarmARNs), bad)}
	}
	return nil
}

func (r *Relay) remind(ctx context.Context, rem lifecycle.Reminder, every time.Duration) error {
	attrs := []any{"alarm", rem.AlarmName, "in_alarm_for_minutes", int(rem.For.Minutes()), "messenger", string(r.messenger)}
	fail := func(err error) error {
		r.log.ErrorContext(ctx, "reminder not delivered", append(attrs, "error", err.Error())...)
		return fmt.Errorf("remind %q: %w", rem.AlarmName, err)
	}
	line := render.NewIncidentLines(r.options.Language, r.options.Location).Reminder(rem.AlarmName, rem.Since, rem.For)
	text, err := render.Build(r.messenger, alarm.Notification{Subject: rem.AlarmName, Text: line}, r.options)
	if err != nil {
		return fail(err)
	}
	d, err := r.dest.Remind(ctx, rem, every, text)
	attrs = append(attrs, d.Attrs...)
	if err != nil {
		return fail(err)
	}
	if d.NothingPosted {
		r.log.InfoContext(ctx, d.Why, attrs...)
		return nil
	}
	r.log.InfoContext(ctx, "reminded", attrs...)
	return nil
}
