package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/maintenance"
)

// The three alarms of the window tests, and their ARNs in moto's account.
var windowAlarms = []string{"orders-api latency (alarm-relay/dev)", "orders-api errors (alarm-relay/dev)", "payments latency (alarm-relay/dev)"}

func windowARN(name string) string { return "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + name }

// setStates creates each alarm in moto's CloudWatch and walks it through the given states.
func setStates(t *testing.T, endpoint, name string, states ...string) {
	t.Helper()
	forms := []string{"Action=PutMetricAlarm&AlarmName=" + url.QueryEscape(name) + "&Namespace=AWS%2FApiGateway&MetricName=Latency&Statistic=Average&Period=300&EvaluationPeriods=1&Threshold=300&ComparisonOperator=GreaterThanThreshold&Version=2010-08-01"}
	for _, s := range states {
		forms = append(forms, "Action=SetAlarmState&AlarmName="+url.QueryEscape(name)+"&StateValue="+s+"&StateReason=e2e&Version=2010-08-01")
	}
	for _, form := range forms {
		req, _ := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/"+time.Now().UTC().Format("20060102")+"/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d", form[:40], resp.StatusCode)
		}
	}
}

// oneOff is MAINTENANCE_WINDOWS holding one one-off window [from, to) (whole minutes).
func oneOff(t *testing.T, name string, from, to time.Time) string {
	t.Helper()
	set, problems := maintenance.CompileAll([]maintenance.Spec{{Name: name, Start: from.Truncate(time.Minute).Format(time.RFC3339), End: to.Truncate(time.Minute).Format(time.RFC3339)}})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	raw, err := set.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return "MAINTENANCE_WINDOWS=" + raw
}

// renamed is an alarm event of another alarm of the same account and region.
func renamed(event []byte, name string) []byte {
	latency := "orders-api latency (alarm-relay/dev)"
	out := strings.ReplaceAll(string(event), latency, name)
	return []byte(out)
}

func endEventFor(window string, names ...string) []byte {
	arns := make([]string, len(names))
	for i, n := range names {
		arns[i] = `"` + windowARN(n) + `"`
	}
	return []byte(`{"alarmRelay":"windowEnd","window":"` + window + `","alarmArns":[` + strings.Join(arns, ",") + `]}`)
}

// TestMaintenanceWindowUnderEmulator: the built relay holds a change made inside a window (no post,
// no failure), and at a window's end sums up against moto's CloudWatch — alarms still in ALARM, back
// to OK, flapped inside — then alerts what is still in ALARM; a quiet window that ends all OK
// posts nothing. moto's clock runs 10 minutes behind, so the states set now changed inside a
// window that ended 2 minutes ago.
func TestMaintenanceWindowUnderEmulator(t *testing.T) {
	moto := startMotoBehind(t, 10*time.Minute)
	setStates(t, moto, windowAlarms[0], "ALARM")       // still in ALARM
	setStates(t, moto, windowAlarms[1], "ALARM", "OK") // flapped inside
	setStates(t, moto, windowAlarms[2], "OK")          // back to OK
	now := time.Now().UTC()
	aws := []string{"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_ENDPOINT_URL_CLOUDWATCH=" + moto}

	t.Run("a change inside a window is held", func(t *testing.T) {
		c, hook := newChat(t, reply{status: 200, body: "ok"})
		e := start(t, function(t, "amd64", 10, append(aws, "WEBHOOK_URL="+hook, "MESSENGER=slack", oneOff(t, "deploy-now", now.Add(-30*time.Minute), now.Add(30*time.Minute)))...))
		mustSucceed(t, e, alarmEvent(t, "ALARM", "OK", time.Now(), "held-inside-the-window"))
		if posts, _ := c.counts(); posts != 0 || !logsShow(`"msg":"held"`, e) || !logsShow(`"window":"deploy-now"`, e) {
			t.Errorf("%d posts; logs:\n%s", posts, e.Logs)
		}
		noSecretLogged(t, e)
	})

	t.Run("webhook: one summary, then the alarm still in ALARM", func(t *testing.T) {
		c, hook := newChat(t, reply{status: 200, body: "ok"})
		e := start(t, function(t, "amd64", 10, append(aws, "WEBHOOK_URL="+hook, "MESSENGER=slack", oneOff(t, "deploy", now.Add(-40*time.Minute), now.Add(-2*time.Minute)))...))
		mustSucceed(t, e, endEventFor("deploy", windowAlarms...))
		if _, accepted := c.counts(); accepted != 2 {
			t.Fatalf("accepted %d posts, want the summary and one alert\n%s", accepted, e.Logs)
		}
		summary, _ := c.accepted[0]["text"].(string)
		if summary != "🔴 Maintenance window deploy ended: 3 alarms changed while their notifications were held." {
			t.Errorf("summary %q", summary)
		}
		body, _ := c.accepted[0]["attachments"].([]any)[0].(map[string]any)["blocks"].([]any)[0].(map[string]any)["text"].(map[string]any)["text"].(string)
		if !strings.Contains(body, "Still in ALARM: orders-api latency (alarm-relay/dev) since ") || !strings.Contains(body, "Back to OK: 2 (orders-api errors (alarm-relay/dev), payments latency (alarm-relay/dev))") {
			t.Errorf("summary body %q", body)
		}
		if alert, _ := c.accepted[1]["text"].(string); !strings.HasPrefix(alert, "🔴 ALARM: orders-api latency (alarm-relay/dev)") {
			t.Errorf("alert %q", alert)
		}
		noSecretLogged(t, e)
	})

	t.Run("quiet and all OK: nothing posted", func(t *testing.T) {
		c, hook := newChat(t, reply{status: 200, body: "ok"})
		// This window ended before the alarms changed (10 minutes ago): nothing changed inside it.
		e := start(t, function(t, "amd64", 10, append(aws, "WEBHOOK_URL="+hook, "MESSENGER=slack", oneOff(t, "early", now.Add(-60*time.Minute), now.Add(-20*time.Minute)))...))
		mustSucceed(t, e, endEventFor("early", windowAlarms[1:]...))
		if posts, _ := c.counts(); posts != 0 || !logsShow("window ended quietly", e) {
			t.Errorf("%d posts; logs:\n%s", posts, e.Logs)
		}
	})

	t.Run("slack app: the summary, an incident opened and one resolved after the window", func(t *testing.T) {
		app := newSlackApp(t, moto, "windows")
		e := startApp(t, "amd64", append(app.env, oneOff(t, "deploy", now.Add(-40*time.Minute), now.Add(-2*time.Minute))))
		// The errors alarm fired before the window: its incident is open when the window starts.
		mustSucceed(t, e, renamed(alarmEvent(t, "ALARM", "OK", now.Add(-50*time.Minute), "errors-before"), windowAlarms[1]))
		mustSucceed(t, e, endEventFor("deploy", windowAlarms...))
		roots := app.slack.Roots(channelID)
		if len(roots) != 3 || !strings.HasPrefix(text(roots[0]), "✅ OK: orders-api errors") || roots[0].Edits != 1 ||
			!strings.HasPrefix(text(roots[1]), "🔴 Maintenance window deploy ended") || !strings.HasPrefix(text(roots[2]), "🔴 ALARM: orders-api latency") {
			var texts []string
			for _, r := range roots {
				texts = append(texts, text(r))
			}
			t.Fatalf("roots %q\nlogs:\n%s", texts, e.Logs)
		}
		if item := incidentItem(t, moto, "windows"); attrS(item, "state") != "ALARM" {
			t.Errorf("incident %v", item)
		}
		noSecretLogged(t, e)
	})
}
