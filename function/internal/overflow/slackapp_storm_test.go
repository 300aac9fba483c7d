package overflow

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

const (
	stormToken   = "xoxb-storm-0000-SECRET"
	stormChannel = "C0STORM"
)

// slackAppDest is a Slack app destination: the scripted Web API taking one post a second per
// channel and one edit a second per message (ratelimited with Retry-After: 1 beyond), incidents
// in moto_server's DynamoDB.
func slackAppDest() (stormDest, **slacktest.Server) {
	var (
		slack  *slacktest.Server
		dynamo string
		table  = "storm-incidents"
	)
	d := stormDest{}
	d.start = func(tb testing.TB, getenv func(string) string) {
		slack = slacktest.New(tb, stormToken, stormChannel)
		slack.Limit(time.Second, time.Second)
		dynamo = testsupport.StartMoto(tb)
		store, err := incident.New(table, withDynamo(getenv, dynamo), http.DefaultClient)
		if err != nil {
			tb.Fatal(err)
		}
		if err := store.CreateTable(context.Background()); err != nil {
			tb.Fatal(err)
		}
	}
	d.handler = func(getenv func(string) string, queueURL string, log *slog.Logger) (func(context.Context, json.RawMessage) (any, error), error) {
		client := deliver.NewHTTPClient()
		tok, err := slackapi.ParseToken(stormToken)
		if err != nil {
			return nil, err
		}
		judge, err := render.JudgeFor(render.SlackApp)
		if err != nil {
			return nil, err
		}
		api, err := slackapi.New(func(string) string { return slack.URL }, tok, judge, client)
		if err != nil {
			return nil, err
		}
		store, err := incident.New(table, withDynamo(getenv, dynamo), client)
		if err != nil {
			return nil, err
		}
		store.Log = log
		x, err := lifecycle.New(api, store, stormChannel, "team", render.NewIncidentLines(render.English, nil))
		if err != nil {
			return nil, err
		}
		x.Log = log
		q, err := NewSQS(getenv, queueURL, client)
		if err != nil {
			return nil, err
		}
		lister, err := cwalarms.NewFromEnv(getenv, client)
		if err != nil {
			return nil, err
		}
		r := relay.New(render.SlackApp, render.Options{}, relay.NewSlackApp(x), log)
		r.SetAlarms(lister.Describe)
		return SlackAppHandler(r, q)
	}
	d.check = func(newest map[string]string) (stormtest.Report, stormExtra) {
		r := stormtest.ReadSlackApp(slack, stormChannel, newest)
		r.Refused = r.Limited
		return r.Report, stormExtra{updates: r.Updates, replies: r.Replies, rootsTwice: r.RootsTwice}
	}
	return d, &slack
}

func withDynamo(getenv func(string) string, endpoint string) func(string) string {
	return func(k string) string {
		if k == "AWS_ENDPOINT_URL_DYNAMODB" {
			return endpoint
		}
		return getenv(k)
	}
}

// TestSlackAppStorm: 200 changes in 2 s for a Slack app destination whose channel takes one post
// a second end with every alarm's newest state in the channel, each alarm in one message only
// (shared digest roots, edited in place), no root posted twice, posts a second apart, nothing
// failed or dead-lettered; and a recovery after the storm edits the digest root that shows the
// alarm and replies in its thread. (How fast is BenchmarkSlackAppStorm's to say.)
func TestSlackAppStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a storm in real time")
	}
	dest, slack := slackAppDest()
	var recovered string // an alarm in ALARM at the storm's end, shown in a digest root
	dest.after = func(invoke func([]byte) error, cw *stormtest.CloudWatch) []stormtest.Change {
		for _, m := range (*slack).Roots(stormChannel) {
			raw, _ := json.Marshal(m.Body)
			if shown := stormtest.ReadSlack(raw); len(shown) > 1 && recovered == "" {
				for name, state := range shown {
					if state == "ALARM" {
						recovered = name
						break
					}
				}
			}
		}
		if recovered == "" {
			t.Error("no digest root shows an alarm in ALARM after the storm")
			return nil
		}
		c := stormtest.Change{Alarm: recovered, State: "OK", Previous: "ALARM", At: time.Now(), MessageID: "after-storm-recovery"}
		cw.Set(c)
		if err := invoke(stormtest.Event(c)); err != nil {
			t.Errorf("recovery after the storm: %v", err)
		}
		return []stormtest.Change{c}
	}
	res := runStormTo(t, dest, "moto", 200, 2*time.Second, stormSettle)
	t.Log(res)
	if len(res.missing) > 0 {
		logErrors(t, res.problems, 5)
		t.Errorf("the channel does not end on the newest state of %d alarms: %v", len(res.missing), res.missing[:min(5, len(res.missing))])
	}
	if len(res.dupes) > 0 || len(res.rootsTwice) > 0 {
		t.Errorf("alarms in more than one message: %v; roots posted twice: %v", res.dupes[:min(5, len(res.dupes))], res.rootsTwice)
	}
	if res.failedSNS > 0 || res.deadLetters > 0 || res.batchesFailures > 0 {
		t.Errorf("%d failed invocations, %d failed batch items, %d dead letters; want none", res.failedSNS, res.batchesFailures, res.deadLetters)
	}
	if res.posts > 1 && res.minGap < time.Second {
		t.Errorf("two posts %v apart: the channel takes one a second", res.minGap)
	}
	if res.posts >= 50 {
		t.Errorf("%d posts for 200 changes: no digest", res.posts)
	}
	// A ratelimited answer is an execution environment's direct post at the storm's onset, queued
	// (it cannot know what the others were told); no client calls again before the Retry-After it
	// was given.
	pushedBack := strings.Count(res.problems, "pushed back by the messenger")
	t.Logf("%d calls answered ratelimited; %d direct posts pushed back (refused, or held back as others waited) and queued", res.refused, pushedBack)
	if n := (*slack).RetryAfterIgnored(); n > 0 {
		t.Errorf("%d calls made before the Retry-After their client was given", n)
	}
	if !res.settled {
		t.Fatalf("not settled within %v: %d messages still in the overflow queue, %d failed polls; the recovery after the storm was not tried", stormSettle, res.leftInQueue, res.pollErrors)
	}
	// The recovery: the root showing the alarm shows it OK, and its thread says so.
	var root *slacktest.Message
	for _, m := range (*slack).Roots(stormChannel) {
		raw, _ := json.Marshal(m.Body)
		if stormtest.ReadSlack(raw)[recovered] != "" {
			root = &m
			break
		}
	}
	if root == nil {
		t.Fatalf("no root shows %q", recovered)
	}
	raw, _ := json.Marshal(root.Body)
	if got := stormtest.ReadSlack(raw); got[recovered] != "OK" || len(got) < 2 {
		t.Errorf("the digest root shows %q as %q among %d alarms; want OK among the storm's others", recovered, got[recovered], len(got))
	}
	replies := (*slack).Replies(stormChannel, root.TS)
	if len(replies) != 1 || !strings.Contains(fmt.Sprint(replies[0].Body["text"]), "Resolved") {
		t.Errorf("replies in the digest root's thread: %+v; want one for the recovery", replies)
	}
}

// BenchmarkSlackAppStorm prints, for 50, 200 and 1,000 changes (in 0.5 s, 2 s and 10 s) to a Slack
// app destination whose channel takes one post a second and each message one edit a second, the
// time until every alarm's newest state is in the channel, the posts (roots and replies), the
// edits and the invocations (scripts/stormbench makes the table). Incidents in moto_server's
// DynamoDB; the overflow queue in moto_server or in memory (see BenchmarkStorm).
func BenchmarkSlackAppStorm(b *testing.B) {
	for _, tt := range []struct {
		backend string
		n       int
		spread  time.Duration
	}{
		{"moto", 200, 2 * time.Second},
		{"memory", 50, 500 * time.Millisecond}, {"memory", 200, 2 * time.Second}, {"memory", 1000, 10 * time.Second},
	} {
		b.Run(fmt.Sprintf("%s/%d", tt.backend, tt.n), func(b *testing.B) {
			var res stormResult
			ignored := 0
			for range b.N {
				dest, slack := slackAppDest()
				res = runStormTo(b, dest, tt.backend, tt.n, tt.spread, stormBudget)
				ignored = (*slack).RetryAfterIgnored()
			}
			b.ReportMetric(float64(ignored), "retry-after-ignored")
			b.ReportMetric(float64(strings.Count(res.problems, "pushed back by the messenger")), "pushed-back")
			b.ReportMetric(res.visibleAfter.Seconds(), "s-to-visible")
			b.ReportMetric(float64(res.posts), "posts")
			b.ReportMetric(float64(res.updates), "updates")
			b.ReportMetric(float64(res.refused), "429s")
			b.ReportMetric(float64(res.snsInvocations+res.sqsInvocations), "invocations")
			b.ReportMetric(float64(res.sqsInvocations), "sqs-invocations")
			b.ReportMetric(float64(len(res.missing)), "missing")
			b.ReportMetric(float64(len(res.dupes)+len(res.rootsTwice)), "duplicated")
			b.ReportMetric(float64(res.failedSNS+int64(res.deadLetters)), "failed")
			b.ReportMetric(res.minGap.Seconds(), "min-gap-s")
			b.Log(res)
			if len(res.missing)+len(res.dupes) > 0 {
				b.Logf("missing: %v; duplicated: %v", res.missing[:min(10, len(res.missing))], res.dupes[:min(10, len(res.dupes))])
			}
			logErrors(b, res.problems, 5)
		})
	}
}

// logErrors shows the relay's first error lines: why batch items failed.
func logErrors(tb testing.TB, logs string, n int) {
	for _, line := range strings.Split(logs, "\n") {
		if n > 0 && strings.Contains(line, `"level":"ERROR"`) {
			tb.Log(line)
			n--
		}
	}
}
