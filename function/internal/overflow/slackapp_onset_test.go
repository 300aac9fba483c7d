package overflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// fillingQueue answers "how many wait?" from a script (the last answer repeats): the queue
// filling while an invocation is under way.
type fillingQueue struct {
	mu      sync.Mutex
	answers []int
	bodies  []string
}

func (q *fillingQueue) Send(_ context.Context, body string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.bodies = append(q.bodies, body)
	return nil
}

func (q *fillingQueue) Waiting(context.Context) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.answers[0]
	if len(q.answers) > 1 {
		q.answers = q.answers[1:]
	}
	return n, nil
}

// TestSlackAppPostAsksAgain: others queued while this invocation took its incident's lock (a
// storm's onset, other execution environments pushed back): the change follows them into the
// queue instead of meeting the channel's refusal.
func TestSlackAppPostAsksAgain(t *testing.T) {
	slack := slacktest.New(t, stormToken, stormChannel)
	moto := testsupport.StartMoto(t)
	getenv := withDynamo(func(k string) string {
		return map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}[k]
	}, moto)
	store, err := incident.New("onset", getenv, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok, _ := slackapi.ParseToken(stormToken)
	judge, _ := render.JudgeFor(render.SlackApp)
	api, err := slackapi.New(func(string) string { return slack.URL }, tok, judge, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	x, err := lifecycle.New(api, store, stormChannel, "team", render.NewIncidentLines(render.English, nil))
	if err != nil {
		t.Fatal(err)
	}
	handler := func(q Queue) func(context.Context, json.RawMessage) (any, error) { // an execution environment
		h, err := SlackAppHandler(relay.New(render.SlackApp, render.Options{}, relay.NewSlackApp(x), slog.Default()), q)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	q := &fillingQueue{answers: []int{0, 7}}
	h := handler(q)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := stormtest.Change{Alarm: stormtest.AlarmName(1), State: "ALARM", Previous: "OK", At: time.Now(), MessageID: "onset-1"}
	if _, err := h(ctx, stormtest.Event(c)); err != nil {
		t.Fatalf("invocation: %v; want the change queued", err)
	}
	if calls, queued := len(slack.Calls()), len(q.bodies); calls != 0 || queued != 1 {
		t.Errorf("%d Slack calls, %d queued; want none and 1", calls, queued)
	}

	// An isolated change (nothing waits) is still posted at once.
	c = stormtest.Change{Alarm: stormtest.AlarmName(2), State: "ALARM", Previous: "OK", At: time.Now(), MessageID: "alone-2"}
	if _, err := handler(&fillingQueue{answers: []int{0}})(ctx, stormtest.Event(c)); err != nil {
		t.Fatal(err)
	}
	if roots := slack.Roots(stormChannel); len(roots) != 1 {
		t.Errorf("%d roots after an isolated change; want it posted", len(roots))
	}
}
