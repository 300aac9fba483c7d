package trend

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func fetcher(t *testing.T, endpoint string) *Fetcher {
	t.Helper()
	f, err := NewFromEnv(env(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL_CLOUDWATCH": endpoint,
	}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var latency = alarm.MetricQuery{
	Namespace: "AWS/ApiGateway", Name: "Latency", Stat: "Average", Period: 300,
	Dimensions: []alarm.Dimension{{Name: "ApiName", Value: "orders-api"}, {Name: "Stage", Value: "prod"}},
}

// TestFetchFromMoto seeds an hour of latency in moto_server and reads it back through the real
// signed query-protocol call.
func TestFetchFromMoto(t *testing.T) {
	f := fetcher(t, testsupport.StartMoto(t))
	// moto loads its CloudWatch backend on the first request, which on a loaded machine takes
	// longer than the relay's budget for a trend; this test is about the protocol, and
	// TestFetchFailsFastAndClearly about the budget.
	f.Timeout = 30 * time.Second
	end := time.Now().UTC().Truncate(time.Minute)
	seeded := []float64{120, 135, 150, 210, 330, 412}
	form := url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"AWS/ApiGateway"}}
	for i, v := range seeded {
		p := fmt.Sprintf("MetricData.member.%d.", i+1)
		form.Set(p+"MetricName", "Latency")
		form.Set(p+"Value", strconv.FormatFloat(v, 'f', -1, 64))
		form.Set(p+"Unit", "Milliseconds")
		// Newest last, one per 5-minute period, all inside the hour before end.
		form.Set(p+"Timestamp", end.Add(-time.Duration(len(seeded)-i)*5*time.Minute).Format(time.RFC3339))
		form.Set(p+"Dimensions.member.1.Name", "ApiName")
		form.Set(p+"Dimensions.member.1.Value", "orders-api")
		form.Set(p+"Dimensions.member.2.Name", "Stage")
		form.Set(p+"Dimensions.member.2.Value", "prod")
	}
	endpoint, region, err := f.target(latency)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.call(context.Background(), endpoint, region, form, &struct{}{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	got, err := f.Fetch(context.Background(), latency, end)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(seeded) {
		t.Errorf("trend = %v, want %v oldest first", got, seeded)
	}
	other := latency
	other.Dimensions = []alarm.Dimension{{Name: "ApiName", Value: "another-api"}}
	if got, err := f.Fetch(context.Background(), other, end); err != nil || len(got) != 0 {
		t.Errorf("another API's trend = %v, %v; want none", got, err)
	}
}

func TestFetchFailsFastAndClearly(t *testing.T) {
	closed := testsupport.RefusedURL(t)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // a read body lets the server notice the client giving up
		<-r.Context().Done()
	}))
	defer hang.Close()
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Code>AccessDenied</Code><Message>not authorized to perform cloudwatch:GetMetricData</Message></Error></ErrorResponse>`)
	}))
	defer denied.Close()
	verbose := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse><Error><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/relay is not authorized %s</Message></Error></ErrorResponse>`, strings.Repeat("because no identity-based policy allows it ", 120))
	}))
	defer verbose.Close()
	tests := []struct {
		name, endpoint, errHas string
	}{
		{"nothing listens", closed, "connection refused"},
		{"endpoint hangs", hang.URL, "context deadline exceeded"},
		{"access denied", denied.URL, "HTTP 403 AccessDenied: not authorized to perform cloudwatch:GetMetricData"},
		{"a 5 KB AWS error is shortened", verbose.URL, "HTTP 403 AccessDenied: User: arn:aws:sts::"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fetcher(t, tt.endpoint)
			f.Timeout = 100 * time.Millisecond
			_, err := f.Fetch(context.Background(), latency, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("err = %v, want %q", err, tt.errHas)
			}
			if err != nil && len(err.Error()) > 500 {
				t.Errorf("err is %d bytes long; a log line needs it short", len(err.Error()))
			}
		})
	}
	if _, err := fetcher(t, denied.URL).Fetch(context.Background(), alarm.MetricQuery{}, time.Now()); err == nil {
		t.Error("an empty query was sent")
	}
}

// CloudWatch's address comes from the alarm's partition and region (aws-cn and the ISO partitions
// are not under amazonaws.com); an endpoint override wins.
func TestEndpoint(t *testing.T) {
	tests := []struct {
		region, partition, override string
		want, wantRegion, errHas    string
	}{
		{"ap-northeast-2", "aws", "", "https://monitoring.ap-northeast-2.amazonaws.com", "ap-northeast-2", ""},
		{"cn-north-1", "aws-cn", "", "https://monitoring.cn-north-1.amazonaws.com.cn", "cn-north-1", ""},
		{"cn-northwest-1", "", "", "https://monitoring.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", ""},
		{"us-gov-west-1", "aws-us-gov", "", "https://monitoring.us-gov-west-1.amazonaws.com", "us-gov-west-1", ""},
		{"us-iso-east-1", "aws-iso", "", "https://monitoring.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", ""},
		{"us-isob-east-1", "aws-iso-b", "", "https://monitoring.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", ""},
		{"us-isob-east-1", "", "", "https://monitoring.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", ""},
		{"eu-isoe-west-1", "aws-iso-e", "", "https://monitoring.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1", ""},
		{"us-isof-south-1", "aws-iso-f", "", "https://monitoring.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1", ""},
		{"eusc-de-east-1", "aws-eusc", "", "https://monitoring.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1", ""},
		{"", "", "", "https://monitoring.eu-west-1.amazonaws.com", "eu-west-1", ""}, // no ARN: the function's region
		{"cn-north-1", "aws-cn", "http://127.0.0.1:5000/", "http://127.0.0.1:5000", "cn-north-1", ""},
		{"x-1", "aws-mars", "", "", "", `unknown AWS partition "aws-mars"`},
		{"evil.example/x", "aws", "", "", "", "is not a region name"},
	}
	for _, tt := range tests {
		f := &Fetcher{Region: "eu-west-1", Endpoint: tt.override}
		got, region, err := f.target(alarm.MetricQuery{Region: tt.region, Partition: tt.partition})
		if got != tt.want || region != tt.wantRegion || (err == nil) != (tt.errHas == "") || err != nil && !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("target(%s, %s, %q) = %q, %q, %v; want %q, %q, %q", tt.region, tt.partition, tt.override, got, region, err, tt.want, tt.wantRegion, tt.errHas)
		}
	}
}

// The relay takes the partition from the alarm's ARN: a China alarm asks China's CloudWatch.
func TestQueryCarriesThePartition(t *testing.T) {
	msg := `{"AlarmName":"a","NewStateValue":"ALARM","AlarmArn":"arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a","Trigger":{"MetricName":"Latency","Namespace":"AWS/ApiGateway","Statistic":"AVERAGE","Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":1}}`
	n := alarm.ParseMessage("id", "", msg, time.Time{})
	endpoint, _, err := (&Fetcher{Region: "us-east-1"}).target(*n.Alarm.Query)
	if err != nil || endpoint != "https://monitoring.cn-north-1.amazonaws.com.cn" {
		t.Errorf("endpoint = %q, %v", endpoint, err)
	}
}

func TestNewFromEnv(t *testing.T) {
	f, err := NewFromEnv(env(map[string]string{"AWS_REGION": "ap-northeast-2", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}), http.DefaultClient)
	if err != nil || f.Endpoint != "" || f.Region != "ap-northeast-2" {
		t.Errorf("fetcher %+v, %v", f, err)
	}
	for _, missing := range []map[string]string{{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, {"AWS_REGION": "x"}} {
		if _, err := NewFromEnv(env(missing), http.DefaultClient); err == nil {
			t.Errorf("NewFromEnv(%v) succeeded", missing)
		}
	}
}
