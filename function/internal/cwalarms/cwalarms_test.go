package cwalarms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const account = "123456789012" // moto's account

func arnOf(name string) string { return "arn:aws:cloudwatch:us-east-1:" + account + ":alarm:" + name }

func TestDescribeFromMoto(t *testing.T) {
	l, err := NewFromEnv(env(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_ENDPOINT_URL_CLOUDWATCH": testsupport.StartMoto(t),
	}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func(form url.Values) {
		t.Helper()
		form.Set("Version", "2010-08-01")
		if err := l.api.Query(ctx, form, &struct{}{}); err != nil {
			t.Fatalf("%s: %v", form.Get("Action"), err)
		}
	}
	put := func(name string) {
		call(url.Values{"Action": {"PutMetricAlarm"}, "AlarmName": {name}, "Namespace": {"AWS/ApiGateway"}, "MetricName": {"Latency"},
			"Statistic": {"Average"}, "Period": {"300"}, "EvaluationPeriods": {"1"}, "Threshold": {"300"}, "ComparisonOperator": {"GreaterThanThreshold"}})
	}
	setState := func(name, state string) {
		call(url.Values{"Action": {"SetAlarmState"}, "AlarmName": {name}, "StateValue": {state}, "StateReason": {"test: " + state}})
	}
	latency := "orders-api prod latency (alarm-relay/dev)"
	colons := "orders-api: 5XX: error rate"
	put(latency)
	put(colons)
	put("not ours")
	setState(latency, "ALARM")
	setState(colons, "OK")
	setState("not ours", "ALARM")
	// Composite alarms are not asked for (TestAsksForMetricAlarmsOnly); moto serves none anyway
	// (a PutMetricAlarm with an AlarmRule comes back among the metric alarms).
	got, err := l.Describe(ctx, []string{arnOf(latency), arnOf(colons), arnOf("deleted alarm"), arnOf(latency)})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, a := range got {
		states[a.Name] = a.State
		if a.Since.IsZero() || a.ARN != arnOf(a.Name) {
			t.Errorf("%+v: no time or wrong ARN", a)
		}
	}
	want := map[string]string{latency: "ALARM", colons: "OK"}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("states = %v, want %v (only the named metric alarms, each once)", states, want)
	}

	// More names than one call may carry.
	var many []string
	for i := range batch + 5 {
		name := fmt.Sprintf("bulk-%03d", i)
		put(name)
		many = append(many, arnOf(name))
	}
	got, err = l.Describe(ctx, many)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	slices.Sort(names)
	if len(names) != batch+5 || names[0] != "bulk-000" || names[batch+4] != "bulk-104" {
		t.Errorf("%d of %d alarms described: %v…", len(names), batch+5, names[:min(3, len(names))])
	}
}

func TestRejectsForeignARNs(t *testing.T) {
	l, err := NewFromEnv(env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	for arn, errHas := range map[string]string{
		"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x": "in eu-west-1, not in this function's region us-east-1",
		"arn:aws:sns:us-east-1:123456789012:topic":          "not a CloudWatch alarm ARN",
		"orders-api latency":                                "not a CloudWatch alarm ARN",
		"arn:aws:cloudwatch:us-east-1:123456789012:alarm:":  "not a CloudWatch alarm ARN",
	} {
		if _, err := l.Describe(context.Background(), []string{arn}); err == nil || !strings.Contains(err.Error(), errHas) {
			t.Errorf("%s: err = %v, want %q", arn, err, errHas)
		}
	}
}

// A foreign ARN among good ones costs the good ones nothing: they are described, the bad ones
// listed in a BadARNsError (issue 17, item 9).
func TestDescribeKeepsTheGoodARNs(t *testing.T) {
	l, err := NewFromEnv(env(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_ENDPOINT_URL_CLOUDWATCH": testsupport.StartMoto(t),
	}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	form := url.Values{"Action": {"PutMetricAlarm"}, "Version": {"2010-08-01"}, "AlarmName": {"good"}, "Namespace": {"AWS/ApiGateway"}, "MetricName": {"Latency"},
		"Statistic": {"Average"}, "Period": {"300"}, "EvaluationPeriods": {"1"}, "Threshold": {"300"}, "ComparisonOperator": {"GreaterThanThreshold"}}
	if err := l.api.Query(ctx, form, &struct{}{}); err != nil {
		t.Fatal(err)
	}
	foreign, notARN := "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x", "orders-api latency"
	got, err := l.Describe(ctx, []string{foreign, arnOf("good"), notARN})
	var bad *BadARNsError
	if !errors.As(err, &bad) || !slices.Equal(bad.ARNs, []string{foreign, notARN}) {
		t.Fatalf("err = %v", err)
	}
	if len(got) != 1 || got[0].Name != "good" {
		t.Errorf("described %+v", got)
	}
}

// BenchmarkNewFromEnv is the Lister's start-up cost in a cold container.
func BenchmarkNewFromEnv(b *testing.B) {
	getenv := env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"})
	for b.Loop() {
		if _, err := NewFromEnv(getenv, http.DefaultClient); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAsksForMetricAlarmsOnly: the request names AlarmTypes MetricAlarm and nothing else, which
// the role's DescribeAlarms grant on the alarms' ARNs covers (infra: TestRemindersDescribeOnlyTheirAlarms).
func TestAsksForMetricAlarmsOnly(t *testing.T) {
	var forms []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		forms = append(forms, r.PostForm)
		fmt.Fprint(w, `<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms/></DescribeAlarmsResult></DescribeAlarmsResponse>`)
	}))
	defer srv.Close()
	l, err := NewFromEnv(env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
		"AWS_ENDPOINT_URL_CLOUDWATCH": srv.URL}), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Describe(context.Background(), []string{arnOf("orders-api prod latency (alarm-relay/dev)")}); err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 {
		t.Fatalf("%d requests, want 1", len(forms))
	}
	var types []string
	for k, v := range forms[0] {
		if strings.HasPrefix(k, "AlarmTypes.") {
			types = append(types, k+"="+strings.Join(v, ","))
		}
	}
	if fmt.Sprint(types) != "[AlarmTypes.member.1=MetricAlarm]" {
		t.Errorf("AlarmTypes = %v, want [AlarmTypes.member.1=MetricAlarm]", types)
	}
}
