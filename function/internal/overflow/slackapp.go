package overflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// A Slack app destination under a storm: its direct path (the relay, through its incidents) gives
// up at the first ratelimited, and the notification goes to the overflow queue as for a webhook;
// the queue's batches become shared digest roots (lifecycle.ApplyDigest) instead of one root per
// alarm, edited in place as later batches change their alarms. The Web API client of the digests
// waits out Slack's Retry-After itself: nothing is posted faster than the channel takes it.

// SlackAppHandler is the function's handler for a Slack app relay with an overflow queue.
func SlackAppHandler(r *relay.Relay, queue Queue) (func(context.Context, json.RawMessage) (any, error), error) {
	dest, ok := r.Destination().(*relay.SlackApp)
	if !ok {
		return nil, fmt.Errorf("the overflow queue of a Slack app destination needs a Slack app relay, not %T", r.Destination())
	}
	x, ok := dest.Tracker().(*lifecycle.Tracker)
	if !ok {
		return nil, fmt.Errorf("the overflow queue of a Slack app destination needs its incident tracker, not %T", dest.Tracker())
	}
	client, ok := x.Slack().(*slackapi.Client)
	if !ok {
		return nil, fmt.Errorf("the overflow queue of a Slack app destination needs its Web API client, not %T", x.Slack())
	}
	x.EnableDigests(r.Options())
	direct := *client
	direct.Judge = FailFast(client.Judge)
	r.SetPushBack(Throttled)
	o := New(queue, nil, r.Messenger(), r.Options(), r.Log())
	o.current = r.Alarms()
	o.app = x
	dest.SetTracker(x.WithSlack(snsOrOwn{sns: &direct, own: client, busy: o.busy}))
	own := func(ctx context.Context, raw []byte) error {
		return r.HandleJSON(context.WithValue(ctx, fromSNS{}, false), raw)
	}
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		if IsSQSEvent(raw) {
			return o.HandleSQS(ctx, raw)
		}
		return nil, o.HandleSNS(context.WithValue(ctx, fromSNS{}, true), raw, r.Handle, own)
	}, nil
}

// fromSNS marks (true) a context serving the alarm changes of an SNS event, whose push-back the
// overflow queue takes.
type fromSNS struct{}

// snsOrOwn is the relay's Slack client: an alarm change from SNS gives up at the first
// ratelimited (sns: the overflow queue takes the change), while the relay's own events — a
// reminder tick, a window's end — which nothing queues, wait out Slack's Retry-After (own), so
// that a tick reminding of a storm's alarms posts them all at the channel's pace.
//
// An alarm change's post asks again whether others wait in the overflow queue (busy) right
// before it is made: between the first question and the post lie the incident's table calls, and
// at a storm's onset every execution environment would otherwise make one post the channel
// refuses before it learns of the queue.
type snsOrOwn struct {
	sns, own lifecycle.Slack
	busy     func(context.Context) bool
}

func (s snsOrOwn) direct(ctx context.Context) bool {
	direct, _ := ctx.Value(fromSNS{}).(bool)
	return direct
}

func (s snsOrOwn) pick(ctx context.Context) lifecycle.Slack {
	if s.direct(ctx) {
		return s.sns
	}
	return s.own
}

func (s snsOrOwn) PostMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error) {
	if s.direct(ctx) && s.busy != nil && s.busy(ctx) {
		return slackapi.Posted{}, &slackapi.Error{Method: "chat.postMessage", Reason: throttledReason + " (others wait there; not posted)"}
	}
	return s.pick(ctx).PostMessage(ctx, m)
}

func (s snsOrOwn) UpdateMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error) {
	return s.pick(ctx).UpdateMessage(ctx, m)
}

func (s snsOrOwn) Find(ctx context.Context, l slackapi.Lookup) (string, error) {
	return s.pick(ctx).Find(ctx, l)
}

// showInDigests shows a batch's entries in the Slack app's digest roots and returns the entries
// not shown (their messages come back from the queue). An alarm whose incident has a root of its
// own (opened before the storm) is shown there, and a text notification on its own, both with
// the Web API client that waits out Slack's rate.
func (o *Overflow) showInDigests(ctx context.Context, entries []Entry) []Entry {
	entries, _ = o.toCurrent(ctx, entries)
	if len(entries) == 0 {
		return nil
	}
	des := make([]render.DigestEntry, len(entries))
	for i, e := range entries {
		des[i] = e.DigestEntry
	}
	results, err := o.app.ApplyDigest(ctx, des, batchName(entries))
	if err != nil {
		o.log.ErrorContext(ctx, "storm digest: not all shown; their messages come back from the queue", "error", err.Error())
	}
	var failed []Entry
	counts := map[string]int{}
	for i, res := range results {
		e := entries[i]
		n := e.Notification
		switch res.Placement {
		case lifecycle.DigestOwnRoot, lifecycle.DigestAlone:
			var rerr error
			if res.Result, rerr = o.showOwn(ctx, res.Placement, n); rerr != nil {
				o.log.ErrorContext(ctx, "storm digest: not shown in its own message; it comes back from the queue", "alarm", n.Title(), "message_id", n.MessageID, "error", rerr.Error())
				failed = append(failed, e)
				continue
			}
			counts["own message"]++
		case lifecycle.DigestShown:
			counts["digest"]++
		default:
			failed = append(failed, e)
			continue
		}
		o.remember(n)
	}
	o.log.InfoContext(ctx, "storm digest shown", "entries", len(entries), "in_digests", counts["digest"], "in_own_messages", counts["own message"], "not_shown", len(failed))
	return failed
}

// showOwn shows n in its incident's own root (DigestOwnRoot) or posts it on its own (DigestAlone).
func (o *Overflow) showOwn(ctx context.Context, place lifecycle.DigestPlacement, n alarm.Notification) (lifecycle.Result, error) {
	p, err := render.Build(o.messenger, n, o.options)
	if err != nil {
		return lifecycle.Result{}, err
	}
	m, err := p.SlackMessage()
	if err != nil {
		return lifecycle.Result{}, err
	}
	if place == lifecycle.DigestOwnRoot {
		return o.app.Apply(ctx, lifecycle.ChangeFrom(n.Alarm, m))
	}
	return o.app.Post(ctx, n.MessageID, m)
}

// batchName names a batch by its messages, the same in every retry of the same messages.
func batchName(entries []Entry) string {
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.IDs...)
	}
	slices.Sort(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return hex.EncodeToString(sum[:12])
}
