package relay

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	chatapi "github.com/alarm-relay/alarm-relay/function/internal/chat"
	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// keeper records what the relay asks of a Slack app destination's incidents.
type keeper struct {
	mu         sync.Mutex
	changes    []lifecycle.Change
	posts      [][]byte // the messages posted on their own, encoded
	messageIDs []string
	reminders  []lifecycle.Reminder
	err        error            // answered to every call
	action     lifecycle.Action // Apply's action; 0 is a root message posted
	reminded   lifecycle.Action // Remind's action; 0 is a reply in the thread
}

func (k *keeper) Apply(_ context.Context, c lifecycle.Change) (lifecycle.Result, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.changes = append(k.changes, c)
	action := k.action
	if action == 0 {
		action = lifecycle.ActionOpened
	}
	return lifecycle.Result{Action: action, Channel: "C0123ABCDEF", RootTS: "1.1"}, k.err
}

func (k *keeper) Post(_ context.Context, messageID string, m blockkit.Message) (lifecycle.Result, error) {
	payload, err := chatapi.Marshal(m)
	if err != nil {
		return lifecycle.Result{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.posts = append(k.posts, payload)
	k.messageIDs = append(k.messageIDs, messageID)
	return lifecycle.Result{Action: lifecycle.ActionMessage, Channel: "C0123ABCDEF", RootTS: "1.2"}, k.err
}

func (k *keeper) Remind(_ context.Context, r lifecycle.Reminder, _ time.Duration) (lifecycle.Result, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reminders = append(k.reminders, r)
	action := k.reminded
	if action == 0 {
		action = lifecycle.ActionRemindedInThread
	}
	return lifecycle.Result{Action: action}, k.err
}

func slackAppRelay(t *testing.T, k *keeper) (*Relay, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	return New(render.SlackApp, render.Options{}, NewSlackApp(k), slog.New(slog.NewJSONHandler(&logs, nil))), &logs
}

// An alarm goes into its incident with exactly the Slack webhook's payload; a text message is
// posted on its own; a redelivered SNS message is not shown again.
func TestSlackAppShowsAlarmsInTheirIncident(t *testing.T) {
	k := &keeper{}
	r, logs := slackAppRelay(t, k)
	ev := loadEvent(t, "multi-record")
	if err := r.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if err := r.Handle(context.Background(), ev); err != nil { // Lambda's retry of the same event
		t.Fatal(err)
	}
	if err := r.Handle(context.Background(), loadEvent(t, "plain-text")); err != nil {
		t.Fatal(err)
	}
	if err := r.Handle(context.Background(), loadEvent(t, "settling-ok")); err != nil {
		t.Fatal(err)
	}
	if len(k.changes) != 3 || k.changes[0].State != alarm.StateAlarm || k.changes[1].State != alarm.StateOK {
		t.Fatalf("changes %+v, want ALARM then OK once each, then the settling OK", k.changes)
	}
	if k.changes[1].Settling || !k.changes[2].Settling {
		t.Errorf("settling %v, %v: want only the last change marked settling (its incident decides)", k.changes[1].Settling, k.changes[2].Settling)
	}
	ns, err := alarm.Parse(ev)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render.Render(render.Slack, ns[0], render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := chatapi.Marshal(k.changes[0].Message)
	if err != nil {
		t.Fatal(err)
	}
	if c := k.changes[0]; !bytes.Equal(got, want) || c.AlarmARN != ns[0].Alarm.ARN || !c.At.Equal(ns[0].Alarm.ChangedAt) {
		t.Errorf("change %+v: %s\nwant the Slack webhook payload %s", c, got, want)
	}
	if len(k.posts) != 1 || !strings.Contains(string(k.posts[0]), "📣") {
		t.Errorf("text messages posted: %q", k.posts)
	}
	// The SNS MessageId goes along: the incidents keep it, so another container knows it too.
	if text := loadEvent(t, "plain-text"); len(k.messageIDs) != 1 || k.messageIDs[0] != text.Records[0].SNS.MessageID || k.messageIDs[0] == "" {
		t.Errorf("message ids %q", k.messageIDs)
	}
	for _, line := range []string{`"msg":"delivered"`, `"action":"opened: posted the root message"`, `"root_ts":"1.1"`, `"messenger":"slack-app"`, `"already delivered by this container; not posted again"`} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("logs lack %s:\n%s", line, logs)
		}
	}
}

// A new alarm (changed at 09:41:08) goes ALARM at 09:45 (an incident opens), its metric then goes
// missing (ALARM → INSUFFICIENT_DATA, which an alarm without INSUFFICIENT_DATA actions does not
// even notify), and at 09:52 it is INSUFFICIENT_DATA → OK: settling by the SNS message alone, 11
// minutes after the change, yet the end of a real incident. The relay leaves it to the incident,
// which knows whether one is open; dropping it here left the incident open (red) for good.
func TestSlackAppLeavesSettlingToTheIncident(t *testing.T) {
	k := &keeper{}
	r, logs := slackAppRelay(t, k)
	alarmEv, okEv := loadEvent(t, "settling-ok"), loadEvent(t, "settling-ok")
	msg := alarmEv.Records[0].SNS.Message
	alarmEv.Records[0].SNS.Message = strings.NewReplacer(`"NewStateValue":"OK"`, `"NewStateValue":"ALARM"`,
		`2026-11-20T09:42:31.207+0000`, `2026-11-20T09:45:00.000+0000`).Replace(msg)
	alarmEv.Records[0].SNS.MessageID = "alarm-1"
	okEv.Records[0].SNS.Message = strings.ReplaceAll(msg, `2026-11-20T09:42:31.207+0000`, `2026-11-20T09:52:00.000+0000`)
	okEv.Records[0].SNS.MessageID = "ok-1"
	for _, ev := range []alarm.Event{alarmEv, okEv} {
		if err := r.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(k.changes) != 2 || k.changes[0].State != alarm.StateAlarm || k.changes[1].State != alarm.StateOK || !k.changes[1].Settling {
		t.Fatalf("changes %+v; want ALARM, then the OK marked settling for the incident to judge\nlogs: %s", k.changes, logs)
	}
}

// Slack or DynamoDB failing is an undelivered notification: the invocation fails for Lambda to
// retry, nothing is logged as delivered, and the retry shows it (nothing was remembered as done).
func TestSlackAppFailureIsNotDelivered(t *testing.T) {
	k := &keeper{err: errors.New(`slack chat.postMessage answered HTTP 200 "channel_not_found"`)}
	r, logs := slackAppRelay(t, k)
	ev := loadEvent(t, "latency-alarm")
	err := r.Handle(context.Background(), ev)
	var nd *NotDeliveredError
	if !errors.As(err, &nd) || nd.Failed != 1 || !strings.Contains(err.Error(), "channel_not_found") || !strings.Contains(err.Error(), "orders-api latency") {
		t.Fatalf("err = %v, want a NotDeliveredError naming the alarm and Slack's code", err)
	}
	if strings.Contains(logs.String(), `"msg":"delivered"`) {
		t.Errorf("a failure was logged as delivered:\n%s", logs)
	}
	k.err = nil
	if err := r.Handle(context.Background(), ev); err != nil || len(k.changes) != 2 {
		t.Errorf("the retry: err %v, %d changes; want it shown", err, len(k.changes))
	}
}

const reminderEvent = `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api latency","arn:aws:cloudwatch:us-east-1:123456789012:alarm:fresh"]}`

// alarmStates answers like CloudWatch: one alarm in ALARM for 2 h 10 min, one that just fired.
func alarmStates(now time.Time, asked *[]string) AlarmsFunc {
	return func(_ context.Context, arns []string) ([]cwalarms.Alarm, error) {
		*asked = append(*asked, arns...)
		return []cwalarms.Alarm{
			{Name: "orders-api latency", ARN: arns[0], State: "ALARM", Since: now.Add(-130 * time.Minute)},
			{Name: "fresh", ARN: arns[1], State: "ALARM", Since: now.Add(-time.Minute)},
		}, nil
	}
}

func TestReminders(t *testing.T) {
	now := time.Date(2026, 11, 20, 11, 25, 42, 0, time.UTC)
	t.Run("slack app: in the incident's thread", func(t *testing.T) {
		k := &keeper{}
		r, _ := slackAppRelay(t, k)
		r.now = func() time.Time { return now }
		var asked []string
		r.SetAlarms(alarmStates(now, &asked))
		if err := r.HandleJSON(context.Background(), []byte(reminderEvent)); err != nil {
			t.Fatal(err)
		}
		if len(asked) != 2 || len(k.reminders) != 1 || k.reminders[0].AlarmName != "orders-api latency" || k.reminders[0].For != 130*time.Minute {
			t.Errorf("asked %q, reminded %+v", asked, k.reminders)
		}
		if len(k.changes)+len(k.posts) != 0 {
			t.Errorf("a reminder tick posted alarms: %+v %q", k.changes, k.posts)
		}
	})
	t.Run("slack app: a retried tick posts nothing and says so", func(t *testing.T) {
		k := &keeper{reminded: lifecycle.ActionRemindedRecently}
		r, logs := slackAppRelay(t, k)
		r.now = func() time.Time { return now }
		var asked []string
		r.SetAlarms(alarmStates(now, &asked))
		if err := r.HandleJSON(context.Background(), []byte(reminderEvent)); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(logs.String(), `"msg":"reminded"`) || !strings.Contains(logs.String(), `"msg":"reminded recently: nothing posted"`) {
			t.Errorf("a reminder that posted nothing was logged as reminded:\n%s", logs)
		}
	})
	t.Run("webhook: a new message", func(t *testing.T) {
		r, c, logs := setup(t, 200, "ok")
		r.now = func() time.Time { return now }
		var asked []string
		r.SetAlarms(alarmStates(now, &asked))
		if err := r.HandleJSON(context.Background(), []byte(reminderEvent)); err != nil {
			t.Fatal(err)
		}
		if c.received() != 1 {
			t.Fatalf("%d posts, want 1", c.received())
		}
		if text, _ := c.payloads[0]["text"].(string); !strings.Contains(text, "orders-api latency is still in ALARM for 2 h 10 min") {
			t.Errorf("reminder text %q", text)
		}
		if !strings.Contains(logs.String(), `"msg":"reminded"`) {
			t.Errorf("no reminder log line:\n%s", logs)
		}
	})
	t.Run("webhook failing: not delivered", func(t *testing.T) {
		r, _, logs := setup(t, 404, "no_service")
		r.now = func() time.Time { return now }
		var asked []string
		r.SetAlarms(alarmStates(now, &asked))
		err := r.HandleJSON(context.Background(), []byte(reminderEvent))
		var nd *NotDeliveredError
		if !errors.As(err, &nd) || !strings.Contains(err.Error(), "1 of 1 reminders not delivered") || !strings.Contains(err.Error(), "no_service") {
			t.Errorf("err = %v", err)
		}
		if strings.Contains(logs.String(), `"msg":"reminded"`) {
			t.Errorf("a failed reminder was logged as sent:\n%s", logs)
		}
	})
	t.Run("an ARN of another region: the others are reminded, the event rejected", func(t *testing.T) {
		// Issue 17, item 9: what cwalarms.Describe answers for a list with one foreign ARN.
		foreign := "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:elsewhere"
		k := &keeper{}
		r, logs := slackAppRelay(t, k)
		r.now = func() time.Time { return now }
		var asked []string
		good := alarmStates(now, &asked)
		r.SetAlarms(func(ctx context.Context, arns []string) ([]cwalarms.Alarm, error) {
			out, _ := good(ctx, arns[1:])
			return out, &cwalarms.BadARNsError{ARNs: arns[:1], Errs: []error{errors.New(`alarm "elsewhere" is in eu-west-1, not in this function's region us-east-1`)}}
		})
		ev := strings.Replace(reminderEvent, `"alarmArns":[`, `"alarmArns":["`+foreign+`",`, 1)
		err := r.HandleJSON(context.Background(), []byte(ev))
		var invalid *InvalidEventError
		var nd *NotDeliveredError
		if !errors.As(err, &invalid) || errors.As(err, &nd) || !strings.Contains(err.Error(), "1 of 3 alarm ARNs") || !strings.Contains(err.Error(), "eu-west-1") {
			t.Errorf("err = %v", err)
		}
		if len(k.reminders) != 1 || k.reminders[0].AlarmName != "orders-api latency" {
			t.Errorf("reminded %+v", k.reminders)
		}
		if n := strings.Count(logs.String(), `"msg":"event rejected"`); n != 1 {
			t.Errorf("%d rejections logged:\n%s", n, logs)
		}
	})
	t.Run("CloudWatch failing: not delivered", func(t *testing.T) {
		k := &keeper{}
		r, _ := slackAppRelay(t, k)
		r.SetAlarms(func(context.Context, []string) ([]cwalarms.Alarm, error) {
			return nil, errors.New("AccessDenied")
		})
		err := r.HandleJSON(context.Background(), []byte(reminderEvent))
		var nd *NotDeliveredError
		if !errors.As(err, &nd) || !strings.Contains(err.Error(), "read the alarms' states: AccessDenied") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestHandleJSONRejects(t *testing.T) {
	k := &keeper{}
	r, _ := slackAppRelay(t, k)
	r.SetAlarms(func(context.Context, []string) ([]cwalarms.Alarm, error) { return nil, nil })
	for raw, errHas := range map[string]string{
		`{"alarmRelay":"remind","everyMinutes":0,"alarmArns":["x"]}`:        "everyMinutes is 0",
		`{"alarmRelay":"snooze","everyMinutes":60,"alarmArns":["x"]}`:       `alarmRelay is "snooze"`,
		`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["x"],"y":1}`: "unknown field",
		`[1,2]`:              "neither an SNS event nor a reminder event",
		`{"Records":[]}`:     "SNS event has no records",
		`{"Records":"none"}`: "neither an SNS event nor a reminder event",
		`{"Records":5}`:      "field Event.Records of type []alarm.Record", // alarm.Event's own words
		`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["x"],"Records":5}`: `unknown field "Records"`,
	} {
		err := r.HandleJSON(context.Background(), []byte(raw))
		var invalid *InvalidEventError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), errHas) {
			t.Errorf("HandleJSON(%s) = %v, want an InvalidEventError with %q", raw, err, errHas)
		}
	}
	if len(k.changes)+len(k.posts)+len(k.reminders) != 0 {
		t.Error("a rejected event posted something")
	}
	// A relay without alarm states (a dry run) refuses reminders instead of ignoring them.
	bare, _ := slackAppRelay(t, k)
	if err := bare.HandleJSON(context.Background(), []byte(reminderEvent)); err == nil {
		t.Error("a relay that cannot read alarm states accepted a reminder event")
	}
}

// A change the incident already shows is handled (no retry) but never logged as delivered.
func TestSlackAppNothingPostedIsNotDelivered(t *testing.T) {
	k := &keeper{action: lifecycle.ActionDuplicate}
	r, logs := slackAppRelay(t, k)
	if err := r.Handle(context.Background(), loadEvent(t, "latency-alarm")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), `"msg":"delivered"`) || !strings.Contains(logs.String(), `"msg":"duplicate: already shown, nothing posted"`) {
		t.Errorf("a duplicate was logged as delivered, or not logged:\n%s", logs.String())
	}
}
