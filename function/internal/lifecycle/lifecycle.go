// Package lifecycle keeps one Slack message per incident for a Slack app destination: the first
// ALARM posts a root message; later changes edit it to show the current state and reply in its
// thread; OK turns it green ("Resolved after 14 min") and closes the incident; a root that was
// deleted or can no longer be edited is replaced by a new one, so no alert is ever lost. Reminders
// for alarms still in ALARM go into the incident's thread (or, for webhooks, out as text). Under
// an alarm storm, the incidents of the overflow queue's batches share digest roots instead of one
// root each (digest.go).
//
// The root messages come rendered by the caller (render's Slack payload), and the package's own
// lines (replies, status lines, reminders) are worded by render.IncidentLines; this package decides
// what to do with them (decide, pure), does it through the Slack Web API (slackapi), and keeps
// the incident in DynamoDB (incident), holding the incident's lock throughout so that concurrent
// invocations for one alarm take turns.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// Slack is the part of the Web API used; *slackapi.Client is the real one.
type Slack interface {
	PostMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error)
	UpdateMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error)
	Find(ctx context.Context, l slackapi.Lookup) (string, error)
}

// Change is one alarm state change, as a notification reports it.
type Change struct {
	AlarmARN  string
	AlarmName string
	State     alarm.State
	At        time.Time // the alarm's StateChangeTime; zero means now
	Observed  string    // the value shown, e.g. "412.5 ms"; "" when the reason names none
	// Settling: the alarm goes OK only because it was just created or changed (alarm.Settling).
	// That is no news, unless it ends an incident that is open: then it is the recovery.
	Settling bool
	// Message is the rendered Slack message for this notification (render.Build(render.SlackApp,
	// n, opts)): the root message shows it.
	Message blockkit.Message
	// Alarm is the parsed alarm (nil when unknown): a storm digest's root shows it as a line.
	Alarm *alarm.Alarm
}

// ChangeFrom fills a Change from a parsed alarm and its rendered Slack message.
func ChangeFrom(a *alarm.Alarm, m blockkit.Message) Change {
	return Change{AlarmARN: a.ARN, AlarmName: a.Name, State: a.State, At: a.ChangedAt, Observed: render.ObservedValue(a), Settling: a.Settling(), Message: m, Alarm: a}
}

// Tracker keeps a Slack app destination's incidents: one Slack message per incident, kept up to
// date as its alarm changes (package incident stores each incident's record).
type Tracker struct {
	slack       Slack
	store       *incident.Store
	channel     string // where new root messages go
	destination string // the destination's name: incidents are kept per alarm and destination
	texts       render.IncidentLines

	// CommitReserve is kept free before the deadline for remembering what was posted: Slack's
	// retries stop earlier, so that a post is not lost to memory and posted again on retry.
	CommitReserve time.Duration
	// MaxSkew is how far in the future an alarm's StateChangeTime may lie (clocks differ a little);
	// beyond it the time cannot be true and now is taken instead.
	MaxSkew time.Duration
	Now     func() time.Time
	Log     *slog.Logger // nil: slog.Default()

	digest *render.Options // storm digests' rendering; nil: no digests (see digest.go)
}

// New builds the Tracker of one destination. lines word the lifecycle's own lines (replies,
// status lines, reminders), in the destination's language and zone
// (render.NewIncidentLines(options.Language, options.Location)).
func New(slack Slack, store *incident.Store, channel, destination string, lines render.IncidentLines) (*Tracker, error) {
	if channel == "" || destination == "" {
		return nil, errors.New("lifecycle: a Slack app destination needs a channel and a name")
	}
	return &Tracker{slack: slack, store: store, channel: channel, destination: destination, texts: lines, CommitReserve: 2 * time.Second, MaxSkew: 5 * time.Minute}, nil
}

// Result tells what was done, for the log line.
type Result struct {
	Action  Action
	Channel string
	RootTS  string // the incident's root message after the change
	NewRoot bool   // the old root was gone and a new one was posted
}

// NothingPosted tells a change that was handled without a post or an edit (Action.NothingPosted).
func (r Result) NothingPosted() bool { return r.Action.NothingPosted() }

// Apply shows one alarm state change in its incident; its errors leave naming the alarm to the
// caller (the relay), so that no message names it twice. It returns an error when anything it had
// to post or edit was not (the invocation then fails and Lambda retries it); a change already
// shown is recognised and not posted again.
func (x *Tracker) Apply(ctx context.Context, c Change) (Result, error) {
	if c.AlarmARN == "" {
		return Result{}, errors.New("lifecycle: the change has no alarm ARN; post it on its own")
	}
	if c.Message.IsZero() {
		return Result{}, errors.New("lifecycle: the change has no rendered message")
	}
	at := x.sane(ctx, c)
	lock, inc, err := x.store.Lock(ctx, incident.Key{AlarmARN: c.AlarmARN, Destination: x.destination})
	if err != nil {
		return Result{}, err
	}
	if x.inDigest(inc, c) {
		return x.applyInDigest(ctx, lock, c)
	}
	p := decide(inc, c, at, x.texts)
	p.postKey = incident.ChangeKey(string(c.State), at)
	return x.finish(ctx, lock, inc, p)
}

// finish carries out a plan under the lock and commits it; on every failure the lock is freed.
func (x *Tracker) finish(ctx context.Context, lock *incident.Lock, inc incident.Incident, p plan) (Result, error) {
	res, next, err := x.carryOut(ctx, lock, &inc, p)
	if err != nil {
		return res, errors.Join(err, lock.Release(ctx))
	}
	if !p.commit {
		return res, lock.Release(ctx)
	}
	if err := lock.Commit(ctx, next); err != nil {
		// Slack shows the change and the item says which post (pending): a retry finds it.
		return res, errors.Join(fmt.Errorf("shown in Slack (%s) but not remembered: %w", res.Action, err), lock.Release(ctx))
	}
	return res, nil
}

// sane is the change's time, unless it cannot be true: missing, or further in the future than
// clocks differ. One such time would make every later change look late; now is taken instead.
func (x *Tracker) sane(ctx context.Context, c Change) time.Time {
	now := x.now()
	switch {
	case c.At.IsZero():
		x.log().WarnContext(ctx, "alarm state change has no StateChangeTime; taking now", "alarm", c.AlarmName, "now", now)
		return now
	case c.At.After(now.Add(x.MaxSkew)):
		x.log().WarnContext(ctx, "alarm StateChangeTime lies in the future beyond clock skew; taking now", "alarm", c.AlarmName, "state_change_time", c.At, "now", now, "max_skew_s", x.MaxSkew.Seconds())
		return now
	}
	return c.At
}

// carryOut makes the plan's Slack calls: edit (or replace) the root and any other roots, post a
// root, reply. Every post goes through once (never twice, see post.go), which keeps inc.Pending
// and inc.Roots up to date in the item as it goes.
func (x *Tracker) carryOut(ctx context.Context, lock *incident.Lock, inc *incident.Incident, p plan) (Result, incident.Incident, error) {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-x.CommitReserve))
		defer cancel()
	}
	res := Result{Action: p.action, Channel: inc.Channel, RootTS: inc.RootTS}
	if res.Channel == "" {
		res.Channel = x.channel
	}
	before := slices.Clone(inc.Roots)
	ids := map[string]string{}
	for _, kind := range []string{"root", "replacement", "reply", "reply alone"} {
		ids[kind] = x.postID(inc.Key, p.postKey, kind)
	}
	if len(inc.Pending) > 0 {
		if err := x.settlePending(ctx, inc, slices.Collect(maps.Values(ids))); err != nil {
			return res, *inc, err
		}
	}
	if p.update != nil {
		_, err := x.slack.UpdateMessage(ctx, slackapi.Message{Channel: res.Channel, TS: res.RootTS, Payload: p.update})
		if x.replaceable(err, res.Channel) {
			p.post, res.NewRoot = p.update, true
		} else if err != nil {
			return res, *inc, fmt.Errorf("update the incident's message: %w", err)
		}
		if err := x.updateOthers(ctx, inc, p.update); err != nil {
			return res, *inc, err
		}
	}
	if p.post != nil {
		kind := "root"
		if res.NewRoot {
			kind = "replacement"
		}
		posted, err := x.once(ctx, lock, inc, slackapi.Message{Channel: x.channel, Payload: p.post}, ids[kind])
		if err != nil {
			return res, *inc, fmt.Errorf("post the incident's message: %w", err)
		}
		res.Channel, res.RootTS = posted.Channel, posted.TS
		if res.Channel == "" {
			res.Channel = x.channel
		}
	}
	if p.reply != "" {
		m := slackapi.Message{Channel: res.Channel, ThreadTS: res.RootTS, Text: p.reply}
		_, err := x.once(ctx, lock, inc, m, ids["reply"])
		if x.replaceable(err, res.Channel) {
			// The thread's first message or its channel went away: the reply still goes out.
			m = slackapi.Message{Channel: x.channel, Text: p.reply}
			_, err = x.once(ctx, lock, inc, m, ids["reply alone"])
		}
		if err != nil {
			return res, *inc, fmt.Errorf("reply in the incident's thread: %w", err)
		}
	}
	next := p.next
	if !p.keepRoot {
		next.Channel, next.RootTS = res.Channel, res.RootTS
	}
	next.Roots = nil
	for _, ts := range inc.Roots {
		// A plan that goes on with the incident keeps its other roots; a new one only the roots
		// found now (a lost post of this very change).
		if ts != next.RootTS && (p.next.Version > 0 || !slices.Contains(before, ts)) {
			next.Roots = append(next.Roots, ts)
		}
	}
	next.Pending = nil
	return res, next, nil
}

// updateOthers shows the root's content on the incident's other roots too (posts whose answers
// were lost and that were found later), so that none stays red after the recovery. One deleted
// since is dropped from the list.
func (x *Tracker) updateOthers(ctx context.Context, inc *incident.Incident, payload *blockkit.Message) error {
	var kept []string
	for _, ts := range inc.Roots {
		if ts == inc.RootTS {
			continue
		}
		_, err := x.slack.UpdateMessage(ctx, slackapi.Message{Channel: inc.Channel, TS: ts, Payload: payload})
		switch {
		case errors.Is(err, slackapi.ErrMessageGone):
		case err != nil:
			return fmt.Errorf("update the incident's other message %s: %w", ts, err)
		default:
			kept = append(kept, ts)
		}
	}
	inc.Roots = kept
	return nil
}

// replaceable: the incident's message is gone, or its channel is no longer usable and the
// destination now posts elsewhere (the channel was changed, the old one archived): the content
// goes to the configured channel instead of failing on every retry.
func (x *Tracker) replaceable(err error, channel string) bool {
	return errors.Is(err, slackapi.ErrMessageGone) || channel != x.channel && errors.Is(err, slackapi.ErrChannelUnusable)
}

func (x *Tracker) log() *slog.Logger {
	if x.Log != nil {
		return x.Log
	}
	return slog.Default()
}

func (x *Tracker) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}
