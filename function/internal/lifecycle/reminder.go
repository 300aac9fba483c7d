package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// Reminder is an alarm that has been in ALARM long enough to remind about.
type Reminder struct {
	AlarmARN  string
	AlarmName string
	Since     time.Time
	For       time.Duration
}

// Due picks the alarms in ALARM for at least one interval (less a tenth, at most a minute, for
// the schedule's own jitter): an alarm that just fired was announced moments ago.
func Due(alarms []cwalarms.Alarm, every time.Duration, now time.Time) []Reminder {
	grace := min(every/10, time.Minute)
	var out []Reminder
	for _, a := range alarms {
		if a.State != string(alarm.StateAlarm) || a.Since.IsZero() {
			continue
		}
		if lasted := now.Sub(a.Since); lasted >= every-grace {
			out = append(out, Reminder{AlarmARN: a.ARN, AlarmName: a.Name, Since: a.Since, For: lasted})
		}
	}
	return out
}

// ReminderText is a reminder as plain text, for webhook destinations to post as a new message:
// "⏰ orders-api latency is still in ALARM for 2 h 10 min (since 2026-11-20 07:32 UTC)".
func ReminderText(r Reminder, language render.Language, loc *time.Location) (string, error) {
	t, err := newTexts(language, loc)
	if err != nil {
		return "", err
	}
	return t.Reminder(r.AlarmName, r.Since, r.For), nil
}

// Remind posts a reminder in the alarm's incident thread; its errors leave naming the alarm to
// the caller, as Apply's do. An incident reminded less than half
// an interval ago is left alone (a retried tick). Without an open incident (its ALARM was never
// shown here, or the state was lost) the reminder is posted as a new root message and opens one,
// so that the recovery later turns it green and further reminders go into its thread.
func (x *Incidents) Remind(ctx context.Context, r Reminder, every time.Duration) (Result, error) {
	lock, inc, err := x.store.Lock(ctx, incident.Key{AlarmARN: r.AlarmARN, Destination: x.destination})
	if err != nil {
		return Result{}, err
	}
	now := x.now()
	if inc.Open() && !inc.RemindedAt.IsZero() && now.Sub(inc.RemindedAt) < every/2 {
		return Result{Action: "reminded recently: nothing posted", Channel: inc.Channel, RootTS: inc.RootTS}, lock.Release(ctx)
	}
	var p plan
	if inc.Open() {
		p = plan{action: "reminded in the thread", reply: x.texts.StillInAlarm(r.Since, r.For), next: inc, commit: true}
	} else {
		root, err := marshal(map[string]string{"text": render.EscapeMrkdwn(x.texts.Reminder(r.AlarmName, r.Since, r.For))})
		if err != nil {
			return Result{}, errors.Join(err, lock.Release(ctx))
		}
		// LastChange stays zero: the ALARM notification, should it still arrive, is not a repeat.
		p = plan{action: "reminded: posted a root message", post: root, commit: true,
			next: incident.Incident{State: string(alarm.StateAlarm), StateSince: r.Since, OpenedAt: r.Since, LastChange: inc.LastChange}}
	}
	p.next.RemindedAt = now
	res, next, err := x.carryOut(ctx, inc, p)
	if err != nil {
		return res, errors.Join(err, lock.Release(ctx))
	}
	if err := lock.Commit(ctx, next); err != nil {
		return res, fmt.Errorf("posted but not remembered: %w", err)
	}
	return res, nil
}

// Post sends a message that belongs to no incident (an SNS notification that is not an alarm).
func (x *Incidents) Post(ctx context.Context, payload []byte) (slackapi.Posted, error) {
	return x.slack.PostMessage(ctx, slackapi.Message{Channel: x.channel, Payload: payload})
}
