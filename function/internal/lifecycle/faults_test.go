package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/faultproxy"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// faulty is a destination whose table (moto) and Slack (slacktest) both sit behind fault proxies.
type faulty struct {
	env
	db, sl *faultproxy.Proxy
	logs   *bytes.Buffer
	key    incident.Key
}

func setupFaulty(t *testing.T, moto string) faulty {
	t.Helper()
	db := faultproxy.New(t, moto)
	e := setup(t, db.URL)
	sl := faultproxy.New(t, strings.TrimSuffix(e.slack.URL, "/api/"))
	tok, _ := slackapi.ParseToken(token)
	judge, _ := render.JudgeFor(render.SlackApp)
	client, err := slackapi.New(func(string) string { return sl.URL + "/api/" }, tok, judge, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	client.Clock.Sleep = func(context.Context, time.Duration) error { return nil }
	e.x.slack = client
	e.store.Sleep = func(context.Context, time.Duration) error { return nil }
	var logs bytes.Buffer
	e.x.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	e.store.Log = e.x.Log
	return faulty{env: e, db: db, sl: sl, logs: &logs, key: incident.Key{AlarmARN: change(t, alarm.StateAlarm, t0, "").AlarmARN, Destination: "team"}}
}

// withDeadline is a Lambda invocation's context: the relay must finish (or fail) before it.
func withDeadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// rawItem reads the item as DynamoDB holds it, attribute by attribute.
func (f faulty) rawItem(t *testing.T) map[string]any {
	t.Helper()
	out := motoCall(t, f.db.URL, "GetItem", map[string]any{"TableName": f.store.Table, "ConsistentRead": true, "Key": itemKey(f.key)})
	item, _ := out["Item"].(map[string]any)
	return item
}

func itemKey(k incident.Key) map[string]any {
	return map[string]any{"alarmArn": map[string]string{"S": k.AlarmARN}, "destination": map[string]string{"S": k.Destination}}
}

func motoCall(t *testing.T, endpoint, op string, in any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %v", op, resp.StatusCode, out)
	}
	return out
}

// roots and replies as the channel shows them, never calls.
func (f faulty) counts(t *testing.T) (roots int, replies int) {
	t.Helper()
	for _, r := range f.slack.Roots(channel) {
		roots++
		replies += len(f.slack.Replies(channel, r.TS))
	}
	return roots, replies
}

func TestFaults(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	alarmAt := func(t *testing.T, d time.Duration) Change { return change(t, alarm.StateAlarm, t0.Add(d), "412.53 ms") }
	okAt := func(t *testing.T, d time.Duration) Change { return change(t, alarm.StateOK, t0.Add(d), "99 ms") }

	// Item 1: a post Slack took whose answer was lost is found by its metadata, not posted again.
	for _, fault := range []struct {
		name string
		f    slacktest.Failure
	}{{"connection dropped", slacktest.Failure{Lose: true}}, {"ok without ts", slacktest.Failure{NoTS: true}}} {
		t.Run("root post: "+fault.name, func(t *testing.T) {
			f := setupFaulty(t, moto)
			f.slack.Fail("chat.postMessage", fault.f)
			res := f.apply(t, alarmAt(t, 0), ActionOpened)
			if roots, _ := f.counts(t); roots != 1 || f.slack.Roots(channel)[0].TS != res.RootTS {
				t.Fatalf("%d roots, the incident's is %s", roots, res.RootTS)
			}
			f.apply(t, okAt(t, 10*time.Minute), ActionResolved)
			if roots, replies := f.counts(t); roots != 1 || replies != 1 || color(f.slack.Message(channel, res.RootTS)) != "#2EB67D" {
				t.Errorf("%d roots, %d replies, root colour %s", roots, replies, color(f.slack.Message(channel, res.RootTS)))
			}
		})
	}
	t.Run("reply: connection dropped", func(t *testing.T) {
		f := setupFaulty(t, moto)
		f.apply(t, alarmAt(t, 0), ActionOpened)
		f.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		f.apply(t, alarmAt(t, 5*time.Minute), ActionUpdated)
		if roots, replies := f.counts(t); roots != 1 || replies != 1 {
			t.Errorf("%d roots, %d replies, want 1 and 1", roots, replies)
		}
	})
	t.Run("reply lost, then its thread deleted: the retry is not stuck", func(t *testing.T) {
		f := setupFaulty(t, moto)
		first := f.apply(t, alarmAt(t, 0), ActionOpened)
		f.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		f.sl.Add("conversations.replies", faultproxy.Fault{Status: 200, Body: `{"ok":true,"messages":[]}`}) // history lagging
		if _, err := f.x.Apply(context.Background(), alarmAt(t, 5*time.Minute)); err == nil {
			t.Fatal("a reply of unknown outcome was reported as shown")
		}
		f.slack.Delete(channel, first.RootTS)
		res := f.apply(t, alarmAt(t, 5*time.Minute), ActionUpdated)
		if roots := f.slack.Roots(channel); len(roots) != 1 || roots[0].TS != res.RootTS || len(f.slack.Replies(channel, res.RootTS)) != 1 {
			t.Errorf("%d roots, replies %d", len(roots), len(f.slack.Replies(channel, res.RootTS)))
		}
	})
	t.Run("answer lost and history not readable yet: the retry finds it", func(t *testing.T) {
		f := setupFaulty(t, moto)
		f.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		// Slack's history has not caught up within the invocation (simulated: no answer).
		f.sl.Add("conversations.history", faultproxy.Fault{Status: 200, Body: `{"ok":true,"messages":[]}`})
		if _, err := f.x.Apply(withDeadline(t, 20*time.Second), alarmAt(t, 0)); err == nil {
			t.Fatal("a post of unknown outcome was reported as shown")
		}
		if item := f.rawItem(t); item["lockToken"] != nil || item["pending"] == nil {
			t.Fatalf("after the unknown post: %v", item)
		}
		// Lambda's retry, maybe in another container: it looks first.
		f.apply(t, alarmAt(t, 0), ActionOpened)
		if roots, _ := f.counts(t); roots != 1 {
			t.Errorf("%d roots, want 1", roots)
		}
	})
	t.Run("without the history scope: said in the log, posted again", func(t *testing.T) {
		f := setupFaulty(t, moto)
		f.slack.NoHistory = true
		f.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		if _, err := f.x.Apply(context.Background(), alarmAt(t, 0)); err == nil {
			t.Fatal("a post of unknown outcome was reported as shown")
		}
		if !strings.Contains(f.logs.String(), "channels:history") {
			t.Errorf("no word of the missing scope in the log:\n%s", f.logs)
		}
		f.apply(t, alarmAt(t, 0), ActionOpened)
	})
	t.Run("a second root exists anyway: both are resolved", func(t *testing.T) {
		f := setupFaulty(t, moto)
		f.slack.NoHistory = true
		f.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true})
		if _, err := f.x.Apply(context.Background(), alarmAt(t, 0)); err == nil {
			t.Fatal("a post of unknown outcome was reported as shown")
		}
		f.slack.NoHistory = false
		// Before the retry, the next ALARM comes: it opens the incident and finds the lost root.
		f.apply(t, alarmAt(t, 5*time.Minute), ActionOpened)
		if inc := f.incident(t); len(inc.Roots) != 1 {
			t.Fatalf("the incident does not know its other root: %+v", inc)
		}
		f.apply(t, okAt(t, 20*time.Minute), ActionResolved)
		roots := f.slack.Roots(channel)
		if len(roots) != 2 || color(&roots[0]) != "#2EB67D" || color(&roots[1]) != "#2EB67D" {
			t.Errorf("%d roots, colours %s %s", len(roots), color(&roots[0]), color(&roots[len(roots)-1]))
		}
	})

	// Item 2: the commit is throttled; retried within the deadline, it goes through.
	t.Run("commit throttled: retried within the deadline", func(t *testing.T) {
		f := setupFaulty(t, moto)
		commit := []string{`"lockUntil"`, `":v"`} // a commit frees the lock; a save does not
		for _, fault := range faultproxy.Times(9, faultproxy.Throttled) {
			fault.When = commit
			f.db.Add("UpdateItem", fault)
		}
		if _, err := f.x.Apply(withDeadline(t, 30*time.Second), alarmAt(t, 0)); err != nil {
			t.Fatal(err)
		}
		if inc := f.incident(t); !inc.Open() || f.rawItem(t)["lockToken"] != nil {
			t.Errorf("incident %+v, lock %v", inc, f.rawItem(t)["lockToken"])
		}
	})
	t.Run("commit throttled past the deadline: lock freed, the retry finds the post", func(t *testing.T) {
		f := setupFaulty(t, moto)
		clock := time.Now()
		f.store.Now = func() time.Time { return clock }
		f.store.Sleep = func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
		for _, fault := range faultproxy.Times(200, faultproxy.Throttled) {
			fault.When = []string{`"lockUntil"`, `":v"`}
			f.db.Add("UpdateItem", fault)
		}
		if _, err := f.x.Apply(withDeadline(t, 8*time.Second), alarmAt(t, 0)); err == nil || !strings.Contains(err.Error(), "not remembered") {
			t.Fatalf("err = %v", err)
		}
		if item := f.rawItem(t); item["lockToken"] != nil {
			t.Errorf("the lock is still held: %v", item)
		}
		f.db.Clear()
		f.store.Now, f.store.Sleep = nil, func(context.Context, time.Duration) error { return nil }
		f.apply(t, alarmAt(t, 0), ActionOpened)
		if roots, _ := f.counts(t); roots != 1 {
			t.Errorf("%d roots, want 1", roots)
		}
	})

	// Item 3: a replacement root is saved before the reply can fail; retries do not post more.
	t.Run("replacement root, then the reply fails", func(t *testing.T) {
		f := setupFaulty(t, moto)
		first := f.apply(t, alarmAt(t, 0), ActionOpened)
		f.slack.Delete(channel, first.RootTS)
		for range 2 {
			f.sl.Add("chat.postMessage", faultproxy.Fault{Status: 200, Body: `{"ok":false,"error":"msg_too_long"}`, When: []string{`"thread_ts"`}})
			if _, err := f.x.Apply(context.Background(), alarmAt(t, 5*time.Minute)); err == nil {
				t.Fatal("a failed reply was reported as shown")
			}
		}
		res := f.apply(t, alarmAt(t, 5*time.Minute), ActionUpdated)
		if roots, replies := f.counts(t); roots != 1 || replies != 1 || !res.NewRoot {
			t.Errorf("%d roots, %d replies, new root %v", roots, replies, res.NewRoot)
		}
	})

	// Item 4: any change already shown, redelivered later, posts nothing.
	t.Run("the opening and a middle ALARM redelivered", func(t *testing.T) {
		f := setupFaulty(t, moto)
		f.apply(t, alarmAt(t, 0), ActionOpened)
		f.apply(t, alarmAt(t, 5*time.Minute), ActionUpdated)
		f.apply(t, alarmAt(t, 10*time.Minute), ActionUpdated)
		f.apply(t, alarmAt(t, 0), ActionDuplicate)
		f.apply(t, alarmAt(t, 5*time.Minute), ActionDuplicate)
		f.apply(t, okAt(t, 20*time.Minute), ActionResolved)
		f.apply(t, alarmAt(t, 0), ActionDuplicate) // a dead-letter replay after the recovery
		if roots, replies := f.counts(t); roots != 1 || replies != 3 {
			t.Errorf("%d roots, %d replies; want 1 and 3 (two ALARMs and the recovery)", roots, replies)
		}
	})

	// Item 5: a message that is no alarm is posted once per SNS MessageId, in any container.
	t.Run("non-alarm message redelivered to another container", func(t *testing.T) {
		f := setupFaulty(t, moto)
		other, err := New(f.x.slack, f.store, channel, "team", render.NewIncidentLines(render.English, nil)) // a second container
		if err != nil {
			t.Fatal(err)
		}
		payload := blockkit.Message{Text: "deploy finished"}
		if _, err := f.x.Post(context.Background(), "6e1f2a8c-0b7d-5c1e-9a4f-3d2b1c0e9f8a", payload); err != nil {
			t.Fatal(err)
		}
		res, err := other.Post(context.Background(), "6e1f2a8c-0b7d-5c1e-9a4f-3d2b1c0e9f8a", payload)
		if err != nil || !res.NothingPosted() {
			t.Errorf("redelivery: %+v, %v", res, err)
		}
		if _, err := other.Post(context.Background(), "another-message", payload); err != nil {
			t.Fatal(err)
		}
		if roots, _ := f.counts(t); roots != 2 {
			t.Errorf("%d roots, want 2", roots)
		}
	})

	// Item 6: items of any shape are reported and replaced; none blocks the alarm.
	for _, shape := range []struct {
		name string
		item map[string]any
	}{
		{"version not an integer", map[string]any{"version": map[string]string{"N": "1.5"}, "state": map[string]string{"S": "ALARM"}, "rootTs": map[string]string{"S": "1.1"}}},
		{"version a string", map[string]any{"version": map[string]string{"S": "v2"}, "state": map[string]string{"S": "ALARM"}}},
		{"no version", map[string]any{"state": map[string]string{"S": "ALARM"}, "rootTs": map[string]string{"S": "1.1"}, "legacy": map[string]string{"S": "x"}}},
		{"a lease far in the future", map[string]any{"version": map[string]string{"N": "3"}, "closed": map[string]bool{"BOOL": true}, "state": map[string]string{"S": "OK"},
			"lockToken": map[string]string{"S": "someone"}, "lockUntil": map[string]string{"N": "4102444800000"}}},
		{"a lease that is no number", map[string]any{"version": map[string]string{"N": "3"}, "lockToken": map[string]string{"S": "someone"}, "lockUntil": map[string]string{"S": "soon"}}},
	} {
		t.Run("item: "+shape.name, func(t *testing.T) {
			f := setupFaulty(t, moto)
			item := itemKey(f.key)
			for k, v := range shape.item {
				item[k] = v
			}
			motoCall(t, f.db.URL, "PutItem", map[string]any{"TableName": f.store.Table, "Item": item})
			f.store.WorkTime = 25 * time.Second // a held lock makes it give up at once
			if _, err := f.x.Apply(withDeadline(t, 30*time.Second), alarmAt(t, 0)); err != nil {
				t.Fatal(err)
			}
			if roots, _ := f.counts(t); roots != 1 {
				t.Errorf("%d roots", roots)
			}
			if inc := f.incident(t); !inc.Open() || inc.Version < 1 {
				t.Errorf("not replaced: %+v", inc)
			}
		})
	}
	for _, failAt := range []string{"Slack", "the table"} {
		t.Run("an item not understood is never deleted: "+failAt+" fails", func(t *testing.T) {
			f := setupFaulty(t, moto)
			item := itemKey(f.key)
			item["legacy"] = map[string]string{"S": "keep me"}
			motoCall(t, f.db.URL, "PutItem", map[string]any{"TableName": f.store.Table, "Item": item})
			if failAt == "Slack" {
				f.slack.Fail("chat.postMessage", slacktest.Failure{Code: "channel_not_found"})
			} else { // the save before the post: the lock is released with nothing written
				for _, fault := range faultproxy.Times(30, faultproxy.Throttled) {
					fault.When = []string{`"pending"`}
					f.db.Add("UpdateItem", fault)
				}
			}
			if _, err := f.x.Apply(context.Background(), alarmAt(t, 0)); err == nil {
				t.Fatalf("a failed post was reported as shown (%d faults left, %d UpdateItem)", f.db.Pending(), f.db.Seen("UpdateItem"))
			}
			if got := f.rawItem(t); got["legacy"] == nil || got["lockToken"] != nil {
				t.Errorf("after a failed post: %v", got)
			}
		})
	}
	t.Run("a lock whose answer was lost is freed", func(t *testing.T) {
		f := setupFaulty(t, moto)
		for _, fault := range faultproxy.Times(3, faultproxy.Fault{Lose: true}) {
			fault.When = []string{`":far"`} // the lock's request only
			f.db.Add("UpdateItem", fault)
		}
		if _, err := f.x.Apply(context.Background(), alarmAt(t, 0)); err == nil {
			t.Fatal("Apply without a lock succeeded")
		}
		if got := f.rawItem(t); got["lockToken"] != nil {
			t.Errorf("the lock is still held: %v", got)
		}
	})

	// Item 7: a StateChangeTime that cannot be true is clamped to now, and said so.
	t.Run("a StateChangeTime far in the future", func(t *testing.T) {
		f := setupFaulty(t, moto)
		now := time.Now()
		f.x.Now = func() time.Time { return now }
		future := change(t, alarm.StateAlarm, now.Add(365*24*time.Hour), "412.53 ms")
		f.apply(t, future, ActionOpened)
		f.apply(t, change(t, alarm.StateOK, now.Add(time.Minute), "99 ms"), ActionResolved)
		f.apply(t, change(t, alarm.StateAlarm, now.Add(2*time.Minute), "412.53 ms"), ActionOpened)
		if !strings.Contains(f.logs.String(), "StateChangeTime lies in the future") {
			t.Errorf("no log line:\n%s", f.logs)
		}
		now = now.Add(3 * time.Minute)
		f.apply(t, change(t, alarm.StateOK, time.Time{}, "99 ms"), ActionResolved)
	})

	// Item 9: a reminder-opened incident does not take the closed one's last change.
	t.Run("reminder after a closed incident: an older OK is late", func(t *testing.T) {
		f := setupFaulty(t, moto)
		f.apply(t, alarmAt(t, 0), ActionOpened)
		f.apply(t, okAt(t, 10*time.Minute), ActionResolved)
		since := t0.Add(60 * time.Minute) // in ALARM again; its notification was lost
		now := since.Add(65 * time.Minute)
		f.x.Now = func() time.Time { return now }
		if _, err := f.x.Remind(context.Background(), Reminder{AlarmARN: f.key.AlarmARN, AlarmName: "x", Since: since, For: 65 * time.Minute}, time.Hour); err != nil {
			t.Fatal(err)
		}
		// An OK from before the reminder's ALARM (replayed from the dead-letter queue).
		f.apply(t, okAt(t, 30*time.Minute), ActionLate)
		if inc := f.incident(t); !inc.Open() {
			t.Errorf("an OK older than the ALARM closed the incident: %+v", inc)
		}
	})
}
