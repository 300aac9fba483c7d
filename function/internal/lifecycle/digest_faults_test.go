package lifecycle

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/faultproxy"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// historyLags answers conversations.history as Slack does for a moment after a post: without it.
var historyLags = slacktest.Failure{Body: `{"ok":true,"messages":[],"has_more":false}`}

// TestDigestLostAnswers: a digest root whose answer was lost is posted once, whatever comes next
// (Slack's history lagging behind the post, the same messages handed back in another batch).
func TestDigestLostAnswers(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	setupDigest := func(t *testing.T) env {
		e := setup(t, moto)
		e.x.EnableDigests(render.Options{Location: time.UTC})
		return e
	}
	ctx := func(t *testing.T) context.Context {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		t.Cleanup(cancel)
		return c
	}

	t.Run("answer lost, history lagging: the retry of the batch finds the root", func(t *testing.T) {
		e := setupDigest(t)
		e.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		e.slack.Fail("conversations.history", historyLags)
		batch := batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0))
		if _, err := e.x.ApplyDigest(ctx(t), batch, "b1"); err == nil {
			t.Fatal("first attempt: no error; want the lost answer reported (the messages come back)")
		}
		res, err := e.x.ApplyDigest(ctx(t), batch, "b1")
		roots := e.slack.Roots(channel)
		if err != nil || len(roots) != 1 || res[0].RootTS != roots[0].TS || res[1].RootTS != roots[0].TS {
			t.Errorf("retry: %v; %d roots, results %+v; want the one root found", err, len(roots), res)
		}
	})

	t.Run("answer lost: the same messages in another batch find the root", func(t *testing.T) {
		e := setupDigest(t)
		e.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		e.slack.Fail("conversations.history", historyLags)
		if _, err := e.x.ApplyDigest(ctx(t), batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0)), "b1"); err == nil {
			t.Fatal("first attempt: no error; want the lost answer reported")
		}
		res, err := e.x.ApplyDigest(ctx(t), batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0), stormAlarm(3, alarm.StateAlarm, t0)), "b2")
		roots := e.slack.Roots(channel)
		if err != nil || len(roots) != 1 {
			t.Fatalf("another batch: %v; %d roots; want the root of the first attempt, and no other", err, len(roots))
		}
		if got := shows(&roots[0]); len(got) != 3 {
			t.Errorf("the root shows %v; want the 3 alarms", got)
		}
		for i, r := range res {
			if r.Placement != DigestShown || r.RootTS != roots[0].TS {
				t.Errorf("entry %d: %+v; want shown in %s", i, r, roots[0].TS)
			}
		}
	})
}

// TestDigestKeepsTheChannelsPace: a storm's roots are posted a second apart and edited at most
// once a second, so that the channel never answers ratelimited (a refused call is a call made
// faster than the channel takes it), also across batches.
func TestDigestKeepsTheChannelsPace(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	e := setup(t, moto)
	e.x.EnableDigests(render.Options{Location: time.UTC})
	e.slack.Limit(time.Second, time.Second)
	tok, _ := slackapi.ParseToken(token)
	judge, _ := render.JudgeFor(render.SlackApp)
	client, err := slackapi.New(func(string) string { return e.slack.URL }, tok, judge, http.DefaultClient) // waits out Retry-After for real
	if err != nil {
		t.Fatal(err)
	}
	e.x.slack = client
	var alarms []*alarm.Alarm
	for i := range DigestCapacity + 5 {
		alarms = append(alarms, stormAlarm(i, alarm.StateAlarm, t0))
	}
	e.digest(t, batchOf(alarms...)) // two roots
	// Someone deletes the current root: the next batch's alarms go into a new root at once.
	first := e.digest(t, batchOf(stormAlarm(200, alarm.StateAlarm, t0)))
	e.slack.Delete(channel, first[0].RootTS)
	e.digest(t, batchOf(stormAlarm(201, alarm.StateAlarm, t0), stormAlarm(200, alarm.StateOK, t0.Add(time.Minute))))
	if roots := e.slack.Roots(channel); len(roots) != 2 {
		t.Errorf("%d roots; want 2 (the first and the one replacing the deleted)", len(roots))
	}
	if n := e.slack.Limited(); n != 0 {
		t.Errorf("%d calls answered ratelimited; want none (posts closest %v apart)", n, e.slack.MinPostGap())
	}
}

// TestDigestRecordThrottled: DynamoDB throttles the new root's record past the deadline; the
// retry (the same messages, in another batch) finds the root the pointer kept pending and shows
// the batch there instead of posting a second root.
func TestDigestRecordThrottled(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	f := setupFaulty(t, moto)
	f.x.EnableDigests(render.Options{Location: time.UTC})
	clock := time.Now()
	f.store.Now = func() time.Time { return clock }
	f.store.Sleep = func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
	for _, fault := range faultproxy.Times(200, faultproxy.Throttled) {
		fault.When = []string{digestRecordPrefix + channel}
		f.db.Add("UpdateItem", fault)
	}
	first := batchOf(stormAlarm(1, alarm.StateAlarm, t0), stormAlarm(2, alarm.StateAlarm, t0))
	if _, err := f.x.ApplyDigest(withDeadline(t, 8*time.Second), first, "b1"); err == nil {
		t.Fatal("the root's record was throttled past the deadline, and no error said so")
	}
	f.db.Clear()
	f.store.Now, f.store.Sleep = nil, func(context.Context, time.Duration) error { return nil }
	res, err := f.x.ApplyDigest(withDeadline(t, 30*time.Second), append(first, batchOf(stormAlarm(3, alarm.StateAlarm, t0))...), "b2")
	roots := f.slack.Roots(channel)
	if err != nil || len(roots) != 1 || len(shows(&roots[0])) != 3 {
		t.Fatalf("retry: %v; %d roots, the first showing %v; want the one root showing 3 alarms", err, len(roots), shows(&roots[0]))
	}
	for i, r := range res {
		if r.Placement != DigestShown || r.RootTS != roots[0].TS {
			t.Errorf("entry %d: %+v; want shown in %s", i, r, roots[0].TS)
		}
	}
}
