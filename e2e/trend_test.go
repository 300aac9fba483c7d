package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// seedLatency puts an hour of Latency datapoints into moto_server's CloudWatch (query protocol;
// moto routes by the credential scope and does not check signatures).
func seedLatency(t *testing.T, endpoint string, end time.Time, values []float64) {
	t.Helper()
	form := url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"AWS/ApiGateway"}}
	for i, v := range values {
		p := fmt.Sprintf("MetricData.member.%d.", i+1)
		form.Set(p+"MetricName", "Latency")
		form.Set(p+"Value", fmt.Sprint(v))
		form.Set(p+"Timestamp", end.Add(-time.Duration(len(values)-i)*5*time.Minute).Format(time.RFC3339))
		form.Set(p+"Dimensions.member.1.Name", "ApiName")
		form.Set(p+"Dimensions.member.1.Value", "orders-api")
		form.Set(p+"Dimensions.member.2.Name", "Stage")
		form.Set(p+"Dimensions.member.2.Value", "prod")
	}
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/"+end.Format("20060102")+"/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seed: HTTP %d", resp.StatusCode)
	}
}

// TestTrendUnderEmulator: with TREND=on the built relay fetches the alarm metric's last hour
// (moto_server) and shows it; when CloudWatch cannot be reached it delivers without it.
func TestTrendUnderEmulator(t *testing.T) {
	moto := testsupport.StartMoto(t)
	// The fixture's alarm changed state at 2026-11-20 09:15:42 UTC: the trend is the hour before.
	seedLatency(t, moto, time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC), []float64{120, 150, 210, 330, 412})
	unreachable := testsupport.RefusedURL(t)

	for _, tt := range []struct {
		name, cloudwatch, want, log string
	}{
		{"from moto", moto, "Last hour: ", ""},
		{"cloudwatch unreachable", unreachable, "", "trend unavailable; delivering without it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, hook := newChat(t, reply{status: 200, body: "ok"})
			e := start(t, function(t, "amd64", 10, "WEBHOOK_URL="+hook, "MESSENGER=slack", "TREND=on",
				"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_ENDPOINT_URL_CLOUDWATCH="+tt.cloudwatch))
			if res := invoke(t, e, fixture(t, "latency-alarm")); res.FunctionError {
				t.Fatalf("invocation failed: %s\n%s", res.ErrorMessage, e.Logs)
			}
			if _, accepted := c.counts(); accepted != 1 {
				t.Fatalf("accepted %d posts, want 1", accepted)
			}
			lead := fmt.Sprint(c.accepted[0]["attachments"])
			if tt.want != "" && !strings.Contains(lead, "Last hour: ▁▁▃▆█ 412 ms (min 120 ms · max 412 ms · threshold 300 ms)") {
				t.Errorf("no trend line in %s\nlogs:\n%s", lead, e.Logs)
			}
			if tt.want == "" && strings.Contains(lead, "Last hour") {
				t.Errorf("a trend line without CloudWatch: %s", lead)
			}
			if tt.log != "" && !logsShow(tt.log, e) {
				t.Errorf("logs lack %q:\n%s", tt.log, e.Logs)
			}
			noSecretLogged(t, e) // stops e: its log is complete
			if tt.log == "" && strings.Contains(e.Logs.String(), "trend unavailable") {
				t.Errorf("the trend was fetched, yet logged as unavailable:\n%s", e.Logs)
			}
		})
	}
}
