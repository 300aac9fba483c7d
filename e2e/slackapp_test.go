package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/alarm-relay/alarm-relay/internal/emulator"
	"github.com/alarm-relay/alarm-relay/internal/slacktest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// The Slack app destination's test bot: no log line may contain its token.
const (
	botToken   = "xoxb-1234567890-0987654321-e2eBOTsecret"
	channelID  = "C0E2E0CHAN"
	alarmARN   = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api latency (alarm-relay/dev)"
	changeTime = "2006-01-02T15:04:05.000-0700" // CloudWatch's StateChangeTime layout
)

// awsCall makes one JSON-protocol call to moto_server (which routes by the credential scope and
// does not check signatures) and decodes the answer.
func awsCall(t *testing.T, endpoint, service, target string, in any) map[string]any {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/"+time.Now().UTC().Format("20060102")+"/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %v", target, resp.StatusCode, out)
	}
	return out
}

// createTable makes the incident table as the stack declares it (key alarmArn + destination).
func createTable(t *testing.T, endpoint, name string) {
	t.Helper()
	awsCall(t, endpoint, "dynamodb", "DynamoDB_20120810.CreateTable", map[string]any{
		"TableName": name, "BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{{"AttributeName": "alarmArn", "AttributeType": "S"}, {"AttributeName": "destination", "AttributeType": "S"}},
		"KeySchema":            []map[string]string{{"AttributeName": "alarmArn", "KeyType": "HASH"}, {"AttributeName": "destination", "KeyType": "RANGE"}},
	})
}

// incidentItem reads the incident the relay keeps for the alarm and destination "e2e".
func incidentItem(t *testing.T, endpoint, table string) map[string]any {
	t.Helper()
	out := awsCall(t, endpoint, "dynamodb", "DynamoDB_20120810.GetItem", map[string]any{
		"TableName": table, "ConsistentRead": true,
		"Key": map[string]any{"alarmArn": map[string]string{"S": alarmARN}, "destination": map[string]string{"S": "e2e"}},
	})
	item, _ := out["Item"].(map[string]any)
	return item
}

func attrS(item map[string]any, name string) string {
	a, _ := item[name].(map[string]any)
	s, _ := a["S"].(string)
	return s
}

// alarmEvent is the latency-alarm fixture with another state, state change time and MessageId:
// the SNS message CloudWatch sends for that change.
func alarmEvent(t *testing.T, state, previous string, at time.Time, messageID string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture(t, "latency-alarm"), &ev); err != nil {
		t.Fatal(err)
	}
	sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	var msg map[string]any
	if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
		t.Fatal(err)
	}
	msg["NewStateValue"], msg["OldStateValue"], msg["StateChangeTime"] = state, previous, at.UTC().Format(changeTime)
	if state == "OK" {
		msg["NewStateReason"] = "Threshold Crossed: 1 out of the last 1 datapoints [187.2 (20/11/26 09:40:00)] was not greater than the threshold (300.0) (minimum 1 datapoint for ALARM -> OK transition)."
	}
	raw, _ := json.Marshal(msg)
	sns["Message"], sns["MessageId"] = string(raw), messageID
	sns["Subject"] = fmt.Sprintf("%s: \"orders-api latency (alarm-relay/dev)\" in US East (N. Virginia)", state)
	out, _ := json.Marshal(ev)
	return out
}

// slackApp is a Slack app destination: the scripted Web API and the relay's environment.
type slackApp struct {
	slack *slacktest.Server
	moto  string
	table string
	env   []string
}

func newSlackApp(t *testing.T, moto, table string) slackApp {
	t.Helper()
	slack := slacktest.New(t, botToken, channelID)
	createTable(t, moto, table)
	env := []string{"MESSENGER=slack-app", "SLACK_TOKEN=" + botToken, "SLACK_CHANNEL=" + channelID, "STATE_TABLE=" + table,
		"SLACK_API_URL=" + slack.URL, "DESTINATION=e2e",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_ENDPOINT_URL=" + moto}
	return slackApp{slack: slack, moto: moto, table: table, env: env}
}

// startApp runs the relay for a Slack app destination (noSecretLogged checks that its logs never
// show the bot token).
func startApp(t *testing.T, arch string, env []string) *emulator.Emulator {
	t.Helper()
	return start(t, function(t, arch, 10, env...))
}

func mustSucceed(t *testing.T, e *emulator.Emulator, event []byte) {
	t.Helper()
	if res := invoke(t, e, event); res.FunctionError {
		t.Fatalf("invocation failed: %s %s\nlogs:\n%s", res.ErrorType, res.ErrorMessage, e.Logs)
	}
}

func text(m slacktest.Message) string { s, _ := m.Body["text"].(string); return s }

// TestSlackAppUnderEmulator: the built relay keeps one Slack message per incident, with its state
// in moto's DynamoDB (serialised: DynamoDB's conditional writes are atomic, moto's are not).
func TestSlackAppUnderEmulator(t *testing.T) {
	moto := testsupport.Serialized(t, testsupport.StartMoto(t))
	t0 := time.Date(2026, 11, 20, 9, 15, 42, 0, time.UTC)

	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch+": ALARM, ALARM, OK, ALARM", func(t *testing.T) {
			app := newSlackApp(t, moto, "sequence-"+arch)
			e := startApp(t, arch, app.env)
			steps := [][]byte{
				alarmEvent(t, "ALARM", "OK", t0, "m-1"),
				alarmEvent(t, "ALARM", "ALARM", t0.Add(5*time.Minute), "m-2"), // a new datapoint, still in ALARM
				alarmEvent(t, "OK", "ALARM", t0.Add(30*time.Minute), "m-3"),
				alarmEvent(t, "ALARM", "OK", t0.Add(75*time.Minute), "m-4"), // a new incident
			}
			for _, ev := range steps {
				mustSucceed(t, e, ev)
			}
			roots := app.slack.Roots(channelID)
			if len(roots) != 2 {
				t.Fatalf("%d root messages, want one per incident (2):\n%s", len(roots), e.Logs)
			}
			first, second := roots[0], roots[1]
			if !strings.HasPrefix(text(first), "✅ OK: orders-api latency") || first.Edits != 2 {
				t.Errorf("first incident's root %q after %d edits; want it resolved in place after 2 edits", text(first), first.Edits)
			}
			if status := fmt.Sprint(first.Body); !strings.Contains(status, "Resolved after 30 min") {
				t.Errorf("resolved root lacks its status line: %s", status)
			}
			var thread []string
			for _, m := range app.slack.Replies(channelID, first.TS) {
				thread = append(thread, text(m))
			}
			if len(thread) != 2 || !strings.HasPrefix(thread[0], "🔴 *ALARM*") || !strings.HasPrefix(thread[1], "✅ *Resolved after 30 min*") {
				t.Errorf("first incident's thread %q", thread)
			}
			if !strings.HasPrefix(text(second), "🔴 ALARM: orders-api latency") || second.Edits != 0 || len(app.slack.Replies(channelID, second.TS)) != 0 {
				t.Errorf("second incident's root %q (%d edits)", text(second), second.Edits)
			}
			if item := incidentItem(t, moto, app.table); attrS(item, "rootTs") != second.TS && !strings.Contains(fmt.Sprint(item), second.TS) {
				t.Errorf("the table does not point at the open incident's root %s: %v", second.TS, item)
			}

			// SNS redelivers the last message to a new container (a cold start knows no
			// MessageIds): the incident recognises it and nothing is posted.
			calls := len(app.slack.Calls())
			fresh := startApp(t, arch, app.env)
			mustSucceed(t, fresh, steps[3])
			if got := len(app.slack.Calls()); got != calls {
				t.Errorf("a redelivered recovery made %d more Slack calls", got-calls)
			}
			noSecretLogged(t, e, fresh)
		})
	}

	t.Run("two containers get the same ALARM at once", func(t *testing.T) {
		app := newSlackApp(t, moto, "concurrent")
		a, b := startApp(t, "amd64", app.env), startApp(t, "amd64", app.env)
		mustSucceed(t, a, alarmEvent(t, "OK", "ALARM", t0.Add(-time.Hour), "warm-a")) // start both containers first
		mustSucceed(t, b, alarmEvent(t, "OK", "ALARM", t0.Add(-time.Hour), "warm-b"))
		before := len(app.slack.Roots(channelID))
		ev := alarmEvent(t, "ALARM", "OK", t0, "dup")
		var wg sync.WaitGroup
		for _, e := range []*emulator.Emulator{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res := invoke(t, e, ev); res.FunctionError {
					t.Errorf("invocation failed: %s %s", res.ErrorType, res.ErrorMessage)
				}
			}()
		}
		wg.Wait()
		roots := app.slack.Roots(channelID)
		if len(roots)-before != 1 {
			t.Fatalf("%d root messages for one ALARM delivered twice, want 1\nlogs a:\n%s\nlogs b:\n%s", len(roots)-before, a.Logs, b.Logs)
		}
		if !logsShow("duplicate: already shown, nothing posted", a, b) {
			t.Errorf("neither container recognised the duplicate:\n%s\n%s", a.Logs, b.Logs)
		}
		noSecretLogged(t, a, b)
	})

	t.Run("a deleted root message is replaced, not lost", func(t *testing.T) {
		app := newSlackApp(t, moto, "deleted")
		e := startApp(t, "amd64", app.env)
		mustSucceed(t, e, alarmEvent(t, "ALARM", "OK", t0, "d-1"))
		roots := app.slack.Roots(channelID)
		if len(roots) != 1 {
			t.Fatalf("%d roots", len(roots))
		}
		app.slack.Delete(channelID, roots[0].TS) // someone deletes the alert in Slack
		mustSucceed(t, e, alarmEvent(t, "OK", "ALARM", t0.Add(14*time.Minute), "d-2"))
		roots = app.slack.Roots(channelID)
		if len(roots) != 1 || !strings.HasPrefix(text(roots[0]), "✅ OK") {
			t.Fatalf("after the deletion: roots %+v, want a new resolved root", roots)
		}
		if replies := app.slack.Replies(channelID, roots[0].TS); len(replies) != 1 || !strings.Contains(text(replies[0]), "Resolved after 14 min") {
			t.Errorf("the new root's thread %+v", replies)
		}
		if !logsShow(`"new_root":true`, e) {
			t.Errorf("the replacement is not logged:\n%s", e.Logs)
		}
		noSecretLogged(t, e)
	})

	// Issue 17, items 1 and 5: what a container does not know, the table and Slack's history do.
	t.Run("a lost answer and a text message redelivered to a new container: posted once", func(t *testing.T) {
		app := newSlackApp(t, moto, "once")
		e := startApp(t, "amd64", app.env)
		app.slack.Fail("chat.postMessage", slacktest.Failure{Lose: true}) // Slack takes it, the answer is lost
		mustSucceed(t, e, alarmEvent(t, "ALARM", "OK", t0, "o-1"))
		note := fixture(t, "plain-text")
		mustSucceed(t, e, note)
		fresh := startApp(t, "amd64", app.env)
		mustSucceed(t, fresh, note) // SNS redelivers the text message to another container
		mustSucceed(t, fresh, alarmEvent(t, "OK", "ALARM", t0.Add(9*time.Minute), "o-2"))
		roots := app.slack.Roots(channelID)
		if len(roots) != 2 || !strings.HasPrefix(text(roots[0]), "✅ OK") {
			t.Fatalf("%d roots, want the resolved incident and the text message once:\n%s\n%s", len(roots), e.Logs, fresh.Logs)
		}
		if !logsShow("duplicate: already shown, nothing posted", fresh) {
			t.Errorf("the redelivered text message is not recognised:\n%s", fresh.Logs)
		}
		noSecretLogged(t, e, fresh)
	})

	t.Run("the bot token from SSM, as the stack stores it", func(t *testing.T) {
		app := newSlackApp(t, moto, "from-ssm")
		client := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(moto), Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
		if _, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{
			Name: aws.String("/alarm-relay/e2e/slack-token"), Value: aws.String(botToken), Type: types.ParameterTypeSecureString,
		}); err != nil {
			t.Fatal(err)
		}
		env := []string{"SLACK_TOKEN_PARAMETER=/alarm-relay/e2e/slack-token:1"}
		for _, kv := range app.env {
			if !strings.HasPrefix(kv, "SLACK_TOKEN=") {
				env = append(env, kv)
			}
		}
		e := startApp(t, "amd64", env)
		mustSucceed(t, e, alarmEvent(t, "ALARM", "OK", t0, "s-1"))
		if roots := app.slack.Roots(channelID); len(roots) != 1 {
			t.Errorf("%d roots, want 1", len(roots))
		}
		noSecretLogged(t, e)
	})

	t.Run("Slack refuses: not delivered, then the retry shows it", func(t *testing.T) {
		app := newSlackApp(t, moto, "refused")
		e := startApp(t, "amd64", app.env)
		app.slack.Fail("chat.postMessage", slacktest.Failure{Code: "channel_not_found"})
		res := invoke(t, e, alarmEvent(t, "ALARM", "OK", t0, "r-1"))
		if !res.FunctionError || res.ErrorType != "NotDeliveredError" || !strings.Contains(res.ErrorMessage, `"channel_not_found"`) {
			t.Fatalf("want a NotDeliveredError naming channel_not_found, got %+v", res)
		}
		if !logsShow(`"msg":"not delivered"`, e) {
			t.Errorf("the refusal is not logged:\n%s", e.Logs)
		}
		if strings.Contains(e.Logs.String(), `"msg":"delivered"`) {
			t.Errorf("a refused post was logged as delivered:\n%s", e.Logs)
		}
		mustSucceed(t, e, alarmEvent(t, "ALARM", "OK", t0, "r-1")) // Lambda's retry
		if roots := app.slack.Roots(channelID); len(roots) != 1 {
			t.Errorf("%d roots after the retry, want 1", len(roots))
		}
		noSecretLogged(t, e) // stops e: its log is complete
		if n := strings.Count(e.Logs.String(), `"msg":"delivered"`); n != 1 {
			t.Errorf("%d delivery log lines, want only the retry's:\n%s", n, e.Logs)
		}
	})
}

// startMotoBehind runs moto_server with its CloudWatch clock behind by d: an alarm set to ALARM
// now reports a StateUpdatedTimestamp d ago, as one that has been firing that long does.
func startMotoBehind(t *testing.T, d time.Duration) string {
	t.Helper()
	testsupport.Require(t, "moto_server", "install it with: pip install 'moto[server]'")
	python := testsupport.Require(t, "python3", "install Python 3 with moto")
	script := `import datetime, sys
import moto.cloudwatch.models as m
real = m.utcnow
m.utcnow = lambda: real() - datetime.timedelta(seconds=float(sys.argv[1]))
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[2]])`
	behind := strconv.FormatFloat(d.Seconds(), 'f', 0, 64)
	return testsupport.ServeMoto(t, func(port string) *exec.Cmd { return exec.Command(python, "-c", script, behind, port) })
}

// putAlarm creates the fixture's alarm in moto's CloudWatch and sets its state.
func putAlarm(t *testing.T, endpoint, state string) {
	t.Helper()
	for _, form := range []string{
		"Action=PutMetricAlarm&AlarmName=orders-api+latency+%28alarm-relay%2Fdev%29&Namespace=AWS%2FApiGateway&MetricName=Latency&Statistic=Average&Period=300&EvaluationPeriods=1&Threshold=300&ComparisonOperator=GreaterThanThreshold&Version=2010-08-01",
		"Action=SetAlarmState&AlarmName=orders-api+latency+%28alarm-relay%2Fdev%29&StateValue=" + state + "&StateReason=test&Version=2010-08-01",
	} {
		req, _ := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/"+time.Now().UTC().Format("20060102")+"/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d", form[:30], resp.StatusCode)
		}
	}
}

// TestReminderUnderEmulator: the schedule's event makes the built relay ask moto's CloudWatch
// which alarms are still in ALARM and remind about them — in the incident's thread for a Slack
// app, as a new message for a webhook.
func TestReminderUnderEmulator(t *testing.T) {
	moto := startMotoBehind(t, 2*time.Hour+10*time.Minute)
	putAlarm(t, moto, "ALARM")
	tick := []byte(`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["` + alarmARN + `"]}`)

	t.Run("slack app: a reply in the incident's thread", func(t *testing.T) {
		app := newSlackApp(t, moto, "reminders")
		e := startApp(t, "amd64", app.env)
		mustSucceed(t, e, fixture(t, "latency-alarm")) // the incident's root
		mustSucceed(t, e, tick)
		mustSucceed(t, e, tick) // the schedule's retry, or a second tick too soon: nothing more
		roots := app.slack.Roots(channelID)
		if len(roots) != 1 {
			t.Fatalf("%d roots, want the incident's one", len(roots))
		}
		replies := app.slack.Replies(channelID, roots[0].TS)
		if len(replies) != 1 || !strings.HasPrefix(text(replies[0]), "⏰ Still in *ALARM* for 2 h 10 min") {
			t.Errorf("thread %+v\nlogs:\n%s", replies, e.Logs)
		}
		if !logsShow("reminded recently: nothing posted", e) {
			t.Errorf("the second tick is not explained:\n%s", e.Logs)
		}
		noSecretLogged(t, e)
	})
	t.Run("webhook: a new message", func(t *testing.T) {
		c, url := newChat(t, reply{status: 200, body: "ok"})
		e := start(t, function(t, "amd64", 10, "WEBHOOK_URL="+url, "MESSENGER=slack",
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_ENDPOINT_URL_CLOUDWATCH="+moto))
		mustSucceed(t, e, tick)
		if _, accepted := c.counts(); accepted != 1 {
			t.Fatalf("accepted %d posts, want 1 reminder\n%s", accepted, e.Logs)
		}
		if got, _ := c.accepted[0]["text"].(string); !strings.Contains(got, "orders-api latency (alarm-relay/dev) is still in ALARM for 2 h 10 min") {
			t.Errorf("reminder %q", got)
		}
		noSecretLogged(t, e)
	})
	t.Run("an alarm back to OK gets no reminder", func(t *testing.T) {
		putAlarm(t, moto, "OK")
		c, url := newChat(t, reply{status: 200, body: "ok"})
		e := start(t, function(t, "amd64", 10, "WEBHOOK_URL="+url, "MESSENGER=slack",
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_ENDPOINT_URL_CLOUDWATCH="+moto))
		mustSucceed(t, e, tick)
		if posts, _ := c.counts(); posts != 0 {
			t.Errorf("%d posts for an alarm that recovered", posts)
		}
		noSecretLogged(t, e)
	})
}
