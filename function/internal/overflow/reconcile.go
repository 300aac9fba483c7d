package overflow

import (
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// Item is one overflow message of a batch, read.
type Item struct {
	ID           string // the SQS message id: what a partial batch failure names
	Notification alarm.Notification
	Sent         time.Time // when it entered the queue (SQS's SentTimestamp); orders equal change times
}

// Entry is one digest line and the messages it stands for.
type Entry struct {
	render.DigestEntry
	IDs []string // every SQS message folded into the line
}

// Reconcile makes a batch one line per alarm, at the alarm's newest state: the newest
// StateChangeTime wins (a batch arrives in no particular order, and the newest may have entered
// the queue first), equal times go to the one sent last. The older changes are folded into it
// (counted, and the state before the oldest shown as "was"), so that a digest never ends an
// alarm on an older state. The same SNS message twice (SNS delivers at least once) counts once.
// Text notifications keep a line each. Lines keep the order of their first message.
func Reconcile(items []Item) (entries []Entry, changes int) {
	byKey := map[string]int{}     // alarm → index in entries
	bySNS := map[string]int{}     // SNS MessageId → index in entries
	oldest := map[int]time.Time{} // entry → its oldest change, for "was"
	newest := map[int]Item{}
	for _, it := range items {
		n := it.Notification
		if n.MessageID != "" {
			if i, dup := bySNS[n.MessageID]; dup {
				entries[i].IDs = append(entries[i].IDs, it.ID)
				continue
			}
		}
		changes++
		key := alarmKey(n)
		i, seen := byKey[key]
		if key == "" || !seen {
			i = len(entries)
			entries = append(entries, Entry{DigestEntry: render.DigestEntry{Notification: n, Was: previous(n)}, IDs: []string{it.ID}})
			if key != "" {
				byKey[key] = i
			}
			oldest[i], newest[i] = changedAt(n), it
		} else {
			e := &entries[i]
			e.IDs = append(e.IDs, it.ID)
			e.Folded++
			if t := changedAt(n); t.Before(oldest[i]) {
				oldest[i], e.Was = t, previous(n)
			}
			if newer(it, newest[i]) {
				newest[i] = it
				e.Notification = n
			}
		}
		if n.MessageID != "" {
			bySNS[n.MessageID] = i
		}
	}
	return entries, changes
}

// alarmKey names the alarm a notification is about: its ARN, else its name; "" for text.
func alarmKey(n alarm.Notification) string {
	switch {
	case n.Alarm == nil:
		return ""
	case n.Alarm.ARN != "":
		return "arn " + n.Alarm.ARN
	}
	return "name " + n.Alarm.Name
}

func changedAt(n alarm.Notification) time.Time {
	if n.Alarm != nil && !n.Alarm.ChangedAt.IsZero() {
		return n.Alarm.ChangedAt
	}
	return n.Published
}

func previous(n alarm.Notification) alarm.State {
	if n.Alarm == nil {
		return ""
	}
	return n.Alarm.PreviousState
}

// newer tells whether a is a later change than b: by StateChangeTime, then by when it was queued.
func newer(a, b Item) bool {
	ta, tb := changedAt(a.Notification), changedAt(b.Notification)
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return a.Sent.After(b.Sent)
}
