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

// Incidents keeps one Slack message per incident; *lifecycle.Incidents is the real one.
type Incidents interface {
	Apply(ctx context.Context, c lifecycle.Change) (lifecycle.Result, error)
	// Post posts a notification that is no alarm change, once per SNS MessageId.
	Post(ctx context.Context, messageID string, payload []byte) (lifecycle.Result, error)
	Remind(ctx context.Context, r lifecycle.Reminder, every time.Duration) (lifecycle.Result, error)
}

// AlarmsFunc returns the current state of the given alarms (cwalarms.Lister.Describe is the real
// one).
type AlarmsFunc func(ctx context.Context, arns []string) ([]cwalarms.Alarm, error)

// WithIncidents makes the relay a Slack app destination's: each alarm notification is shown in
// its incident's message (posted, updated in place, replied to in its thread) instead of posted.
func (r *Relay) WithIncidents(x Incidents) *Relay {
	r.incidents = x
	return r
}

// WithAlarms lets the relay serve reminder events, asking list for the alarms' states.
func (r *Relay) WithAlarms(list AlarmsFunc) *Relay {
	r.alarms = list
	return r
}

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

// show puts an alarm notification into its incident (or, without an alarm ARN, posts it on its
// own). Anything not shown, or shown but not remembered, is an error: Lambda retries the event,
// and the incident recognises what it already shows.
func (r *Relay) show(ctx context.Context, n alarm.Notification, payload []byte, attrs []any) error {
	start := r.now()
	var (
		res lifecycle.Result
		err error
	)
	if n.Alarm != nil && n.Alarm.ARN != "" {
		res, err = r.incidents.Apply(ctx, lifecycle.ChangeFrom(n.Alarm, payload))
		attrs = append(attrs, "action", res.Action.String(), "channel", res.Channel, "root_ts", res.RootTS, "new_root", res.NewRoot)
	} else {
		res, err = r.incidents.Post(ctx, n.MessageID, payload)
		attrs = append(attrs, "action", res.Action.String(), "channel", res.Channel, "ts", res.RootTS)
	}
	attrs = append(attrs, "duration_ms", r.now().Sub(start).Milliseconds(), "bytes", len(payload))
	if err == nil && res.NothingPosted() {
		// Handled, but nothing reached Slack: never logged as "delivered".
		if n.MessageID != "" {
			r.delivered.Add(n.MessageID)
		}
		r.log.InfoContext(ctx, res.Action.String(), attrs...)
		return nil
	}
	return r.report(ctx, n, attrs, err)
}

// Remind serves one tick of the reminder schedule: every alarm of the event that has been in
// ALARM for an interval gets a reminder — in its incident's thread for a Slack app destination, as
// a new message for a webhook. Any reminder not delivered fails the invocation.
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
	if r.incidents != nil {
		res, err := r.incidents.Remind(ctx, rem, every)
		attrs = append(attrs, "action", res.Action.String(), "channel", res.Channel, "root_ts", res.RootTS)
		if err != nil {
			return fail(err)
		}
		if res.NothingPosted() {
			r.log.InfoContext(ctx, res.Action.String(), attrs...)
			return nil
		}
		r.log.InfoContext(ctx, "reminded", attrs...)
		return nil
	}
	text := render.NewIncidentLines(r.options.Language, r.options.Location).Reminder(rem.AlarmName, rem.Since, rem.For)
	payload, err := render.Render(r.messenger, alarm.Notification{Subject: rem.AlarmName, Text: text}, r.options)
	if err != nil {
		return fail(err)
	}
	res, err := r.poster.Post(ctx, payload)
	attrs = append(attrs, "status", res.Status, "attempts", res.Attempts, "duration_ms", res.Duration.Milliseconds())
	if err != nil {
		return fail(err)
	}
	r.log.InfoContext(ctx, "reminded", attrs...)
	return nil
}
