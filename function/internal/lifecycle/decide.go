package lifecycle

import (
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// plan is what one alarm state change does to its incident: the Slack calls to make and the
// state to commit. decide makes it without side effects; Apply carries it out.
type plan struct {
	action Action

	post   *blockkit.Message // post this message as a new root message
	update *blockkit.Message // edit the root message to this one (a new root if it is gone)
	reply  string            // mrkdwn reply in the root's thread

	next   incident.Incident // committed after the calls, with the root's channel and ts filled in
	commit bool              // false: nothing to remember (the lock is released as it was)

	postKey  string // names the change (or reminder) the posts are for: their ids derive from it
	keepRoot bool   // the post is not the incident's root (a late message on its own)
}

// decide plans one change against the incident as committed. at is the change's time (the
// alarm's StateChangeTime): it orders changes, so a late or repeated SNS message never moves
// the root back to an older state or posts it twice.
func decide(inc incident.Incident, c Change, at time.Time, t render.IncidentLines) plan {
	key := incident.ChangeKey(string(c.State), at)
	if inc.HasShown(key) {
		// Any change already shown — the one that opened the incident, one in the middle — posts
		// nothing when it is delivered again, whichever position it had.
		return plan{action: ActionDuplicate}
	}
	p := decideNew(inc, c, at, t)
	switch {
	case p.action == ActionLate || p.action == ActionLateAlone:
		// Remembered too, so that the late message is not shown twice when redelivered; a late
		// message posted on its own does not become the incident's root.
		p.next, p.commit, p.keepRoot = inc, true, p.action == ActionLateAlone
	case !p.commit:
		return p
	}
	p.next.Shown = inc.WithShown(key)
	return p
}

// decideNew plans a change not shown yet.
func decideNew(inc incident.Incident, c Change, at time.Time, t render.IncidentLines) plan {
	if c.Settling && !inc.Open() {
		// Only here is it known whether an incident is open: if one is, this OK is its recovery.
		return plan{action: ActionSettling}
	}
	state := string(c.State)
	if inc.Version > 0 {
		shownSince := inc.LastChange
		if shownSince.IsZero() {
			// Opened by a reminder: no change was shown, but the alarm is in ALARM since StateSince,
			// so anything older (an OK replayed from the dead-letter queue) is late.
			shownSince = inc.StateSince
		}
		switch {
		case !inc.LastChange.IsZero() && at.Equal(inc.LastChange) && state == inc.State:
			return plan{action: ActionDuplicate}
		case at.Before(shownSince):
			if inc.RootTS != "" {
				return plan{action: ActionLate, reply: t.Late(c.State, at, c.Observed)}
			}
			return plan{action: ActionLateAlone, post: &c.Message}
		}
	}
	open := inc.Open()
	switch {
	case c.State == alarm.StateAlarm && !open:
		next := incident.Incident{State: state, StateSince: at, OpenedAt: at, LastChange: at, RemindedAt: time.Time{}}
		return plan{action: ActionOpened, post: &c.Message, next: next, commit: true}

	case c.State == alarm.StateOK && open:
		opened := inc.OpenedAt
		if opened.IsZero() || opened.After(at) {
			opened = inc.StateSince
		}
		lasted := at.Sub(opened)
		root := withContext(c.Message, t.ResolvedStatus(lasted))
		next := inc
		next.State, next.StateSince, next.LastChange = state, at, at
		next.Closed, next.ClosedAt = true, at
		return plan{action: ActionResolved, update: &root, reply: t.Resolved(lasted, c.Observed), next: next, commit: true}

	case open:
		root := withContext(c.Message, t.OpenStatus(inc.OpenedAt, at))
		next := inc
		if state != inc.State {
			next.StateSince = at
		}
		next.State, next.LastChange = state, at
		return plan{action: ActionUpdated, update: &root, reply: t.Changed(c.State, alarm.State(inc.State), c.Observed), next: next, commit: true}

	default:
		// OK or INSUFFICIENT_DATA with no open incident: shown on its own, remembered (closed) so
		// that a repeat of it is recognised and a late message can reply to it.
		next := incident.Incident{State: state, StateSince: at, LastChange: at, Closed: true, ClosedAt: at}
		return plan{action: ActionAlone, post: &c.Message, next: next, commit: true}
	}
}
