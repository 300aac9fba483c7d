package lifecycle

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
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
