package lifecycle

// Storm digests for a Slack app destination. During an alarm storm the overflow queue hands the
// relay batches of alarm changes; instead of one root message per alarm (which the channel takes
// at one a second), a batch's alarms share a digest root: one message showing each alarm's
// current state, posted once and edited in place (chat.update, at most once a second) as later
// batches of the same storm change them. Each alarm's incident records that root (RootTS) and the
// digest's record (DigestRoot), so a change after the storm — the recovery — edits the digest's
// line of that alarm and replies in the root's thread, as it would in a root of its own.
//
// Two kinds of records beside the alarms' incidents, in the same table:
//   - the destination's digest pointer (digestPointer): the current root, its lock serialising
//     every digest change of the destination (both of the mapping's batches, and changes after
//     the storm), and the pending post of a new root (posted once, see once.go);
//   - one record per digest root (recordKey): its channel, ts and lines (Incident.Lines).
//
// Locks are taken in one order: the pointer, then records and incidents. A change through Apply
// whose incident is in a digest frees the incident's lock before taking the pointer's.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

const (
	// digestPointer keys (in place of an alarm ARN, which it can never be) the destination's
	// current digest.
	digestPointer = "alarm-relay:storm-digest"
	// digestRecordPrefix, then "channel/ts", keys a digest root's record.
	digestRecordPrefix = "alarm-relay:storm-digest "

	// DigestCapacity is how many alarms one digest root shows: a Slack message's 50 blocks hold
	// them as lines with room to spare; the next alarms of the storm open another root.
	DigestCapacity = 40
	// digestQuiet: a root whose newest change is older belongs to a storm that has ended; the next
	// batch opens a new root (further down the channel, where people look).
	digestQuiet = 5 * time.Minute
	// digestEditGap: chat.update is a Tier 3 method; one message is edited at most once a second.
	digestEditGap = time.Second
	// digestPostGap: chat.postMessage takes about one message a second per channel; a new root
	// waits that long after the digest's last post or edit, so that the channel is not asked
	// before it takes the post (a ratelimited answer is a call made too soon).
	digestPostGap = time.Second
	// digestRepliesUpTo: a batch of at most this many changes is a trickle, not a storm (the
	// storm's tail, a recovery after it): changes of alarms already shown in a digest root are
	// replied in its thread, as in a root of their own. A bigger batch only edits the roots: a
	// reply per change would take the channel's one post a second from the digests.
	digestRepliesUpTo = 3
)

// EnableDigests makes the tracker show storm batches in shared digest roots (ApplyDigest), rendered
// with opts; without it, a batch's alarms would each need a root of their own.
func (x *Tracker) EnableDigests(opts render.Options) {
	x.digest = &opts
}

// WithSlack is a copy of the tracker that calls Slack through s (the relay's direct path gives up
// at the first ratelimited; the digests wait it out), sharing everything else.
func (x *Tracker) WithSlack(s Slack) *Tracker {
	c := *x
	c.slack = s
	return &c
}

// Slack is the tracker's Slack client.
func (x *Tracker) Slack() Slack { return x.slack }

// DigestPlacement is what became of one entry of a batch.
type DigestPlacement int

const (
	// DigestNotShown: not shown (an error, logged and returned): the entry's messages come back.
	DigestNotShown DigestPlacement = iota
	// DigestShown: shown in a digest root, or already shown at this or a newer change.
	DigestShown
	// DigestOwnRoot: the alarm's incident has an open root of its own: show it there (Apply).
	DigestOwnRoot
	// DigestAlone: no alarm ARN (a text notification): post it on its own (Post).
	DigestAlone
)

// DigestResult is where an entry went and, when shown, the root that shows it.
type DigestResult struct {
	Placement DigestPlacement
	Result
}

// digestLine is one alarm of a digest root as its record keeps it.
type digestLine struct {
	Key   string // the alarm's ARN (a text line: its SNS message id)
	Entry render.DigestEntry
}

// member is an entry of the batch that goes into a root, its incident locked.
type member struct {
	i     int
	lock  *incident.Lock
	inc   incident.Incident
	p     plan
	entry render.DigestEntry
}

// inDigest tells a change whose incident is shown in a digest root that is still open.
func (x *Tracker) inDigest(inc incident.Incident, c Change) bool {
	return x.digest != nil && c.Alarm != nil && inc.DigestRoot != "" && inc.Open()
}

// applyInDigest shows a change of an alarm whose incident lives in a digest root: its line is
// brought to the change and the change is replied in the root's thread.
func (x *Tracker) applyInDigest(ctx context.Context, lock *incident.Lock, c Change) (Result, error) {
	if err := lock.Release(ctx); err != nil {
		return Result{}, err
	}
	a := *c.Alarm
	a.ChangedAt = x.sane(ctx, c)
	results, err := x.applyDigest(ctx, []render.DigestEntry{{Notification: alarm.Notification{Alarm: &a}, Was: a.PreviousState}}, true, "")
	if err != nil {
		return results[0].Result, err
	}
	if results[0].Placement == DigestOwnRoot {
		return x.Apply(ctx, c) // it left the digest meanwhile
	}
	return results[0].Result, nil
}

// ApplyDigest shows a batch of a storm: one entry per alarm at its newest change (overflow's
// Reconcile). The alarms of incidents shown in a digest root that is still open get their line
// there brought up to date; the others join the storm's current root (a new one when there is
// none, it is full, or its storm has ended), each root posted once and edited in place. No
// reply goes into threads during a storm (see digestRepliesUpTo): the root is the news. batch
// names the batch (the same for the same messages in any retry), so that a root whose answer was
// lost is found, not posted again.
//
// An entry whose alarm has an open root of its own, or no ARN, is left to the caller
// (DigestOwnRoot, DigestAlone). The error joins what went wrong; results say which entries are
// shown.
func (x *Tracker) ApplyDigest(ctx context.Context, entries []render.DigestEntry, batch string) ([]DigestResult, error) {
	return x.applyDigest(ctx, entries, len(entries) <= digestRepliesUpTo, batch)
}

func (x *Tracker) applyDigest(ctx context.Context, entries []render.DigestEntry, reply bool, batch string) ([]DigestResult, error) {
	results := make([]DigestResult, len(entries))
	if x.digest == nil {
		return results, errors.New("lifecycle: storm digests are not enabled for this destination")
	}
	// Slack's retries stop CommitReserve before the deadline: what was shown is still remembered.
	x = x.WithSlack(reservedSlack{Slack: x.slack, reserve: x.CommitReserve})
	plock, ptr, err := x.store.Lock(ctx, incident.Key{AlarmARN: digestPointer, Destination: x.destination})
	if err != nil {
		return results, fmt.Errorf("lock the storm digest: %w", err)
	}
	if err := x.adoptPending(ctx, &ptr); err != nil {
		for i := range results {
			results[i].Placement = DigestNotShown
		}
		return results, errors.Join(err, plock.Commit(ctx, ptr))
	}
	var errs []error
	groups := map[string][]member{} // digest record → its members; "" the storm's current root
	var order []string
	type joined struct {
		m   *member
		res DigestResult
		err error
	}
	js := make([]joined, len(entries))
	each(len(entries), func(i int) {
		m, res, err := x.join(ctx, i, entries[i])
		js[i] = joined{m, res, err}
	})
	for i, j := range js {
		m := j.m
		results[i] = j.res
		if j.err != nil {
			errs = append(errs, j.err)
			continue
		}
		if m == nil {
			continue
		}
		record := ""
		if m.inc.Open() && m.inc.DigestRoot != "" {
			record = m.inc.DigestRoot
		}
		if _, ok := groups[record]; !ok {
			order = append(order, record)
		}
		groups[record] = append(groups[record], *m)
	}
	// The roots of alarms shown already first: what cannot go there any more (the root deleted,
	// its record expired) joins the storm's current root with the others.
	slices.Sort(order)
	ongoing := ptr.RootTS != "" && x.now().Sub(ptr.LastChange) < digestQuiet // before this batch's edits
	current := groups[""]
	for _, record := range order {
		if record == "" {
			continue
		}
		if ongoing && record == recordKey(ptr.Channel, ptr.RootTS) {
			// The storm's current root: its lines are brought up to date in the same edit that
			// adds the batch's new alarms (fill), not in an edit of their own a second before.
			current = append(groups[record], current...)
			continue
		}
		rest, err := x.intoRecord(ctx, record, groups[record], reply, results)
		if err != nil {
			errs = append(errs, err)
		}
		if record == recordKey(ptr.Channel, ptr.RootTS) && err == nil && len(rest) == 0 {
			ptr.LastChange = x.now() // the storm goes on in its current root
		}
		current = append(current, rest...)
	}
	if len(current) > 0 {
		if err := x.current(ctx, plock, &ptr, current, batch, ongoing, reply, results); err != nil {
			errs = append(errs, err)
		}
	}
	if err := plock.Commit(ctx, ptr); err != nil {
		errs = append(errs, fmt.Errorf("storm digest: remember the current root: %w", err))
	}
	return results, errors.Join(errs...)
}

// join locks an entry's incident and plans its change; nil (with the outcome) when the entry does
// not go into a root.
func (x *Tracker) join(ctx context.Context, i int, e render.DigestEntry) (*member, DigestResult, error) {
	a := e.Notification.Alarm
	if a == nil || a.ARN == "" {
		return nil, DigestResult{Placement: DigestAlone}, nil
	}
	c := Change{AlarmARN: a.ARN, AlarmName: a.Name, State: a.State, At: a.ChangedAt, Observed: render.ObservedValue(a), Settling: a.Settling(), Alarm: a}
	at := x.sane(ctx, c)
	lock, inc, err := x.store.Lock(ctx, incident.Key{AlarmARN: a.ARN, Destination: x.destination})
	if err != nil {
		return nil, DigestResult{}, fmt.Errorf("%q: %w", a.Name, err)
	}
	if inc.Open() && inc.DigestRoot == "" {
		return nil, DigestResult{Placement: DigestOwnRoot}, lock.Release(ctx)
	}
	p := decide(inc, c, at, x.texts)
	if !p.commit || p.action == ActionLate || p.action == ActionLateAlone {
		// Shown already, or older than what is shown: the line stays as it is, and nothing is
		// posted (the relay logs it so, not as delivered).
		x.log().InfoContext(ctx, "storm digest: already shown at this or a newer change; line unchanged", "alarm", a.Name, "state", string(a.State), "decision", p.action.String())
		return nil, DigestResult{Placement: DigestShown, Result: Result{Action: ActionDuplicate, Channel: inc.Channel, RootTS: inc.RootTS}}, lock.Release(ctx)
	}
	p.postKey = incident.ChangeKey(string(c.State), at)
	line := a
	if !at.Equal(a.ChangedAt) {
		cp := *a
		cp.ChangedAt = at
		line = &cp
	}
	e.Notification.Alarm = line
	return &member{i: i, lock: lock, inc: inc, p: p, entry: e}, DigestResult{Placement: DigestShown}, nil
}

// current puts members into the storm's current root while it has room and its storm lasts
// (ongoing), and the rest into new roots; with reply, their changes are replied in the thread of
// the root that shows them.
func (x *Tracker) current(ctx context.Context, plock *incident.Lock, ptr *incident.Incident, members []member, batch string, ongoing, reply bool, results []DigestResult) error {
	var errs []error
	if ongoing {
		record := recordKey(ptr.Channel, ptr.RootTS)
		rest, err := x.fill(ctx, record, members, reply, results)
		if err != nil {
			errs = append(errs, err)
		}
		if len(rest) < len(members) {
			ptr.LastChange = x.now() // the storm goes on: its root stays the current one
		}
		members = rest
	}
	for n := 0; len(members) > 0; n++ {
		chunk := members[:min(DigestCapacity, len(members))]
		lines := make([]digestLine, 0, len(chunk))
		for _, m := range chunk {
			lines = append(lines, digestLine{Key: m.inc.Key.AlarmARN, Entry: m.entry})
		}
		shown, payload, err := x.renderRoot(lines)
		if err != nil {
			x.fail(ctx, members, results)
			return errors.Join(append(errs, err)...)
		}
		var in, out []member
		for j, m := range chunk {
			if shown[j] || j == 0 {
				in = append(in, m)
			} else {
				out = append(out, m)
			}
		}
		if len(out) > 0 { // longer lines than a root holds: the rest go into the next one
			lines = lines[:0]
			for _, m := range in {
				lines = append(lines, digestLine{Key: m.inc.Key.AlarmARN, Entry: m.entry})
			}
			if _, payload, err = x.renderRoot(lines); err != nil {
				x.fail(ctx, members, results)
				return errors.Join(append(errs, err)...)
			}
		}
		members = append(out, members[len(chunk):]...)
		id := x.postID(ptr.Key, batch+"\n"+keysOf(in), fmt.Sprintf("digest root %d", n))
		if wait := ptr.LastChange.Add(digestPostGap).Sub(x.now()); wait > 0 {
			if err := retry.Sleep(ctx, wait); err != nil {
				x.fail(ctx, append(in, members...), results)
				return errors.Join(append(errs, err)...)
			}
		}
		posted, err := x.once(ctx, plock, ptr, slackapi.Message{Channel: x.channel, Payload: &payload}, id)
		if err != nil {
			x.fail(ctx, in, results)
			errs = append(errs, fmt.Errorf("post a storm digest's root: %w", err))
			continue
		}
		record := recordKey(posted.Channel, posted.TS)
		if err := x.saveRecord(ctx, record, posted.Channel, posted.TS, lines); err != nil {
			x.fail(ctx, in, results)
			errs = append(errs, err)
			continue
		}
		ptr.Channel, ptr.RootTS, ptr.LastChange = posted.Channel, posted.TS, x.now()
		ptr.Pending = slices.DeleteFunc(ptr.Pending, func(p incident.Pending) bool { return p.ID == id })
		x.log().InfoContext(ctx, "storm digest: root posted", "channel", posted.Channel, "root_ts", posted.TS, "alarms", len(in))
		if reply {
			if err := x.replies(ctx, in, posted.Channel, posted.TS, ptr.LastChange); err != nil {
				x.fail(ctx, in, results)
				errs = append(errs, err)
				continue
			}
			ptr.LastChange = x.now() // the next root waits after the replies too
		}
		errs = append(errs, x.commitMembers(ctx, in, posted.Channel, posted.TS, record, results, ActionDigestPosted))
	}
	return errors.Join(errs...)
}

// adoptPending deals with the roots earlier attempts posted without remembering them (the answer
// lost and not yet in the channel's history, or the root's record not written): the pointer keeps
// them pending. One found in Slack becomes the storm's current root (this batch edits it to show
// its alarms) instead of a second root being posted for the same messages, whatever batch they
// come back in. One not found yet is looked for again by the next batches while Slack's history
// may still lag (digestQuiet), then forgotten.
func (x *Tracker) adoptPending(ctx context.Context, ptr *incident.Incident) error {
	var keep []incident.Pending
	for k, p := range ptr.Pending {
		ts := p.TS
		if ts == "" {
			found, err := x.find(ctx, ptr.Key, p)
			if err != nil {
				ptr.Pending = append(keep, ptr.Pending[k:]...)
				return fmt.Errorf("storm digest: look for a root an earlier attempt posted: %w", err)
			}
			ts = found
		}
		if ts == "" {
			if x.now().Sub(p.At) < digestQuiet {
				keep = append(keep, p)
			}
			continue
		}
		if err := x.adoptRoot(ctx, p.Channel, ts); err != nil {
			ptr.Pending = append(keep, ptr.Pending[k:]...)
			return err
		}
		x.log().WarnContext(ctx, "storm digest: found a root an earlier attempt posted; it becomes the current root", "channel", p.Channel, "root_ts", ts)
		ptr.Channel, ptr.RootTS, ptr.LastChange = p.Channel, ts, x.now()
	}
	ptr.Pending = keep
	return nil
}

// adoptRoot makes sure the root channel/ts has a record (without lines when it had none: the
// alarms it shows were not remembered, and come back in a batch that shows them there).
func (x *Tracker) adoptRoot(ctx context.Context, channel, ts string) error {
	record := recordKey(channel, ts)
	lock, rec, err := x.store.Lock(ctx, incident.Key{AlarmARN: record, Destination: x.destination})
	if err != nil {
		return fmt.Errorf("storm digest: remember a root an earlier attempt posted (%s): %w", ts, err)
	}
	if rec.RootTS != "" {
		return lock.Release(ctx)
	}
	now := x.now()
	rec.Channel, rec.RootTS, rec.LastChange = channel, ts, now
	rec.Closed, rec.ClosedAt = true, now
	if err := lock.Commit(ctx, rec); err != nil {
		return fmt.Errorf("storm digest: remember a root an earlier attempt posted (%s): %w", ts, err)
	}
	return nil
}

// fill adds members to the current root's record as far as it has room (the alarms it shows
// already always: their lines are brought up to date), edits the root (with reply, replies their
// changes in its thread), and returns the members that did not fit.
func (x *Tracker) fill(ctx context.Context, record string, members []member, reply bool, results []DigestResult) ([]member, error) {
	lock, rec, err := x.store.Lock(ctx, incident.Key{AlarmARN: record, Destination: x.destination})
	if err != nil {
		// Its record is busy: a new root takes the new alarms; the ones it shows come back (in a
		// new root they would show twice).
		var own, others []member
		for _, m := range members {
			if m.inc.DigestRoot == record {
				own = append(own, m)
			} else {
				others = append(others, m)
			}
		}
		if len(own) == 0 {
			return members, nil
		}
		x.fail(ctx, own, results)
		return others, fmt.Errorf("storm digest: %w", err)
	}
	lines, err := readLines(rec)
	if err != nil || rec.RootTS == "" {
		return members, errors.Join(err, lock.Release(ctx))
	}
	before := map[string]bool{}
	for _, l := range lines {
		before[l.Key] = true
	}
	var in, rest []member
	for _, m := range members {
		if before[m.inc.Key.AlarmARN] || len(lines) < DigestCapacity {
			lines = merge(lines, digestLine{Key: m.inc.Key.AlarmARN, Entry: m.entry})
			in = append(in, m)
		} else {
			rest = append(rest, m)
		}
	}
	if len(in) == 0 {
		return rest, lock.Release(ctx)
	}
	shown, payload, err := x.renderRoot(lines)
	if err != nil {
		return members, errors.Join(err, lock.Release(ctx))
	}
	if slices.Contains(shown, false) {
		// Longer lines than the root holds: the new alarms it would not show go into a new root
		// (the ones it showed before stay, counted in its "and N more" at worst).
		var keep, moved []member
		for _, m := range in {
			j := slices.IndexFunc(lines, func(l digestLine) bool { return l.Key == m.inc.Key.AlarmARN })
			if shown[j] || before[m.inc.Key.AlarmARN] {
				keep = append(keep, m)
			} else {
				moved = append(moved, m)
				lines = slices.Delete(lines, j, j+1)
				shown = slices.Delete(shown, j, j+1)
			}
		}
		in, rest = keep, append(moved, rest...)
		if len(moved) > 0 {
			if _, payload, err = x.renderRoot(lines); err != nil {
				return members, errors.Join(err, lock.Release(ctx))
			}
		}
	}
	if err := x.edit(ctx, lock, &rec, lines, payload); err != nil {
		if errors.Is(err, slackapi.ErrMessageGone) {
			// Deleted by someone: a new root shows them (and this record is left to expire).
			x.log().WarnContext(ctx, "storm digest: the root was deleted; its alarms join the current root", "record", record)
			return members, lock.Release(ctx)
		}
		x.fail(ctx, in, results)
		return rest, errors.Join(err, lock.Release(ctx))
	}
	if reply {
		if err := x.replies(ctx, in, rec.Channel, rec.RootTS, time.Time{}); err != nil {
			x.fail(ctx, in, results)
			return rest, err
		}
	}
	var shownBefore, added []member
	for _, m := range in {
		if before[m.inc.Key.AlarmARN] {
			shownBefore = append(shownBefore, m)
		} else {
			added = append(added, m)
		}
	}
	return rest, errors.Join(x.commitMembers(ctx, shownBefore, rec.Channel, rec.RootTS, record, results, ActionDigestLineUpdated),
		x.commitMembers(ctx, added, rec.Channel, rec.RootTS, record, results, ActionDigestUpdated))
}

// intoRecord brings members' lines up to date in the digest root their incidents are shown in,
// and (after the storm: reply) replies each change in the root's thread. It returns the members
// whose root is gone (deleted in Slack, or its record expired): they join the current root.
func (x *Tracker) intoRecord(ctx context.Context, record string, members []member, reply bool, results []DigestResult) ([]member, error) {
	lock, rec, err := x.store.Lock(ctx, incident.Key{AlarmARN: record, Destination: x.destination})
	if err != nil {
		x.fail(ctx, members, results)
		return nil, fmt.Errorf("storm digest: %w", err)
	}
	lines, err := readLines(rec)
	if err != nil || rec.RootTS == "" {
		x.log().WarnContext(ctx, "storm digest: the root's record is gone or unreadable; its alarms join the current root", "record", record, "error", fmt.Sprint(err))
		return members, lock.Release(ctx)
	}
	for _, m := range members {
		lines = merge(lines, digestLine{Key: m.inc.Key.AlarmARN, Entry: m.entry})
	}
	_, payload, err := x.renderRoot(lines)
	if err == nil {
		err = x.edit(ctx, lock, &rec, lines, payload)
	}
	if errors.Is(err, slackapi.ErrMessageGone) {
		x.log().WarnContext(ctx, "storm digest: the root was deleted; its alarms join the current root", "record", record)
		return members, lock.Release(ctx)
	}
	if err != nil {
		x.fail(ctx, members, results)
		return nil, errors.Join(fmt.Errorf("storm digest: update the root: %w", err), lock.Release(ctx))
	}
	if reply {
		if err := x.replies(ctx, members, rec.Channel, rec.RootTS, time.Time{}); err != nil {
			x.fail(ctx, members, results)
			return nil, err
		}
	}
	return nil, x.commitMembers(ctx, members, rec.Channel, rec.RootTS, record, results, ActionDigestLineUpdated)
}

// replies replies each member's change in the thread of the root that shows it (channel/ts), as
// in a root of its own: after the storm, wherever its line is now (its own digest root, or the
// root that took it in when that one was deleted). Each reply waits a post gap after the
// channel's last post (lastPost, zero when none was made just before) and the previous reply.
func (x *Tracker) replies(ctx context.Context, members []member, channel, ts string, lastPost time.Time) error {
	var errs []error
	for k, m := range members {
		if m.p.reply == "" {
			continue
		}
		if wait := lastPost.Add(digestPostGap).Sub(x.now()); !lastPost.IsZero() && wait > 0 {
			if err := retry.Sleep(ctx, wait); err != nil {
				return errors.Join(append(errs, err)...)
			}
		}
		msg := slackapi.Message{Channel: channel, ThreadTS: ts, Text: m.p.reply}
		if _, err := x.once(ctx, m.lock, &members[k].inc, msg, x.postID(m.inc.Key, m.p.postKey, "reply")); err != nil {
			errs = append(errs, fmt.Errorf("reply in the storm digest's thread: %w", err))
		}
		lastPost = x.now()
	}
	return errors.Join(errs...)
}

// edit shows lines on the record's root (at most once a second) and commits the record.
func (x *Tracker) edit(ctx context.Context, lock *incident.Lock, rec *incident.Incident, lines []digestLine, payload blockkit.Message) error {
	if wait := rec.LastChange.Add(digestEditGap).Sub(x.now()); wait > 0 {
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	if _, err := x.slack.UpdateMessage(ctx, slackapi.Message{Channel: rec.Channel, TS: rec.RootTS, Payload: &payload}); err != nil {
		return err
	}
	raw, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	rec.Lines, rec.LastChange = string(raw), x.now()
	rec.Closed, rec.ClosedAt = true, rec.LastChange // kept for as long after its last edit as a closed incident
	if err := lock.Commit(ctx, *rec); err != nil {
		return fmt.Errorf("storm digest: edited the root (%s) but not remembered: %w", rec.RootTS, err)
	}
	return nil
}

// saveRecord writes a new root's record.
func (x *Tracker) saveRecord(ctx context.Context, record, channel, ts string, lines []digestLine) error {
	raw, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	lock, rec, err := x.store.Lock(ctx, incident.Key{AlarmARN: record, Destination: x.destination})
	if err != nil {
		return fmt.Errorf("storm digest: posted the root (%s) but not remembered: %w", ts, err)
	}
	now := x.now()
	rec.Channel, rec.RootTS, rec.Lines, rec.LastChange = channel, ts, string(raw), now
	rec.Closed, rec.ClosedAt = true, now // kept (and expired) like a closed incident: it is no alarm
	if err := lock.Commit(ctx, rec); err != nil {
		return fmt.Errorf("storm digest: posted the root (%s) but not remembered: %w", ts, err)
	}
	return nil
}

// commitMembers remembers, in each member's incident, the root that shows it.
func (x *Tracker) commitMembers(ctx context.Context, members []member, channel, ts, record string, results []DigestResult, action Action) error {
	errs := make([]error, len(members))
	each(len(members), func(k int) {
		m := members[k]
		next := m.p.next
		next.Channel, next.RootTS, next.DigestRoot = channel, ts, record
		next.Roots, next.Pending = m.inc.Roots, nil
		if err := m.lock.Commit(ctx, next); err != nil {
			results[m.i].Placement = DigestNotShown
			errs[k] = errors.Join(fmt.Errorf("%q: shown in a storm digest (%s) but not remembered: %w", m.entry.Notification.Title(), ts, err), m.lock.Release(ctx))
			return
		}
		results[m.i] = DigestResult{Placement: DigestShown, Result: Result{Action: action, Channel: channel, RootTS: ts}}
	})
	return errors.Join(errs...)
}

// digestParallel is how many incidents of a batch are locked or committed at once: a batch's
// table calls are independent (one item each), and one after the other they would hold the
// destination's digest lock, and the next batch, for seconds.
const digestParallel = 8

// each calls f(0) … f(n-1), digestParallel at a time, and returns when all have returned.
func each(n int, f func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, digestParallel)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			f(i)
		}()
	}
	wg.Wait()
}

// fail frees the members' locks; they are not shown.
func (x *Tracker) fail(ctx context.Context, members []member, results []DigestResult) {
	for _, m := range members {
		results[m.i].Placement = DigestNotShown
		if err := m.lock.Release(ctx); err != nil {
			x.log().WarnContext(ctx, "storm digest: incident lock not freed (its lease runs out)", "alarm", m.inc.Key.AlarmARN, "error", err.Error())
		}
	}
}

// renderRoot renders a digest root of lines; shown[i] tells whether lines[i] has a line.
func (x *Tracker) renderRoot(lines []digestLine) ([]bool, blockkit.Message, error) {
	d := render.Digest{}
	for _, l := range lines {
		d.Entries = append(d.Entries, l.Entry)
		d.Changes += 1 + l.Entry.Folded
	}
	p, shown, err := render.BuildDigest(render.SlackApp, d, *x.digest)
	if err != nil {
		return nil, blockkit.Message{}, fmt.Errorf("storm digest: %w", err)
	}
	m, _ := p.Slack()
	return shown, m, nil
}

// merge puts l into lines: in place of the same alarm's line when its change is not older (the
// older changes folded into it), else added. The change the line shows already (its batch handed
// again after a commit failed) is counted once.
func merge(lines []digestLine, l digestLine) []digestLine {
	i := slices.IndexFunc(lines, func(o digestLine) bool { return o.Key == l.Key })
	if i < 0 {
		return append(lines, l)
	}
	old := lines[i].Entry
	if sameChange(l.Entry, old) {
		lines[i].Entry.Folded = max(old.Folded, l.Entry.Folded)
		return lines
	}
	if entryAt(l.Entry).Before(entryAt(old)) {
		lines[i].Entry.Folded += 1 + l.Entry.Folded
		return lines
	}
	l.Entry.Folded += 1 + old.Folded
	if old.Was != "" {
		l.Entry.Was = old.Was
	}
	lines[i] = l
	return lines
}

// sameChange: both entries show one alarm change (state and time).
func sameChange(a, b render.DigestEntry) bool {
	x, y := a.Notification.Alarm, b.Notification.Alarm
	return x != nil && y != nil && x.State == y.State && x.ChangedAt.Equal(y.ChangedAt)
}

func entryAt(e render.DigestEntry) time.Time {
	if a := e.Notification.Alarm; a != nil {
		return a.ChangedAt
	}
	return e.Notification.Published
}

func readLines(rec incident.Incident) ([]digestLine, error) {
	var lines []digestLine
	if rec.Lines == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(rec.Lines), &lines); err != nil {
		return nil, fmt.Errorf("storm digest record: its lines are not readable: %w", err)
	}
	return lines, nil
}

// recordKey keys a digest root's record.
func recordKey(channel, ts string) string { return digestRecordPrefix + channel + "/" + ts }

// keysOf names a root's alarms, for its post id.
func keysOf(members []member) string {
	keys := make([]string, 0, len(members))
	for _, m := range members {
		keys = append(keys, m.inc.Key.AlarmARN+" "+m.p.postKey)
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:12])
}

// reservedSlack makes each Slack call end reserve before the context's deadline, leaving the
// rest to the commits that remember what was shown.
type reservedSlack struct {
	Slack
	reserve time.Duration
}

func (s reservedSlack) cut(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-s.reserve))
	}
	return ctx, func() {}
}

func (s reservedSlack) PostMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error) {
	ctx, cancel := s.cut(ctx)
	defer cancel()
	return s.Slack.PostMessage(ctx, m)
}

func (s reservedSlack) UpdateMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error) {
	ctx, cancel := s.cut(ctx)
	defer cancel()
	return s.Slack.UpdateMessage(ctx, m)
}

func (s reservedSlack) Find(ctx context.Context, l slackapi.Lookup) (string, error) {
	ctx, cancel := s.cut(ctx)
	defer cancel()
	return s.Slack.Find(ctx, l)
}
