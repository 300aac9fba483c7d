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
	if err := f.call(context.Background(), form, &struct{}{}); err != nil {
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
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
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
	tests := []struct {
		name, endpoint, errHas string
	}{
		{"nothing listens", closed.URL, "connection refused"},
		{"endpoint hangs", hang.URL, "context deadline exceeded"},
		{"access denied", denied.URL, "HTTP 403 AccessDenied not authorized to perform cloudwatch:GetMetricData"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fetcher(t, tt.endpoint)
			f.Timeout = 100 * time.Millisecond
			_, err := f.Fetch(context.Background(), latency, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("err = %v, want %q", err, tt.errHas)
			}
		})
	}
	if _, err := fetcher(t, denied.URL).Fetch(context.Background(), alarm.MetricQuery{}, time.Now()); err == nil {
		t.Error("an empty query was sent")
	}
}

func TestNewFromEnv(t *testing.T) {
	f, err := NewFromEnv(env(map[string]string{"AWS_REGION": "ap-northeast-2", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}), http.DefaultClient)
	if err != nil || f.Endpoint != "https://monitoring.ap-northeast-2.amazonaws.com" {
		t.Errorf("endpoint %v, %v", f, err)
	}
	for _, missing := range []map[string]string{{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, {"AWS_REGION": "x"}} {
		if _, err := NewFromEnv(env(missing), http.DefaultClient); err == nil {
			t.Errorf("NewFromEnv(%v) succeeded", missing)
		}
	}
}
