package lifecycle

import (
	"context"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
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

// Remind posts a reminder in the alarm's incident thread; its errors leave naming the alarm to
// the caller, as Apply's do. An incident reminded less than half
// an interval ago is left alone (a retried tick). Without an open incident (its ALARM was never
// shown here, or the state was lost) the reminder is posted as a new root message and opens one,
// so that the recovery later turns it green and further reminders go into its thread.
func (x *Tracker) Remind(ctx context.Context, r Reminder, every time.Duration) (Result, error) {
	lock, inc, err := x.store.Lock(ctx, incident.Key{AlarmARN: r.AlarmARN, Destination: x.destination})
	if err != nil {
		return Result{}, err
	}
	now := x.now()
	if inc.Open() && !inc.RemindedAt.IsZero() && now.Sub(inc.RemindedAt) < every/2 {
		return Result{Action: ActionRemindedRecently, Channel: inc.Channel, RootTS: inc.RootTS}, lock.Release(ctx)
	}
	var p plan
	if inc.Open() {
		p = plan{action: ActionRemindedInThread, reply: x.texts.StillInAlarm(r.Since, r.For), next: inc, commit: true}
	} else {
		root := &blockkit.Message{Text: render.EscapeMrkdwn(x.texts.Reminder(r.AlarmName, r.Since, r.For))}
		// LastChange stays zero: the ALARM notification, should it still arrive, is not a repeat,
		// and no change of the closed incident (its OK) counts as this one's. The changes shown
		// stay known, so that none of them is shown again.
		p = plan{action: ActionRemindedRoot, post: root, commit: true,
			next: incident.Incident{State: string(alarm.StateAlarm), StateSince: r.Since, OpenedAt: r.Since, Shown: inc.Shown}}
	}
	p.next.RemindedAt = now
	// One id per tick: a retried tick finds its reminder instead of posting it again.
	p.postKey = "remind@" + now.Truncate(every).UTC().Format(time.RFC3339)
	return x.finish(ctx, lock, inc, p)
}

// Post sends a message that belongs to no incident (an SNS notification that is not an alarm, a
// maintenance window's summary), once: keyed by its SNS MessageId (or the window's end) in the table (kept for the incidents' retention, then deleted
// by TTL), so that a redelivery — to this container or another — is recognised. Without a
// MessageId (a local run) it is simply posted.
func (x *Tracker) Post(ctx context.Context, messageID string, payload blockkit.Message) (Result, error) {
	if messageID == "" {
		posted, err := x.slack.PostMessage(ctx, slackapi.Message{Channel: x.channel, Payload: &payload})
		return Result{Action: ActionMessage, Channel: posted.Channel, RootTS: posted.TS}, err
	}
	lock, inc, err := x.store.Lock(ctx, incident.Key{AlarmARN: MessageKeyPrefix + messageID, Destination: x.destination})
	if err != nil {
		return Result{}, err
	}
	if inc.Version > 0 && inc.RootTS != "" {
		return Result{Action: ActionDuplicate, Channel: inc.Channel, RootTS: inc.RootTS}, lock.Release(ctx)
	}
	now := x.now()
	p := plan{action: ActionMessage, post: &payload, commit: true, postKey: "message",
		next: incident.Incident{State: "MESSAGE", StateSince: now, LastChange: now, Closed: true, ClosedAt: now}}
	return x.finish(ctx, lock, inc, p)
}

// MessageKeyPrefix marks the table's records of non-alarm messages (in the alarm ARN key).
const MessageKeyPrefix = "message:"
