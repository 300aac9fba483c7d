package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// stormAlarm is alarm i of a storm in state at time at.
func stormAlarm(i int, state alarm.State, at time.Time) *alarm.Alarm {
	name := stormtest.AlarmName(i)
	prev := alarm.StateOK
	if state == alarm.StateOK {
		prev = alarm.StateAlarm
	}
	v := 412.5
	return &alarm.Alarm{Name: name, ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + name, State: state, PreviousState: prev, ChangedAt: at,
		Region: "us-east-1", Partition: "aws", Unit: "Milliseconds", Observed: &v, API: "orders-api",
		ConsoleURL: "https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/storm%20" + fmt.Sprint(i)}
}

func batchOf(alarms ...*alarm.Alarm) []render.DigestEntry {
	var out []render.DigestEntry
	for _, a := range alarms {
		out = append(out, render.DigestEntry{Notification: alarm.Notification{Alarm: a}, Was: a.PreviousState})
	}
	return out
}

// shows is what a message shows: alarm name → state.
func shows(m *slacktest.Message) map[string]string {
	raw, _ := json.Marshal(m.Body)
	return stormtest.ReadSlack(raw)
}

func (e env) digest(t *testing.T, batch []render.DigestEntry) []DigestResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := e.x.ApplyDigest(ctx, batch, fmt.Sprint(len(batch)))
	if err != nil {
		t.Fatalf("digest: %v", err)
	}
	return res
}

// TestDigest: a storm's batches share one root, posted once and edited in place (never older
// than shown); each incident records it, so that a recovery through Apply edits that root's line
// and replies in its thread; an alarm with a root of its own keeps it; a full root makes a new one;
// a lost answer does not post the root twice.
func TestDigest(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	setupDigest := func(t *testing.T) env {
		e := setup(t, moto)
		e.x.EnableDigests(render.Options{Location: time.UTC})
		return e
	}

	t.Run("batches share one root, edited in place; a recovery replies in its thread", func(t *testing.T) {
		e := setupDigest(t)
		res := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0), stormAlarm(3, alarm.StateAlarm, t0.Add(time.Second))))
		roots := e.slack.Roots(channel)
		if len(roots) != 1 || len(shows(&roots[0])) != 3 {
			t.Fatalf("after the first batch: %d roots, the first showing %v; want one root showing 3 alarms", len(roots), shows(&roots[0]))
		}
		root := roots[0].TS
		for i, r := range res {
			if r.Placement != DigestShown || r.RootTS != root {
				t.Errorf("entry %d: %+v; want shown in %s", i, r, root)
			}
		}
		// The next batch (a storm's: more than a trickle): one alarm recovers, others are new, an
		// old change comes late.
		e.digest(t, batchOf(stormAlarm(2, alarm.StateOK, t0.Add(time.Minute)), stormAlarm(4, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(3, alarm.StateOK, t0.Add(-time.Minute)),
			stormAlarm(5, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(6, alarm.StateAlarm, t0.Add(time.Minute))))
		roots = e.slack.Roots(channel)
		got := shows(&roots[0])
		want := map[string]string{stormtest.AlarmName(1): "ALARM", stormtest.AlarmName(2): "OK", stormtest.AlarmName(3): "ALARM", stormtest.AlarmName(4): "ALARM",
			stormtest.AlarmName(5): "ALARM", stormtest.AlarmName(6): "ALARM"}
		if len(roots) != 1 || fmt.Sprint(got) != fmt.Sprint(want) || roots[0].Edits == 0 {
			t.Errorf("after the second batch: %d roots, edits %d, showing %v; want one root edited, showing %v", len(roots), roots[0].Edits, got, want)
		}
		if n := len(e.slack.Replies(channel, root)); n != 0 {
			t.Errorf("%d replies during the storm; want none (the root is the news)", n)
		}
		for i := 1; i <= 6; i++ {
			inc, err := e.store.Get(context.Background(), incident.Key{AlarmARN: stormAlarm(i, alarm.StateOK, t0).ARN, Destination: "team"})
			if err != nil || inc.RootTS != root || inc.DigestRoot == "" {
				t.Errorf("incident %d: %+v, %v; want the digest root %s", i, inc, err, root)
			}
		}

		// After the storm: alarm 1 recovers, through the normal path.
		a := stormAlarm(1, alarm.StateOK, t0.Add(10*time.Minute))
		r, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a)))
		if err != nil || r.RootTS != root {
			t.Fatalf("recovery: %+v, %v; want the digest root %s", r, err, root)
		}
		roots = e.slack.Roots(channel)
		if got := shows(&roots[0]); len(roots) != 1 || got[stormtest.AlarmName(1)] != "OK" || len(got) != 6 {
			t.Errorf("after the recovery: %d roots, showing %v; want the digest root showing alarm 1 OK among 6", len(roots), got)
		}
		replies := e.slack.Replies(channel, root)
		if len(replies) != 1 || !strings.Contains(fmt.Sprint(replies[0].Body["text"]), "Resolved") {
			t.Errorf("replies after the recovery: %v; want one saying resolved", bodies(replies))
		}
	})

	t.Run("an alarm with a root of its own keeps it", func(t *testing.T) {
		e := setupDigest(t)
		a := stormAlarm(7, alarm.StateAlarm, t0)
		own, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a)))
		if err != nil {
			t.Fatal(err)
		}
		res := e.digest(t, batchOf(stormAlarm(7, alarm.StateOK, t0.Add(time.Minute)), stormAlarm(8, alarm.StateAlarm, t0.Add(time.Minute))))
		if res[0].Placement != DigestOwnRoot || res[1].Placement != DigestShown || res[1].RootTS == own.RootTS {
			t.Errorf("outcomes %+v; want alarm 7 left to its own root %s, alarm 8 in a digest", res, own.RootTS)
		}
	})

	t.Run("the next storm opens a new root; the last one's alarms stay in theirs", func(t *testing.T) {
		e := setupDigest(t)
		first := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
		later := time.Now().Add(digestQuiet + time.Minute)
		e.x.Now = func() time.Time { return later }
		res := e.digest(t, batchOf(stormAlarm(3, alarm.StateAlarm, t0.Add(time.Hour)), stormAlarm(4, alarm.StateAlarm, t0.Add(time.Hour)),
			stormAlarm(5, alarm.StateAlarm, t0.Add(time.Hour)), stormAlarm(1, alarm.StateOK, t0.Add(time.Hour))))
		roots := e.slack.Roots(channel)
		if len(roots) != 2 || res[0].RootTS == first[0].RootTS || res[3].RootTS != first[0].RootTS {
			t.Fatalf("%d roots, results %+v; want a new root for the new storm, alarm 1 still in the first", len(roots), res)
		}
		if got := shows(&roots[0]); got[stormtest.AlarmName(1)] != "OK" || len(got) != 2 {
			t.Errorf("the first storm's root shows %v; want alarm 1 OK beside alarm 2", got)
		}
	})

	t.Run("a full root makes a new one", func(t *testing.T) {
		e := setupDigest(t)
		var alarms []*alarm.Alarm
		for i := range DigestCapacity + 5 {
			alarms = append(alarms, stormAlarm(i, alarm.StateAlarm, t0))
		}
		e.digest(t, batchOf(alarms...))
		roots := e.slack.Roots(channel)
		if len(roots) != 2 || len(shows(&roots[0]))+len(shows(&roots[1])) != DigestCapacity+5 || len(shows(&roots[0])) > DigestCapacity {
			t.Errorf("%d roots showing %d alarms; want 2 roots, at most %d in one, %d in all", len(roots), len(shows(&roots[0]))+len(shows(&roots[len(roots)-1])), DigestCapacity, DigestCapacity+5)
		}
	})

	t.Run("a root whose answer was lost is found, not posted twice", func(t *testing.T) {
		e := setupDigest(t)
		e.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		res := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
		roots := e.slack.Roots(channel)
		if len(roots) != 1 || res[0].RootTS != roots[0].TS || res[1].RootTS != roots[0].TS {
			t.Errorf("%d roots, results %+v; want the one root found", len(roots), res)
		}
	})

	t.Run("a deleted root's alarms go into a new root", func(t *testing.T) {
		e := setupDigest(t)
		first := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0)))
		e.slack.Delete(channel, first[0].RootTS)
		res := e.digest(t, batchOf(stormAlarm(1, alarm.StateInsufficientData, t0.Add(time.Minute))))
		roots := e.slack.Roots(channel)
		if res[0].Placement != DigestShown || len(roots) != 1 || shows(&roots[0])[stormtest.AlarmName(1)] != "INSUFFICIENT_DATA" {
			t.Errorf("result %+v, %d roots; want the alarm shown in a new root", res, len(roots))
		}
	})
}

// slackMessage is a's notification as the Slack app renders it.
func slackMessage(t *testing.T, a *alarm.Alarm) blockkit.Message {
	t.Helper()
	p, err := render.Build(render.SlackApp, alarm.Notification{Alarm: a}, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := p.Slack()
	if !ok {
		t.Fatal("render.Build(SlackApp) gave no Slack message")
	}
	return m
}
