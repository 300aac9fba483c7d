package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestDigestUnderAttack: what a digest root shows when answers are lost, changes come late,
// roots fill up, reminders come, and alarm names carry markup.
func TestDigestUnderAttack(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	setupDigest := func(t *testing.T, opts render.Options) env {
		e := setup(t, moto)
		e.x.EnableDigests(opts)
		return e
	}
	utc := render.Options{Location: time.UTC}

	t.Run("an edit whose answer was lost: the root and its record agree", func(t *testing.T) {
		e := setupDigest(t, utc)
		e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
		e.slack.Fail("chat.update", slacktest.Failure{Lose: true})
		e.digest(t, batchOf(stormAlarm(1, alarm.StateOK, t0.Add(time.Minute)), stormAlarm(3, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(4, alarm.StateAlarm, t0),
			stormAlarm(5, alarm.StateAlarm, t0)))
		e.digest(t, batchOf(stormAlarm(2, alarm.StateOK, t0.Add(2*time.Minute)), stormAlarm(6, alarm.StateAlarm, t0), stormAlarm(7, alarm.StateAlarm, t0), stormAlarm(8, alarm.StateAlarm, t0)))
		roots := e.slack.Roots(channel)
		want := map[string]string{}
		for i := 1; i <= 8; i++ {
			want[stormtest.AlarmName(i)] = "ALARM"
		}
		want[stormtest.AlarmName(1)], want[stormtest.AlarmName(2)] = "OK", "OK"
		if len(roots) != 1 || fmt.Sprint(shows(&roots[0])) != fmt.Sprint(want) {
			t.Errorf("%d roots, the first showing %v; want one showing %v", len(roots), shows(&roots[0]), want)
		}
	})

	t.Run("an older change than the root shows never moves its line back", func(t *testing.T) {
		e := setupDigest(t, utc)
		e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
		e.digest(t, batchOf(stormAlarm(1, alarm.StateOK, t0.Add(2*time.Minute)), stormAlarm(3, alarm.StateAlarm, t0), stormAlarm(4, alarm.StateAlarm, t0), stormAlarm(5, alarm.StateAlarm, t0)))
		// Late: alarm 1's ALARM of a minute before its recovery, in a trickle and in a storm batch.
		e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0.Add(time.Minute))))
		e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(6, alarm.StateAlarm, t0), stormAlarm(7, alarm.StateAlarm, t0), stormAlarm(8, alarm.StateAlarm, t0)))
		roots := e.slack.Roots(channel)
		if got := shows(&roots[0]); len(roots) != 1 || got[stormtest.AlarmName(1)] != "OK" {
			t.Errorf("%d roots, showing %v; want alarm 1 still OK", len(roots), got)
		}
	})

	t.Run("a root of 40 takes no 41st: it opens the next root", func(t *testing.T) {
		e := setupDigest(t, utc)
		var alarms []*alarm.Alarm
		for i := range DigestCapacity {
			alarms = append(alarms, stormAlarm(i, alarm.StateAlarm, t0))
		}
		e.digest(t, batchOf(alarms...))
		res := e.digest(t, batchOf(stormAlarm(DigestCapacity, alarm.StateAlarm, t0), stormAlarm(0, alarm.StateOK, t0.Add(time.Minute)), stormAlarm(1, alarm.StateOK, t0.Add(time.Minute)),
			stormAlarm(2, alarm.StateOK, t0.Add(time.Minute))))
		roots := e.slack.Roots(channel)
		if len(roots) != 2 || len(shows(&roots[0])) != DigestCapacity || len(shows(&roots[1])) != 1 || shows(&roots[0])[stormtest.AlarmName(0)] != "OK" {
			t.Errorf("%d roots showing %v / %v; want the full root with alarm 0 OK, the 41st in a new one", len(roots), len(shows(&roots[0])), shows(&roots[len(roots)-1]))
		}
		if res[0].RootTS == res[1].RootTS {
			t.Errorf("results %+v; want the 41st in another root", res)
		}
	})

	t.Run("a reminder of an alarm in a digest root goes into its thread", func(t *testing.T) {
		e := setupDigest(t, utc)
		res := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)))
		a := stormAlarm(1, alarm.StateAlarm, t0)
		r, err := e.x.Remind(context.Background(), Reminder{AlarmARN: a.ARN, AlarmName: a.Name, Since: t0, For: time.Hour}, time.Hour)
		if err != nil || r.RootTS != res[0].RootTS {
			t.Fatalf("reminder: %+v, %v; want it in the digest root %s", r, err, res[0].RootTS)
		}
		if roots := e.slack.Roots(channel); len(roots) != 1 || len(e.slack.Replies(channel, res[0].RootTS)) != 1 {
			t.Errorf("%d roots, %d replies; want the reminder as the digest root's one reply", len(roots), len(e.slack.Replies(channel, res[0].RootTS)))
		}
	})

	t.Run("Korean", func(t *testing.T) {
		e := setupDigest(t, render.Options{Language: render.Korean, Location: time.UTC})
		e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateOK, t0)))
		roots := e.slack.Roots(channel)
		raw, _ := json.Marshal(roots[0].Body)
		if len(roots) != 1 || !strings.Contains(string(raw), "경보") || len(shows(&roots[0])) != 2 {
			t.Errorf("%d roots: %s; want one Korean root showing 2 alarms", len(roots), raw)
		}
	})

	t.Run("markup in alarm names is shown, not obeyed", func(t *testing.T) {
		e := setupDigest(t, utc)
		a := stormAlarm(1, alarm.StateAlarm, t0)
		a.Name = "<!channel> *boom* <https://evil.example|click> & <b>x</b>"
		a.ARN += "-markup"
		b := stormAlarm(2, alarm.StateAlarm, t0)
		b.Name, b.API = "<!here> `code`", "<!everyone>"
		b.ARN += "-markup"
		e.digest(t, batchOf(a, b))
		roots := e.slack.Roots(channel)
		raw, _ := json.Marshal(roots[0].Body)
		for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<https://evil", "<b>"} {
			if strings.Contains(string(raw), bad) || strings.Contains(string(raw), strings.ReplaceAll(bad, "<", `\u003c`)) {
				t.Errorf("the root holds %q unescaped: %s", bad, raw)
			}
		}
	})
}

// TestMergeCountsEachChangeOnce: a batch handed again after a commit failed brings a change the
// root's record shows already; its line keeps its count ("was OK", not "2 changes").
func TestMergeCountsEachChangeOnce(t *testing.T) {
	line := func(a *alarm.Alarm, folded int) digestLine {
		return digestLine{Key: a.ARN, Entry: render.DigestEntry{Notification: alarm.Notification{Alarm: a}, Was: a.PreviousState, Folded: folded}}
	}
	first := line(stormAlarm(1, alarm.StateAlarm, t0), 0)
	for _, tt := range []struct {
		name   string
		next   digestLine
		want   alarm.State
		folded int
	}{
		{"the same change again", line(stormAlarm(1, alarm.StateAlarm, t0), 0), alarm.StateAlarm, 0},
		{"the same change folding two, again", line(stormAlarm(1, alarm.StateAlarm, t0), 2), alarm.StateAlarm, 2},
		{"a newer change", line(stormAlarm(1, alarm.StateOK, t0.Add(time.Minute)), 0), alarm.StateOK, 1},
		{"an older change", line(stormAlarm(1, alarm.StateOK, t0.Add(-time.Minute)), 0), alarm.StateAlarm, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := merge([]digestLine{first}, tt.next)
			if len(got) != 1 || got[0].Entry.Notification.Alarm.State != tt.want || got[0].Entry.Folded != tt.folded {
				t.Errorf("merged: %d lines, %s folding %d; want 1 line, %s folding %d", len(got), got[0].Entry.Notification.Alarm.State, got[0].Entry.Folded, tt.want, tt.folded)
			}
		})
	}
}

// TestDigestConcurrentBatches: the mapping's two concurrent batches touching the same alarms take
// turns; the channel ends on each alarm's newest state, each in one root; messages handed again
// in another batch are recognised as shown.
func TestDigestConcurrentBatches(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	e := setup(t, moto)
	e.x.EnableDigests(render.Options{Location: time.UTC})
	a := batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0), stormAlarm(3, alarm.StateAlarm, t0), stormAlarm(4, alarm.StateAlarm, t0))
	b := batchOf(stormAlarm(1, alarm.StateOK, t0.Add(time.Minute)), stormAlarm(2, alarm.StateAlarm, t0), stormAlarm(5, alarm.StateAlarm, t0), stormAlarm(6, alarm.StateAlarm, t0))
	errs := make(chan error, 2)
	for i, batch := range [][]render.DigestEntry{a, b} {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := e.x.ApplyDigest(ctx, batch, fmt.Sprint("batch ", i))
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// The first batch's messages again, in another batch with a new alarm.
	e.digest(t, append(a, batchOf(stormAlarm(7, alarm.StateAlarm, t0))...))
	roots := e.slack.Roots(channel)
	want := map[string]string{}
	for i := 1; i <= 7; i++ {
		want[stormtest.AlarmName(i)] = "ALARM"
	}
	want[stormtest.AlarmName(1)] = "OK"
	if len(roots) != 1 || fmt.Sprint(shows(&roots[0])) != fmt.Sprint(want) {
		t.Errorf("%d roots, the first showing %v; want one showing %v", len(roots), shows(&roots[0]), want)
	}
	raw, _ := json.Marshal(roots[0].Body)
	if strings.Contains(string(raw), "changes)") && !strings.Contains(string(raw), "2 changes)") || strings.Contains(string(raw), "3 changes)") {
		t.Errorf("a line counts more changes than were made: %s", raw)
	}
}

// TestDigestWindowEnd: a maintenance window's end shows each held alarm's state as a settling
// change (an OK no open incident waits for is no news): an alarm a digest root shows in ALARM that
// recovered inside the window turns green on its line, with a reply in the root's thread; one that
// stayed OK posts nothing.
func TestDigestWindowEnd(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	e := setup(t, moto)
	e.x.EnableDigests(render.Options{Location: time.UTC})
	res := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateOK, t0)))
	for _, a := range []*alarm.Alarm{stormAlarm(1, alarm.StateOK, t0.Add(time.Hour)), stormAlarm(2, alarm.StateOK, t0)} {
		c := ChangeFrom(a, slackMessage(t, a))
		c.Settling = true // as relay's window end marks what is not ALARM
		if _, err := e.x.Apply(context.Background(), c); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
	}
	roots := e.slack.Roots(channel)
	got := shows(&roots[0])
	if len(roots) != 1 || got[stormtest.AlarmName(1)] != "OK" || got[stormtest.AlarmName(2)] != "OK" {
		t.Errorf("%d roots, showing %v; want the digest root with both OK", len(roots), got)
	}
	if replies := e.slack.Replies(channel, res[0].RootTS); len(replies) != 1 {
		t.Errorf("replies: %v; want one, the recovery of alarm 1", bodies(replies))
	}
}

// TestDigestRepeatPostsNothing: SNS delivers a change of an alarm a digest root shows again (or
// late): nothing is posted, and the result says so (the relay logs it as such, not as delivered).
func TestDigestRepeatPostsNothing(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	e := setup(t, moto)
	e.x.EnableDigests(render.Options{Location: time.UTC})
	res := e.digest(t, batchOf(stormAlarm(1, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(2, alarm.StateAlarm, t0)))
	for _, a := range []*alarm.Alarm{stormAlarm(1, alarm.StateAlarm, t0.Add(time.Minute)), stormAlarm(1, alarm.StateInsufficientData, t0)} {
		r, err := e.x.Apply(context.Background(), ChangeFrom(a, slackMessage(t, a)))
		if err != nil || !r.NothingPosted() || r.RootTS != res[0].RootTS {
			t.Errorf("%s %s: %+v, %v; want nothing posted, the digest root %s named", a.State, a.ChangedAt, r, err, res[0].RootTS)
		}
	}
	if calls := len(e.slack.Calls()); calls != 1 {
		t.Errorf("%d Slack calls; want the root's post only", calls)
	}
}
