package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
)

// SetWindows makes the relay hold alarm notifications inside its maintenance windows and sum
// them up at each window's end (the end schedule's event).
func (r *Relay) SetWindows(set maintenance.Set) { r.windows = set }

// Windows are the relay's maintenance windows.
func (r *Relay) Windows() maintenance.Set { return r.windows }

// SetClock replaces the relay's clock (tests).
func (r *Relay) SetClock(now func() time.Time) { r.now = now }

// At runs the relay as if every event happened at t: a local run's -at, which asks whether an
// event at t would be held, whenever its alarm changed.
func (r *Relay) At(t time.Time) *Relay {
	r.now, r.atClock = func() time.Time { return t }, true
	return r
}

// earlyEnd is how long before a window's end its end event may come and still stand for it.
const earlyEnd = time.Minute

// clockSkew is how far in the future a state change time may lie and still be believed.
const clockSkew = 5 * time.Minute

// ChangedAt is the time a window is asked about for an alarm notification (see changedAt).
func (r *Relay) ChangedAt(n alarm.Notification) time.Time { return r.changedAt(n) }

// changedAt is when a notification's alarm changed, the time a window is asked about: the same
// clock the window's summary reads (the alarm's last transition), so that a change just before a
// window, delivered inside it, is posted, and one just before its end, delivered after it, is
// held and summed up. Without a believable change time (none, or in the future), it is now.
func (r *Relay) changedAt(n alarm.Notification) time.Time {
	now := r.now()
	if at := n.Alarm.ChangedAt; !r.atClock && !at.IsZero() && !at.After(now.Add(clockSkew)) {
		return at
	}
	return now
}

// HeldBy is the window holding an alarm notification, if any, and the time it was asked about
// (the change time, see changedAt).
func (r *Relay) HeldBy(n alarm.Notification) (maintenance.Window, maintenance.Occurrence, time.Time, bool) {
	if n.Alarm == nil || len(r.windows) == 0 {
		return maintenance.Window{}, maintenance.Occurrence{}, time.Time{}, false
	}
	at := r.changedAt(n)
	w, o, ok := r.windows.Holding(n.Alarm.Name, at)
	return w, o, at, ok
}

// held tells whether a window holds an alarm notification (at its change time, see changedAt),
// and logs it as held: it is not posted, and it is no failure. What it said reaches chat in the
// window's summary.
func (r *Relay) held(ctx context.Context, n alarm.Notification, attrs []any) bool {
	w, o, at, ok := r.HeldBy(n)
	if !ok {
		return false
	}
	r.log.InfoContext(ctx, "held", append(attrs, "window", w.Name, "changed_at", at.Format(time.RFC3339), "window_ends", o.End.In(w.Location()).Format(time.RFC3339))...)
	return true
}

// notHeld leaves out the reminders of alarms a window holds now: they pause until it ends.
func (r *Relay) notHeld(ctx context.Context, due []lifecycle.Reminder) []lifecycle.Reminder {
	if len(r.windows) == 0 {
		return due
	}
	out := due[:0:0]
	for _, rem := range due {
		if w, _, ok := r.windows.Holding(rem.AlarmName, r.now()); ok {
			r.log.InfoContext(ctx, "reminder held", "alarm", rem.AlarmName, "window", w.Name)
			continue
		}
		out = append(out, rem)
	}
	return out
}

// WindowEnded serves a window's end schedule: it reads the window's alarms (DescribeAlarms),
// posts one summary of what changed while they were held and where each is now (nothing when all
// is quiet and OK), and then alerts as usual each alarm that changed inside the window and is
// still in ALARM, so that none stays hidden past the window (a Slack app destination's incident
// opens or updates; one that recovered inside the window is resolved). An alarm another window
// still holds is left to that window's end.
func (r *Relay) WindowEnded(ctx context.Context, ev maintenance.EndEvent) error {
	w, ok := r.windows.Find(ev.Window)
	if !ok {
		err := fmt.Errorf("window end event: %q is not one of this relay's windows (%s): an end schedule left from an older configuration?", ev.Window, maintenance.EnvWindows)
		r.log.ErrorContext(ctx, "event rejected", "error", err.Error())
		return &InvalidEventError{Err: err}
	}
	if r.alarms == nil {
		err := errors.New("this relay cannot read alarm states, so it serves no window end events")
		r.log.ErrorContext(ctx, "event rejected", "error", err.Error())
		return &InvalidEventError{Err: err}
	}
	now := r.now()
	if o, on := w.At(now); on && o.End.Sub(now) <= earlyEnd {
		// The schedule fired a moment early (the clocks differ): this is that occurrence's end.
		// Last week's would find every alarm still held and end the window without a word.
		now = o.End
	}
	occ, ok := w.LastEnded(now)
	if !ok {
		r.log.WarnContext(ctx, "window end event before the window ever ended; nothing to sum up", "window", w.Name)
		return nil
	}
	alarms, err := r.alarms(ctx, ev.AlarmARNs)
	if err != nil {
		r.log.ErrorContext(ctx, "window summary not delivered", "window", w.Name, "alarms", len(ev.AlarmARNs), "error", err.Error())
		return &NotDeliveredError{Failed: 1, Total: 1, What: "window summaries", Err: fmt.Errorf("read the alarms' states: %w", err)}
	}
	summary, changed := r.summarize(ctx, w, occ, alarms, now)
	attrs := []any{"window", w.Name, "alarms", len(alarms), "changed", summary.Changed, "still_alarm", len(summary.StillAlarm), "back_to_ok", len(summary.BackToOK)}
	if summary.Quiet() {
		r.log.InfoContext(ctx, "window ended quietly: nothing to post", attrs...)
		return nil
	}
	var failures []error
	if posted, err := r.postSummary(ctx, summary); err != nil {
		r.log.ErrorContext(ctx, "window summary not delivered", append(attrs, "error", err.Error())...)
		failures = append(failures, fmt.Errorf("summary of window %q: %w", w.Name, err))
	} else if !posted {
		r.log.InfoContext(ctx, "window summary posted before (a repeated end event): not posted again", attrs...)
	} else {
		r.log.InfoContext(ctx, "window summary delivered", append(attrs, "text", render.WindowSummaryText(summary, r.options.Language))...)
	}
	for _, a := range changed {
		if err := r.afterWindow(ctx, w, a); err != nil {
			failures = append(failures, err)
		}
	}
	if len(failures) > 0 {
		return &NotDeliveredError{Failed: len(failures), Total: 1 + len(changed), What: "window summaries and alerts", Err: errors.Join(failures...)}
	}
	return nil
}

// summarize sorts the window's alarms by what happened to them during the hold that ended with
// occ (see maintenance.Set.HeldSince): changed inside it or not, and their state now. changed
// are the alarms that changed inside it, to be shown as usual after the summary.
func (r *Relay) summarize(ctx context.Context, w maintenance.Window, occ maintenance.Occurrence, alarms []cwalarms.Alarm, now time.Time) (render.WindowSummary, []cwalarms.Alarm) {
	s := render.WindowSummary{Window: w.Name, Start: occ.Start, End: occ.End, Location: w.Location()}
	var changed []cwalarms.Alarm
	for _, a := range alarms {
		if !w.Holds(a.Name) {
			continue
		}
		if other, o, ok := r.windows.Holding(a.Name, now); ok {
			r.log.InfoContext(ctx, "still held by another window: left to its summary", "alarm", a.Name, "window", w.Name, "held_by", other.Name, "until", o.End.Format(time.RFC3339))
			continue
		}
		if first, ok := r.firstEndingWith(a.Name, occ.End); ok && first.Name != w.Name {
			r.log.InfoContext(ctx, "another window ending now holds it too: left to its summary", "alarm", a.Name, "window", w.Name, "summed_up_by", first.Name)
			continue
		}
		since := r.windows.HeldSince(a.Name, occ)
		if since.Before(s.Start) {
			s.Start = since
		}
		inside := !a.Since.IsZero() && !a.Since.Before(since) && a.Since.Before(occ.End)
		item := render.SummaryAlarm{Name: a.Name, Since: a.Since}
		switch {
		case a.State == string(alarm.StateAlarm):
			s.StillAlarm = append(s.StillAlarm, item)
		case !inside:
			continue
		case a.State == string(alarm.StateOK):
			s.BackToOK = append(s.BackToOK, item)
		default:
			s.NoData = append(s.NoData, item)
		}
		if inside {
			s.Changed++
			changed = append(changed, a)
		}
	}
	return s, changed
}

// firstEndingWith is the first window of the configuration that holds the alarm and has an
// occurrence ending at end: of windows ending together, it alone sums the alarm up (each has its
// own end schedule, and one summary is enough).
func (r *Relay) firstEndingWith(alarmName string, end time.Time) (maintenance.Window, bool) {
	for _, w := range r.windows {
		if !w.Holds(alarmName) {
			continue
		}
		if o, ok := w.LastEnded(end); ok && o.End.Equal(end) {
			return w, true
		}
	}
	return maintenance.Window{}, false
}

// postSummary posts the summary (Destination.Announce): a Slack app remembers it by the window
// and its end, so that a repeated end event posts nothing (posted false); a webhook keeps no
// state: it is posted again.
func (r *Relay) postSummary(ctx context.Context, s render.WindowSummary) (posted bool, err error) {
	payload, err := render.BuildWindowSummary(r.messenger, s, r.options)
	if err != nil {
		return false, err
	}
	// Once per window occurrence where the destination remembers: a repeated end event (another
	// container, a retry) posts nothing.
	d, err := r.dest.Announce(ctx, "window-end:"+s.Window+"@"+s.End.UTC().Format(time.RFC3339), payload)
	return err == nil && !d.NothingPosted, err
}

// afterWindow shows an alarm that changed inside the window as its held notification would have
// been: still in ALARM, it is alerted as usual; a Slack app destination also applies a recovery
// or a change to INSUFFICIENT_DATA to an incident open from before the window (one that is not
// open posts nothing: the summary told it).
func (r *Relay) afterWindow(ctx context.Context, w maintenance.Window, a cwalarms.Alarm) error {
	n := notificationOf(a)
	notice := Notice{Notification: n, AfterWindow: true, Now: r.now()}
	if r.dest.Screen(notice).Skip {
		return nil
	}
	attrs := []any{"alarm", a.Name, "state", a.State, "window", w.Name, "messenger", string(r.messenger)}
	payload, err := render.Build(r.messenger, n, r.options)
	if err != nil {
		return r.report(ctx, n, attrs, err)
	}
	d, err := r.dest.Deliver(ctx, notice, payload)
	attrs = append(attrs, d.Attrs...)
	if err == nil && d.NothingPosted {
		r.log.InfoContext(ctx, "after the window: "+d.Why, attrs...)
		return nil
	}
	return r.report(ctx, n, attrs, err)
}

// notificationOf is an alarm's current state as the notification of its last change: what
// DescribeAlarms tells (name, state, reason, since), with the region, account and console link
// its ARN gives.
func notificationOf(a cwalarms.Alarm) alarm.Notification {
	al := &alarm.Alarm{Name: a.Name, ARN: a.ARN, State: alarm.State(a.State), Reason: a.Reason, ChangedAt: a.Since}
	if arn, ok := alarm.ParseARN(a.ARN); ok {
		al.Region, al.AccountID, al.Partition = arn.Region, arn.Account, arn.Partition
		al.ConsoleURL = alarm.ConsoleURL(arn.Partition, arn.Region, a.Name)
	}
	return alarm.Notification{Subject: a.Name, Published: a.Since, Alarm: al}
}
