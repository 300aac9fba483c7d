package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestDigestRecoveryOfDeletedRoot: a change after the storm of an alarm whose digest root was
// deleted reads as in any root: its line in the root that shows it now, and the reply ("Resolved
// after …") in that root's thread.
func TestDigestRecoveryOfDeletedRoot(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	for _, tc := range []struct {
		name  string
		later time.Duration // since the storm's root was posted
	}{
		{"after the storm: a new root", digestQuiet + time.Minute},
		{"while the storm's root is current: a new root", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, moto)
			e.x.EnableDigests(render.Options{Location: time.UTC})
			first := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
			e.slack.Delete(channel, first[0].RootTS)
			if tc.later > 0 {
				later := time.Now().Add(tc.later)
				e.x.Now = func() time.Time { return later }
			}
			a := stormAlarm(1, alarm.StateOK, t0.Add(10*time.Minute))
			r, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a)))
			if err != nil {
				t.Fatalf("recovery: %v", err)
			}
			roots := e.slack.Roots(channel)
			if len(roots) != 1 || roots[0].TS != r.RootTS || shows(&roots[0])[stormtest.AlarmName(1)] != "OK" {
				t.Fatalf("%d roots, result %+v; want one root (%s) showing alarm 1 OK", len(roots), r, r.RootTS)
			}
			replies := e.slack.Replies(channel, r.RootTS)
			if len(replies) != 1 || !strings.Contains(fmt.Sprint(replies[0].Body["text"]), "Resolved after") {
				t.Errorf("replies in the root's thread: %v; want one saying \"Resolved after\"", bodies(replies))
			}
			// Delivered again (Lambda's retry): nothing more.
			if _, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a))); err != nil {
				t.Fatal(err)
			}
			if n, m := len(e.slack.Roots(channel)), len(e.slack.Replies(channel, r.RootTS)); n != 1 || m != 1 {
				t.Errorf("after a repeat: %d roots, %d replies; want 1 and 1", n, m)
			}
		})
	}
}

// TestDigestOneEditPerBatch: a batch that changes alarms the current root shows and adds new ones
// edits that root once (chat.update's rate is one a second per message).
func TestDigestOneEditPerBatch(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	e := setup(t, moto)
	e.x.EnableDigests(render.Options{Location: time.UTC})
	first := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
	root := first[0].RootTS
	edits := func() int {
		n := 0
		for _, c := range e.slack.Calls() {
			if c.Method == "chat.update" {
				n++
			}
		}
		return n
	}
	for _, batch := range [][]*alarm.Alarm{
		// A storm's batch: one alarm of the root recovers, three are new.
		{stormAlarm(1, alarm.StateOK, t0.Add(time.Minute)), stormAlarm(3, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(4, alarm.StateAlarm, t0.Add(time.Minute)),
			stormAlarm(5, alarm.StateAlarm, t0.Add(time.Minute))},
		// The storm's tail (a trickle: replied in the thread): one of the root changes, one is new.
		{stormAlarm(2, alarm.StateOK, t0.Add(2*time.Minute)), stormAlarm(6, alarm.StateAlarm, t0.Add(2*time.Minute))},
	} {
		before := edits()
		res := e.digest(t, batchOf(batch...))
		if n := edits() - before; n != 1 {
			t.Errorf("batch of %d: %d chat.update calls; want 1", len(batch), n)
		}
		for i, r := range res {
			if r.Placement != DigestShown || r.RootTS != root {
				t.Errorf("batch of %d, entry %d: %+v; want shown in %s", len(batch), i, r, root)
			}
		}
	}
	roots := e.slack.Roots(channel)
	want := map[string]string{stormtest.AlarmName(1): "OK", stormtest.AlarmName(2): "OK", stormtest.AlarmName(3): "ALARM", stormtest.AlarmName(4): "ALARM",
		stormtest.AlarmName(5): "ALARM", stormtest.AlarmName(6): "ALARM"}
	if len(roots) != 1 || fmt.Sprint(shows(&roots[0])) != fmt.Sprint(want) {
		t.Errorf("%d roots, showing %v; want one showing %v", len(roots), shows(&roots[0]), want)
	}
	replies := e.slack.Replies(channel, root)
	if len(replies) != 1 || !strings.Contains(fmt.Sprint(replies[0].Body["text"]), "Resolved after") {
		t.Errorf("replies: %v; want the tail's one recovery replied", bodies(replies))
	}
}

// refuseFirstReply refuses the first thread reply (Slack answers an error), passing the rest on.
type refuseFirstReply struct {
	Slack
	refused atomic.Bool
}

func (s *refuseFirstReply) PostMessage(ctx context.Context, m slackapi.Message) (slackapi.Posted, error) {
	if m.ThreadTS != "" && !s.refused.Swap(true) {
		return slackapi.Posted{}, errors.New("slack: internal_error")
	}
	return s.Slack.PostMessage(ctx, m)
}

// TestDigestRecoveryOfDeletedRootReplyRefused: the reply of a recovery that moved into a new root
// is refused: the change fails (Lambda retries it), and the retry shows it in that root, once,
// with its reply.
func TestDigestRecoveryOfDeletedRootReplyRefused(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	e := setup(t, moto)
	e.x.EnableDigests(render.Options{Location: time.UTC})
	first := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
	e.slack.Delete(channel, first[0].RootTS)
	later := time.Now().Add(digestQuiet + time.Minute)
	e.x.Now = func() time.Time { return later }
	e.x.slack = &refuseFirstReply{Slack: e.x.slack}
	a := stormAlarm(1, alarm.StateOK, t0.Add(10*time.Minute))
	if _, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a))); err == nil {
		t.Fatal("recovery with its reply refused: no error; want one (the change comes back)")
	}
	r, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a)))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	roots := e.slack.Roots(channel)
	if len(roots) != 1 || roots[0].TS != r.RootTS || shows(&roots[0])[stormtest.AlarmName(1)] != "OK" {
		t.Fatalf("%d roots, result %+v; want one root showing alarm 1 OK", len(roots), r)
	}
	if replies := e.slack.Replies(channel, r.RootTS); len(replies) != 1 || !strings.Contains(fmt.Sprint(replies[0].Body["text"]), "Resolved after") {
		t.Errorf("replies: %v; want one saying \"Resolved after\"", bodies(replies))
	}
}
