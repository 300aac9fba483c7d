package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

const (
	token   = "xoxb-1111111111-2222222222222-TestTestTestTest"
	channel = "C0123ABCDEF"
)

var t0 = time.Date(2026, 11, 20, 9, 15, 42, 318e6, time.UTC)

// fixture parses a sample SNS event from function/testdata.
func fixture(t *testing.T, name string) alarm.Notification {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev alarm.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	ns, err := alarm.Parse(ev)
	if err != nil || len(ns) != 1 || ns[0].Alarm == nil {
		t.Fatalf("%s: %v, %d notifications", name, err, len(ns))
	}
	return ns[0]
}

// change renders a copy of the sample alarm in state at time at, as the relay would.
func change(t *testing.T, state alarm.State, at time.Time, observed string) Change {
	t.Helper()
	name := map[alarm.State]string{alarm.StateAlarm: "latency-alarm.json", alarm.StateOK: "latency-ok.json", alarm.StateInsufficientData: "insufficient-data.json"}[state]
	n := fixture(t, name)
	a := *n.Alarm
	a.ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api latency (alarm-relay/dev)"
	a.Name = "orders-api latency (alarm-relay/dev)"
	a.State, a.ChangedAt, a.Observed = state, at, nil
	if observed != "" { // "412.53 ms": the sample alarm's unit is milliseconds
		v, err := strconv.ParseFloat(strings.TrimSuffix(observed, " ms"), 64)
		if err != nil {
			t.Fatalf("observed %q: %v", observed, err)
		}
		a.Observed = &v
	}
	n.Alarm = &a
	payload, err := render.Build(render.SlackApp, n, render.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := payload.Slack()
	if !ok {
		t.Fatal("render.Build(SlackApp) gave no Slack message")
	}
	return ChangeFrom(&a, m)
}

type env struct {
	slack *slacktest.Server
	store *incident.Store
	x     *Tracker
}

// setup gives each subtest its own Slack and table on the shared moto.
func setup(t *testing.T, moto string) env {
	t.Helper()
	slack := slacktest.New(t, token, channel)
	tok, err := slackapi.ParseToken(token)
	if err != nil {
		t.Fatal(err)
	}
	judge, err := render.JudgeFor(render.SlackApp)
	if err != nil {
		t.Fatal(err)
	}
	client, err := slackapi.New(func(string) string { return slack.URL }, tok, judge, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	client.Clock.Sleep = func(context.Context, time.Duration) error { return nil }
	table := strings.Map(func(r rune) rune { // a table per subtest, named after it
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	store, err := incident.New(table, func(k string) string {
		return map[string]string{
			"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
			"AWS_ENDPOINT_URL_DYNAMODB": moto,
		}[k]
	}, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	x, err := New(client, store, channel, "team", render.NewIncidentLines(render.English, nil))
	if err != nil {
		t.Fatal(err)
	}
	return env{slack: slack, store: store, x: x}
}

func (e env) incident(t *testing.T) incident.Incident {
	t.Helper()
	inc, err := e.store.Get(context.Background(), incident.Key{AlarmARN: change(t, alarm.StateAlarm, t0, "").AlarmARN, Destination: "team"})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func (e env) apply(t *testing.T, c Change, wantAction Action) Result {
	t.Helper()
	res, err := e.x.Apply(context.Background(), c)
	if err != nil {
		t.Fatalf("apply %s at %s: %v", c.State, c.At.Format(time.TimeOnly), err)
	}
	if res.Action != wantAction {
		t.Errorf("apply %s at %s: %q, want %q", c.State, c.At.Format(time.TimeOnly), res.Action, wantAction)
	}
	return res
}

// color is the bar colour of a rendered Slack message.
func color(m *slacktest.Message) string {
	atts, _ := m.Body["attachments"].([]any)
	if len(atts) == 0 {
		return ""
	}
	c, _ := atts[0].(map[string]any)["color"].(string)
	return c
}

func bodies(ms []slacktest.Message) []string {
	var out []string
	for _, m := range ms {
		s, _ := m.Body["text"].(string)
		out = append(out, s)
	}
	return out
}

func TestLifecycle(t *testing.T) {
	// moto evaluates conditions without a lock; DynamoDB writes atomically (see Serialized).
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	ctx := context.Background()

	t.Run("ALARM, ALARM, OK, ALARM", func(t *testing.T) {
		e := setup(t, moto)
		first := e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionOpened)
		roots := e.slack.Roots(channel)
		if len(roots) != 1 || roots[0].TS != first.RootTS || color(&roots[0]) != "#E01E5A" {
			t.Fatalf("after the first ALARM: roots %+v", roots)
		}

		e.apply(t, change(t, alarm.StateAlarm, t0.Add(5*time.Minute), "530 ms"), ActionUpdated)
		root := e.slack.Message(channel, first.RootTS)
		if root.Edits != 1 || !strings.Contains(root.Body["text"].(string), "Open since 2026-11-20 09:15 UTC (5 min) · history in the thread") {
			t.Errorf("root after the second ALARM: %d edits, %q", root.Edits, root.Body["text"])
		}

		resolved := e.apply(t, change(t, alarm.StateOK, t0.Add(14*time.Minute+20*time.Second), "120.4 ms"), ActionResolved)
		root = e.slack.Message(channel, first.RootTS)
		if resolved.RootTS != first.RootTS || root.Edits != 2 || color(root) != "#2EB67D" ||
			!strings.Contains(root.Body["text"].(string), "✅ OK: orders-api latency") || !strings.Contains(root.Body["text"].(string), "Resolved after 14 min") {
			t.Errorf("root after OK: %d edits, colour %s, %q", root.Edits, color(root), root.Body["text"])
		}
		blocks, _ := json.Marshal(root.Body["blocks"])
		if !strings.Contains(string(blocks), `{"elements":[{"text":"Resolved after 14 min","type":"mrkdwn"}],"type":"context"}`) {
			t.Errorf("the resolved root has no status line under its header: %s", blocks)
		}
		if inc := e.incident(t); !inc.Closed || inc.State != "OK" || inc.Open() {
			t.Errorf("incident after OK: %+v", inc)
		}

		again := e.apply(t, change(t, alarm.StateAlarm, t0.Add(30*time.Minute), "480 ms"), ActionOpened)
		if again.RootTS == first.RootTS || len(e.slack.Roots(channel)) != 2 {
			t.Errorf("a new incident did not get a new root: %+v, roots %d", again, len(e.slack.Roots(channel)))
		}
		wantThread := []string{"🔴 *ALARM* — observed 530 ms", "✅ *Resolved after 14 min* — observed 120.4 ms"}
		if got := bodies(e.slack.Replies(channel, first.RootTS)); fmt.Sprint(got) != fmt.Sprint(wantThread) {
			t.Errorf("first incident's thread\n got %q\nwant %q", got, wantThread)
		}
		if got := e.slack.Replies(channel, again.RootTS); len(got) != 0 {
			t.Errorf("the new incident's thread: %q", bodies(got))
		}
		if inc := e.incident(t); !inc.Open() || inc.RootTS != again.RootTS || !inc.OpenedAt.Equal(t0.Add(30*time.Minute)) || len(inc.Shown) != 4 {
			t.Errorf("incident after the last ALARM: %+v", inc)
		}

		// SNS delivers at least once, and Lambda retries: the same notification again posts nothing.
		calls := len(e.slack.Calls())
		e.apply(t, change(t, alarm.StateAlarm, t0.Add(30*time.Minute), "480 ms"), ActionDuplicate)
		if len(e.slack.Calls()) != calls {
			t.Errorf("a repeated notification was posted: %+v", e.slack.Calls()[calls:])
		}
	})

	t.Run("INSUFFICIENT_DATA while open shows in the thread and on the root", func(t *testing.T) {
		e := setup(t, moto)
		first := e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionOpened)
		e.apply(t, change(t, alarm.StateInsufficientData, t0.Add(3*time.Minute), ""), ActionUpdated)
		if root := e.slack.Message(channel, first.RootTS); color(root) != "#9AA0A6" {
			t.Errorf("root colour %s, want the grey of INSUFFICIENT_DATA", color(root))
		}
		e.apply(t, change(t, alarm.StateAlarm, t0.Add(6*time.Minute), "600 ms"), ActionUpdated)
		want := []string{"⚪ *INSUFFICIENT_DATA* (was ALARM)", "🔴 *ALARM* (was INSUFFICIENT_DATA) — observed 600 ms"}
		if got := bodies(e.slack.Replies(channel, first.RootTS)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("thread\n got %q\nwant %q", got, want)
		}
		if inc := e.incident(t); !inc.StateSince.Equal(t0.Add(6*time.Minute)) || !inc.OpenedAt.Equal(t0) {
			t.Errorf("incident %+v", inc)
		}
	})

	// all applies the changes at once, each in its own goroutine, like concurrent invocations.
	all := func(t *testing.T, e env, changes ...Change) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, len(changes))
		for i, c := range changes {
			wg.Go(func() { _, errs[i] = e.x.Apply(ctx, c) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}

	t.Run("one notification delivered three times at once posts one root", func(t *testing.T) {
		e := setup(t, moto)
		c := change(t, alarm.StateAlarm, t0, "412.53 ms")
		all(t, e, c, c, c)
		roots := e.slack.Roots(channel)
		if len(roots) != 1 || len(e.slack.Calls()) != 1 {
			t.Fatalf("%d root messages, %d calls", len(roots), len(e.slack.Calls()))
		}
	})

	t.Run("two datapoints at once: one root, one reply", func(t *testing.T) {
		e := setup(t, moto)
		all(t, e, change(t, alarm.StateAlarm, t0, "412.53 ms"), change(t, alarm.StateAlarm, t0.Add(time.Minute), "450 ms"))
		roots := e.slack.Roots(channel)
		if len(roots) != 1 {
			t.Fatalf("%d root messages: %q", len(roots), bodies(roots))
		}
		// Whichever came first is the root; the other is in its thread (a reply, or a late one).
		if replies := bodies(e.slack.Replies(channel, roots[0].TS)); len(replies) != 1 {
			t.Errorf("thread %q, want exactly one reply", replies)
		}
		if inc := e.incident(t); !inc.LastChange.Equal(t0.Add(time.Minute)) {
			t.Errorf("incident shows %s, want the newest change", inc.LastChange)
		}
	})

	t.Run("a deleted root is replaced, never lost", func(t *testing.T) {
		e := setup(t, moto)
		first := e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionOpened)
		e.slack.Delete(channel, first.RootTS)
		res := e.apply(t, change(t, alarm.StateOK, t0.Add(14*time.Minute), "120.4 ms"), ActionResolved)
		if !res.NewRoot || res.RootTS == first.RootTS {
			t.Fatalf("result %+v", res)
		}
		root := e.slack.Message(channel, res.RootTS)
		if root == nil || color(root) != "#2EB67D" || !strings.Contains(root.Body["text"].(string), "Resolved after 14 min") {
			t.Errorf("new root %+v", root)
		}
		if got := bodies(e.slack.Replies(channel, res.RootTS)); len(got) != 1 || !strings.HasPrefix(got[0], "✅ *Resolved after 14 min*") {
			t.Errorf("new root's thread %q", got)
		}
		if inc := e.incident(t); inc.RootTS != res.RootTS || !inc.Closed {
			t.Errorf("incident %+v", inc)
		}
	})

	t.Run("a destination moved to a new channel resolves there when the old one is gone", func(t *testing.T) {
		e := setup(t, moto)
		const old = "C0OLDCHANNEL"
		e.slack.Join(old)
		moved := *e.x
		moved.channel = old
		first, err := moved.Apply(ctx, change(t, alarm.StateAlarm, t0, "412.53 ms"))
		if err != nil || first.Channel != old {
			t.Fatalf("%+v, %v", first, err)
		}
		e.slack.Archive(old) // the stack now names channel
		res := e.apply(t, change(t, alarm.StateOK, t0.Add(14*time.Minute), "120.4 ms"), ActionResolved)
		if !res.NewRoot || res.Channel != channel {
			t.Fatalf("result %+v", res)
		}
		if roots := e.slack.Roots(channel); len(roots) != 1 || color(&roots[0]) != "#2EB67D" {
			t.Errorf("new channel %q", bodies(roots))
		}
		if got := bodies(e.slack.Replies(channel, res.RootTS)); len(got) != 1 {
			t.Errorf("thread %q", got)
		}
		// In its own channel, the same error is a failure: nowhere else to go.
		e.apply(t, change(t, alarm.StateAlarm, t0.Add(time.Hour), "500 ms"), ActionOpened)
		e.slack.Archive(channel)
		if _, err := e.x.Apply(ctx, change(t, alarm.StateOK, t0.Add(2*time.Hour), "100 ms")); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("a late message replies and leaves the root as it is", func(t *testing.T) {
		e := setup(t, moto)
		first := e.apply(t, change(t, alarm.StateAlarm, t0.Add(10*time.Minute), "500 ms"), ActionOpened)
		e.apply(t, change(t, alarm.StateOK, t0, "100 ms"), ActionLate)
		if root := e.slack.Message(channel, first.RootTS); root.Edits != 0 {
			t.Errorf("a late OK edited the root")
		}
		want := "✅ *OK* at 2026-11-20 09:15 UTC, received late: the message above shows a newer state — observed 100 ms"
		if got := bodies(e.slack.Replies(channel, first.RootTS)); len(got) != 1 || got[0] != want {
			t.Errorf("thread %q, want %q", got, want)
		}
		if inc := e.incident(t); !inc.Open() || inc.State != "ALARM" {
			t.Errorf("incident %+v", inc)
		}
	})

	t.Run("OK without an open incident is posted on its own, once", func(t *testing.T) {
		e := setup(t, moto)
		res := e.apply(t, change(t, alarm.StateOK, t0, "100 ms"), ActionAlone)
		e.apply(t, change(t, alarm.StateOK, t0, "100 ms"), ActionDuplicate)
		if roots := e.slack.Roots(channel); len(roots) != 1 || roots[0].TS != res.RootTS {
			t.Errorf("roots %q", bodies(roots))
		}
		e.apply(t, change(t, alarm.StateAlarm, t0.Add(time.Minute), "400 ms"), ActionOpened)
	})

	t.Run("Slack failures fail the change and keep no state", func(t *testing.T) {
		e := setup(t, moto)
		e.slack.Fail("chat.postMessage", slacktest.Failure{Code: "channel_not_found"})
		_, err := e.x.Apply(ctx, change(t, alarm.StateAlarm, t0, "412.53 ms"))
		if err == nil || !strings.Contains(err.Error(), `post the incident's message: slack chat.postMessage answered HTTP 200 "channel_not_found"`) {
			t.Fatalf("err = %v", err)
		}
		if inc := e.incident(t); inc.RootTS != "" || inc.State != "" || len(inc.Pending) > 0 {
			t.Errorf("a failed post left state: %+v", inc)
		}
		// Lambda's retry: Slack answers now (after a rate limit), and the root is posted once.
		e.slack.Fail("chat.postMessage", slacktest.Failure{Status: 429, Code: "ratelimited", RetryAfter: "1"})
		e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionOpened)
		if roots := e.slack.Roots(channel); len(roots) != 1 {
			t.Errorf("%d roots", len(roots))
		}
		// A reply that fails after the root was edited: the change is not remembered, so the
		// retry edits and replies again rather than losing the reply.
		e.slack.Fail("chat.postMessage", slacktest.Failure{Code: "msg_too_long"})
		if _, err := e.x.Apply(ctx, change(t, alarm.StateOK, t0.Add(9*time.Minute), "99 ms")); err == nil {
			t.Fatal("a failed reply was reported as shown")
		}
		if inc := e.incident(t); !inc.Open() {
			t.Errorf("the incident closed without its reply: %+v", inc)
		}
		e.apply(t, change(t, alarm.StateOK, t0.Add(9*time.Minute), "99 ms"), ActionResolved)
	})

	t.Run("Slack's retries leave time to remember the post", func(t *testing.T) {
		e := setup(t, moto)
		// A 20 s Retry-After would fit a 21 s deadline, but not with the commit's reserve:
		// better fail now (Lambda retries) than post and then run out of time to remember it.
		e.slack.Fail("chat.postMessage", slacktest.Failure{Status: 429, Code: "ratelimited", RetryAfter: "20"})
		short, cancel := context.WithTimeout(ctx, 21*time.Second)
		defer cancel()
		_, err := e.x.Apply(short, change(t, alarm.StateAlarm, t0, "412.53 ms"))
		if err == nil || !strings.Contains(err.Error(), "no time left to retry after 20s") {
			t.Errorf("err = %v", err)
		}
		if inc := e.incident(t); inc.RootTS != "" || inc.State != "" || len(inc.Pending) > 0 {
			t.Errorf("state after a failed post: %+v", inc)
		}
	})

	t.Run("reminders", func(t *testing.T) {
		e := setup(t, moto)
		now := t0.Add(2*time.Hour + 10*time.Minute + 5*time.Second)
		e.x.Now = func() time.Time { return now }
		first := e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionOpened)
		r := Reminder{AlarmARN: change(t, alarm.StateAlarm, t0, "").AlarmARN, AlarmName: "orders-api latency (alarm-relay/dev)", Since: t0, For: now.Sub(t0)}
		if res, err := e.x.Remind(ctx, r, time.Hour); err != nil || res.RootTS != first.RootTS {
			t.Fatalf("remind: %+v, %v", res, err)
		}
		// A retried tick a moment later posts nothing.
		now = now.Add(time.Minute)
		if res, err := e.x.Remind(ctx, r, time.Hour); err != nil || res.Action != ActionRemindedRecently {
			t.Errorf("second remind: %+v, %v", res, err)
		}
		want := []string{"⏰ Still in *ALARM* for 2 h 10 min (since 2026-11-20 09:15 UTC)"}
		if got := bodies(e.slack.Replies(channel, first.RootTS)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("thread\n got %q\nwant %q", got, want)
		}
	})

	t.Run("a reminder tick: CloudWatch says which alarms are still in ALARM", func(t *testing.T) {
		e := setup(t, moto)
		getenv := func(k string) string {
			return map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": moto}[k]
		}
		cw, err := awsapi.CloudWatch.NewFromEnv(getenv, http.DefaultClient)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"tick still alarming", "tick recovered"}
		for i, name := range names {
			for _, form := range []url.Values{
				{"Action": {"PutMetricAlarm"}, "AlarmName": {name}, "Namespace": {"AWS/ApiGateway"}, "MetricName": {"Latency"}, "Statistic": {"Average"},
					"Period": {"300"}, "EvaluationPeriods": {"1"}, "Threshold": {"300"}, "ComparisonOperator": {"GreaterThanThreshold"}},
				{"Action": {"SetAlarmState"}, "AlarmName": {name}, "StateValue": {[]string{"ALARM", "OK"}[i]}, "StateReason": {"test"}},
			} {
				form.Set("Version", "2010-08-01")
				if err := cw.Query(ctx, form, &struct{}{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ev, isIt, err := relayconfig.ParseReminderEvent([]byte(`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":[` +
			`"arn:aws:cloudwatch:us-east-1:123456789012:alarm:tick still alarming","arn:aws:cloudwatch:us-east-1:123456789012:alarm:tick recovered"]}`))
		if err != nil || !isIt {
			t.Fatal(isIt, err)
		}
		lister, err := cwalarms.NewFromEnv(getenv, http.DefaultClient)
		if err != nil {
			t.Fatal(err)
		}
		alarms, err := lister.Describe(ctx, ev.AlarmARNs)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().Add(2*time.Hour + 10*time.Minute) // moto's alarms changed state just now
		e.x.Now = func() time.Time { return now }
		due := Due(alarms, ev.Every(), now)
		if len(due) != 1 || due[0].AlarmName != "tick still alarming" {
			t.Fatalf("due %+v", due)
		}
		if _, err := e.x.Remind(ctx, due[0], ev.Every()); err != nil {
			t.Fatal(err)
		}
		if roots := bodies(e.slack.Roots(channel)); len(roots) != 1 || !strings.Contains(roots[0], "tick still alarming is still in ALARM for 2 h 10 min") {
			t.Errorf("channel %q", roots)
		}
	})

	t.Run("a reminder whose thread is gone goes to the channel", func(t *testing.T) {
		e := setup(t, moto)
		now := t0.Add(61 * time.Minute)
		e.x.Now = func() time.Time { return now }
		first := e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionOpened)
		e.slack.Delete(channel, first.RootTS)
		arn := change(t, alarm.StateAlarm, t0, "").AlarmARN
		if _, err := e.x.Remind(ctx, Reminder{AlarmARN: arn, AlarmName: "x", Since: t0, For: 61 * time.Minute}, time.Hour); err != nil {
			t.Fatal(err)
		}
		roots := bodies(e.slack.Roots(channel))
		if len(roots) != 1 || !strings.HasPrefix(roots[0], "⏰ Still in *ALARM* for 1 h 1 min") {
			t.Errorf("channel %q", roots)
		}
	})

	t.Run("a reminder without an incident opens one that OK resolves", func(t *testing.T) {
		e := setup(t, moto)
		now := t0.Add(65 * time.Minute)
		e.x.Now = func() time.Time { return now }
		arn := change(t, alarm.StateAlarm, t0, "").AlarmARN
		res, err := e.x.Remind(ctx, Reminder{AlarmARN: arn, AlarmName: "orders-api <latency>", Since: t0, For: 65 * time.Minute}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		root := e.slack.Message(channel, res.RootTS)
		if root == nil || root.Body["text"] != "⏰ orders-api &lt;latency&gt; is still in ALARM for 1 h 5 min (since 2026-11-20 09:15 UTC)" {
			t.Fatalf("root %+v", root)
		}
		// The ALARM notification itself, arriving after all, fills in the root.
		e.apply(t, change(t, alarm.StateAlarm, t0, "412.53 ms"), ActionUpdated)
		e.apply(t, change(t, alarm.StateOK, t0.Add(70*time.Minute), "100 ms"), ActionResolved)
		if root := e.slack.Message(channel, res.RootTS); color(root) != "#2EB67D" || !strings.Contains(root.Body["text"].(string), "Resolved after 1 h 10 min") {
			t.Errorf("root %+v", root)
		}
	})
}
