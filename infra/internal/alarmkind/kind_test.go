package alarmkind

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
)

type problems []string

func (p *problems) Fail(key, format string, args ...any) {
	*p = append(*p, key+": "+fmt.Sprintf(format, args...))
}

// TestEveryKind: each kind completes a minimal entry without problems into an alarm with a label,
// an operator, CloudWatch arguments with a threshold, and a description that includes the window.
func TestEveryKind(t *testing.T) {
	threshold := 3.0
	entries := map[string]Entry{
		Latency:         {Kind: Latency},
		ErrorRate:       {Kind: ErrorRate},
		ClientErrorRate: {Kind: ClientErrorRate, APIID: "a1b2c3"},
		TrafficSurge:    {Kind: TrafficSurge},
		Custom: {Kind: Custom, Namespace: "AWS/Lambda", Metric: "Throttles", Dimensions: map[string]string{"FunctionName": "checkout"},
			Statistic: "Sum", Threshold: &threshold, Operator: "GreaterThanOrEqualToThreshold"},
	}
	top := Defaults{APIName: "orders-api", APIStage: "prod", LatencyThresholdMs: 300}
	if len(All) != len(entries) {
		t.Fatalf("%d kinds, %d entries in this test: add the new kind here", len(All), len(entries))
	}
	for _, kind := range All {
		t.Run(kind.Name(), func(t *testing.T) {
			if k, ok := Lookup(kind.Name()); !ok || k != kind {
				t.Fatal("Lookup does not find the kind")
			}
			e := entries[kind.Name()]
			a := Alarm{Kind: e.Kind, PeriodSeconds: 300, EvaluationPeriods: 3, DatapointsToAlarm: 2, Statistic: e.Statistic, Operator: e.Operator,
				Namespace: e.Namespace, Metric: e.Metric, Dimensions: e.Dimensions}
			var p problems
			kind.Fill("alarms[0].", e, top, &a, &p)
			if len(p) > 0 || a.Label == "" || a.Operator == "" || !(a.Threshold > 0) {
				t.Fatalf("Fill: problems %v, alarm %+v", p, a)
			}
			args := &cloudwatch.MetricAlarmArgs{}
			kind.Args(a, args)
			if args.Threshold == nil && args.ThresholdMetricId == nil {
				t.Error("Args set no threshold")
			}
			if args.MetricName == nil && args.MetricQueries == nil {
				t.Error("Args set no metric")
			}
			if d := kind.Describe(a, "for 2 of 3 periods of 300 seconds"); !strings.Contains(d, "for 2 of 3 periods of 300 seconds") {
				t.Errorf("description %q lacks the window", d)
			}
		})
	}
}

// TestAPIKindsRefuseCustomFields: the API Gateway kinds share their rules.
func TestAPIKindsRefuseCustomFields(t *testing.T) {
	threshold := -1.0
	for _, kind := range All {
		if !kind.APIGateway() {
			continue
		}
		var p problems
		a := Alarm{Kind: kind.Name()}
		kind.Fill("alarms[0].", Entry{Kind: kind.Name(), Namespace: "N", Operator: "LessThanThreshold", Threshold: &threshold, APIName: "a", APIID: "b"}, Defaults{}, &a, &p)
		got := strings.Join(p, "\n")
		for _, want := range []string{"alarms[0].namespace: namespace, metric and dimensions belong to kind custom", "alarms[0].apiId: set apiName (REST API) or apiId (HTTP API), not both",
			"alarms[0].operator: kind " + kind.Name() + " has a fixed operator", "alarms[0].threshold: -1 must be above 0"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: problems lack %q:\n%s", kind.Name(), want, got)
			}
		}
	}
}

// TestCustomRefusesWhatCloudWatchRefuses: PutMetricAlarm takes a namespace and a metric name of 1
// to 255 characters, a namespace not starting with ':', and no control characters in names and
// values (which would also end up in the alarm's name).
func TestCustomRefusesWhatCloudWatchRefuses(t *testing.T) {
	long := strings.Repeat("n", 256)
	for _, tt := range []struct {
		namespace, metric string
		dimensions        map[string]string
		want              string // "" for accepted
	}{
		{"AWS/Lambda", "Errors", map[string]string{"FunctionName": "x"}, ""},
		{strings.Repeat("n", 255), strings.Repeat("m", 255), map[string]string{"FunctionName": "x"}, ""},
		{"App:Orders", "Errors", map[string]string{"Service": "a:b"}, ""}, // a ':' inside is fine
		{long, "Errors", map[string]string{"FunctionName": "x"}, "alarms[0].namespace: is 256 bytes long: CloudWatch allows 255"},
		{"AWS/Lambda", long, map[string]string{"FunctionName": "x"}, "alarms[0].metric: is 256 bytes long: CloudWatch allows 255"},
		{":App", "Errors", map[string]string{"Service": "x"}, `alarms[0].namespace: ":App" starts with ':', which CloudWatch refuses`},
		{"App\t", "Errors", map[string]string{"Service": "x"}, `alarms[0].namespace: "App\t" holds a control character`},
		{"App", "Err\nors", map[string]string{"Service": "x"}, `alarms[0].metric: "Err\nors" holds a control character`},
		{"App", "Errors", map[string]string{"Service": "a\nb"}, `alarms[0].dimensions: dimension "Service": "a\nb" holds a control character`},
		{"App", "Errors", map[string]string{"Serv\x00ice": "x"}, `alarms[0].dimensions: dimension "Serv\x00ice": "x" holds a control character`},
		// ASCII only, a non-blank value, no ':' before a dimension name (CloudWatch API Reference, Dimension).
		{"App", "주문 지연", map[string]string{"Service": "x"}, `alarms[0].metric: "주문 지연" holds characters outside ASCII`},
		{"앱", "Errors", map[string]string{"Service": "x"}, `alarms[0].namespace: "앱" holds characters outside ASCII`},
		{"App", "Errors", map[string]string{"Service": "주문"}, `alarms[0].dimensions: dimension "Service" = "주문" holds characters outside ASCII`},
		{"App", "Errors", map[string]string{"서비스": "x"}, `alarms[0].dimensions: dimension "서비스" = "x" holds characters outside ASCII`},
		{"App", "Errors", map[string]string{"Service": "café"}, `alarms[0].dimensions: dimension "Service" = "café" holds characters outside ASCII`},
		{"App", "Errors", map[string]string{"Service": "   "}, `alarms[0].dimensions.Service: dimension "Service" = "   ": a dimension name and value need a character other than a space`},
		{"App", "Errors", map[string]string{" ": "x"}, `alarms[0].dimensions. : dimension " " = "x": a dimension name and value need`},
		{"App", "Errors", map[string]string{":Service": "x"}, `alarms[0].dimensions.:Service: dimension name ":Service" starts with ':'`},
	} {
		threshold := 1.0
		e := Entry{Kind: Custom, Namespace: tt.namespace, Metric: tt.metric, Dimensions: tt.dimensions, Statistic: "Sum", Threshold: &threshold, Operator: "GreaterThanThreshold"}
		a := Alarm{Kind: Custom, Namespace: e.Namespace, Metric: e.Metric, Dimensions: e.Dimensions, Statistic: e.Statistic, Operator: e.Operator}
		var p problems
		custom{}.Fill("alarms[0].", e, Defaults{}, &a, &p)
		got := strings.Join(p, "\n")
		switch {
		case tt.want == "" && len(p) > 0:
			t.Errorf("%q %q %q: refused: %s", tt.namespace, tt.metric, tt.dimensions, got)
		case tt.want != "" && !strings.HasPrefix(got, tt.want):
			t.Errorf("%.20q %.20q %q: problems %q, want %q", tt.namespace, tt.metric, tt.dimensions, got, tt.want)
		}
	}
}
