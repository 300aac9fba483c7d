package alarm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixtureDir holds real-shaped SNS events, shared with the renderer and relay tests.
const fixtureDir = "../../testdata"

// parseEventJSON decodes an SNS event as Lambda does before the handler, and parses it.
func parseEventJSON(data []byte) ([]Notification, error) {
	var ev Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("decode SNS event: %w", err)
	}
	return Parse(ev)
}

func loadFixture(t testing.TB, name string) []Notification {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	ns, err := parseEventJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ns
}

func TestParseAlarmFixtures(t *testing.T) {
	const latencyURL = "https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20latency%20(alarm-relay%2Fdev)"
	tests := []struct {
		fixture  string
		shape    Shape
		state    State
		previous State
		api      string
		stage    string
		region   string
		url      string
		children []Child
	}{
		{"latency-alarm", ShapeMetric, StateAlarm, StateOK, "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"latency-ok", ShapeMetric, StateOK, StateAlarm, "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"insufficient-data", ShapeMetric, StateInsufficientData, StateOK, "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"set-alarm-state", ShapeMetric, StateAlarm, StateOK, "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"p99-http-api", ShapeMetric, StateAlarm, StateOK, "a1b2c3d4e5", "$default", "eu-west-1",
			"https://eu-west-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=eu-west-1#alarmsV2:alarm/checkout-http%20p99%20latency", nil},
		{"metric-math", ShapeMetricMath, StateAlarm, StateOK, "orders-api", "prod", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%205xx%20rate", nil},
		{"anomaly-detection", ShapeAnomaly, StateAlarm, StateOK, "orders-api", "", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20traffic%20anomaly", nil},
		{"composite", ShapeComposite, StateAlarm, StateOK, "", "", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20degraded", []Child{{Name: "orders-api 5xx rate", State: StateAlarm}}},
		{"error-rate-http", ShapeMetricMath, StateAlarm, StateOK, "a1b2c3d4e5", "$default", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/a1b2c3d4e5%20%24default%205XX%20error%20rate%20(alarm-relay%2Fprod)", nil},
		{"traffic-surge", ShapeAnomaly, StateAlarm, StateOK, "orders-api", "prod", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20prod%20traffic%20anomaly%20(alarm-relay%2Fprod)", nil},
		{"custom-metric", ShapeMetric, StateOK, StateAlarm, "", "", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/checkout%20Lambda%20throttles%20(alarm-relay%2Fprod)", nil},
		{"korean-emoji", ShapeMetric, StateAlarm, StateOK, "주문-api", "", "ap-northeast-2",
			"https://ap-northeast-2.console.aws.amazon.com/cloudwatch/deeplink.js?region=ap-northeast-2#alarmsV2:alarm/%EC%A3%BC%EB%AC%B8%20API%20%EC%A7%80%EC%97%B0%20%F0%9F%90%A2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			ns := loadFixture(t, tt.fixture)
			if len(ns) != 1 || ns[0].Alarm == nil {
				t.Fatalf("want one alarm notification, got %+v", ns)
			}
			a := ns[0].Alarm
			checks := []struct{ field, got, want string }{
				{"Shape", string(a.Shape), string(tt.shape)},
				{"State", string(a.State), string(tt.state)},
				{"PreviousState", string(a.PreviousState), string(tt.previous)},
				{"API", a.API, tt.api},
				{"Stage", a.Stage, tt.stage},
				{"Region", a.Region, tt.region},
				{"Partition", a.Partition, "aws"},
				{"AccountID", a.AccountID, "123456789012"},
				{"ConsoleURL", a.ConsoleURL, tt.url},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if !slices.Equal(a.Children, tt.children) {
				t.Errorf("Children = %+v, want %+v", a.Children, tt.children)
			}
			if a.ChangedAt.IsZero() || a.ChangedAt.Location() != time.UTC {
				t.Errorf("ChangedAt = %v, want a UTC time", a.ChangedAt)
			}
		})
	}
}

// conditionFacts are the facts an alarm's condition is worded from (render/words_*.go).
type conditionFacts struct {
	Shape          Shape
	Measured       *Series
	Metric         Metric
	Operator       Operator
	Threshold      *float64
	Unit           string
	Window         Window
	Observed       *float64
	BandWidth      string
	BandExpression string
	ExpectedMax    *float64
	ExpectedMin    *float64
	Rule           string
}

func factsOf(a *Alarm) conditionFacts {
	return conditionFacts{a.Shape, a.Measured, a.Metric, a.Operator, a.Threshold, a.Unit, a.Window, a.Observed,
		a.BandWidth, a.BandExpression, a.ExpectedMax, a.ExpectedMin, a.Rule}
}

func (f conditionFacts) String() string {
	num := func(p *float64) string {
		if p == nil {
			return "absent"
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	measured := "none"
	if f.Measured != nil {
		measured = fmt.Sprintf("%+v", *f.Measured)
	}
	return fmt.Sprintf("shape %s, measured %s, metric %+v, operator %s, threshold %s, unit %q, window %+v, observed %s, band %q %q, expected max %s min %s, rule %q",
		f.Shape, measured, f.Metric, f.Operator, num(f.Threshold), f.Unit, f.Window, num(f.Observed), f.BandWidth, f.BandExpression, num(f.ExpectedMax), num(f.ExpectedMin), f.Rule)
}

func number(v float64) *float64 { return &v }

// TestParseConditionFacts: what each real alarm compares, as facts, and nothing in words. An
// absent threshold stays absent (anomaly bands, composite alarms), never 0.
func TestParseConditionFacts(t *testing.T) {
	latency := conditionFacts{Shape: ShapeMetric, Measured: &Series{Statistic: "Average", MetricName: "Latency"}, Metric: Metric{"AWS/ApiGateway", "Latency"},
		Operator: GreaterThanThreshold, Threshold: number(300), Unit: "Milliseconds", Window: Window{Datapoints: 1, Evaluations: 1, Period: 300}}
	observed := func(f conditionFacts, v float64) conditionFacts { f.Observed = &v; return f }
	tests := []struct {
		fixture string
		want    conditionFacts
	}{
		{"latency-alarm", observed(latency, 412.53)},
		{"latency-ok", observed(latency, 187.2)},
		{"insufficient-data", latency},
		{"set-alarm-state", latency}, // its reason names no datapoint
		{"korean-emoji", observed(latency, 350)},
		{"p99-http-api", conditionFacts{Shape: ShapeMetric, Measured: &Series{Statistic: "p99", MetricName: "Latency"}, Metric: Metric{"AWS/ApiGateway", "Latency"},
			Operator: GreaterThanThreshold, Threshold: number(1200), Unit: "Milliseconds", Window: Window{Datapoints: 2, Evaluations: 3, Period: 60}, Observed: number(1830.4)}},
		// Unit null and no unit known for the metric: none.
		{"custom-metric", conditionFacts{Shape: ShapeMetric, Measured: &Series{Statistic: "Sum", MetricName: "Throttles"}, Metric: Metric{"AWS/Lambda", "Throttles"},
			Operator: GreaterThanOrEqualToThreshold, Threshold: number(1), Window: Window{Datapoints: 5, Evaluations: 5, Period: 60}}},
		// A label ending in "(%)" is a percentage, named without it.
		{"metric-math", conditionFacts{Shape: ShapeMetricMath, Measured: &Series{Label: "5XX error rate", Expression: "IF(m2 > 0, 100 * m1 / m2, 0)"}, Metric: Metric{"AWS/ApiGateway", "5XXError"},
			Operator: GreaterThanOrEqualToThreshold, Threshold: number(5), Unit: "Percent", Window: Window{Datapoints: 1, Evaluations: 1, Period: 300}, Observed: number(12.5)}},
		{"error-rate-http", conditionFacts{Shape: ShapeMetricMath, Measured: &Series{Label: "5XX error rate", Expression: "IF(requests > 0, 100 * errors / requests)"}, Metric: Metric{"AWS/ApiGateway", "5xx"},
			Operator: GreaterThanThreshold, Threshold: number(5), Unit: "Percent", Window: Window{Datapoints: 2, Evaluations: 3, Period: 300}, Observed: number(100.0 / 12)}},
		{"anomaly-detection", conditionFacts{Shape: ShapeAnomaly, Measured: &Series{Statistic: "Sum", MetricName: "Count"}, Metric: Metric{"AWS/ApiGateway", "Count"},
			Operator: OutsideBand, Window: Window{Datapoints: 1, Evaluations: 1, Period: 300}, Observed: number(5230),
			BandWidth: "2", BandExpression: "ANOMALY_DETECTION_BAND(m1, 2)", ExpectedMax: number(2104.7)}},
		{"traffic-surge", conditionFacts{Shape: ShapeAnomaly, Measured: &Series{Label: "Requests", Statistic: "Sum", MetricName: "Count"}, Metric: Metric{"AWS/ApiGateway", "Count"},
			Operator: AboveBand, Window: Window{Datapoints: 2, Evaluations: 2, Period: 300}, Observed: number(18342),
			BandWidth: "3", BandExpression: "ANOMALY_DETECTION_BAND(requests, 3)", ExpectedMax: number(6120.5)}},
		{"composite", conditionFacts{Shape: ShapeComposite, Rule: `ALARM("orders-api latency (alarm-relay/dev)") AND ALARM("orders-api 5xx rate")`}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			if got := factsOf(loadFixture(t, tt.fixture)[0].Alarm); got.String() != tt.want.String() {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseLatencyAlarmDetails(t *testing.T) {
	n := loadFixture(t, "latency-alarm")[0]
	a := n.Alarm
	if want := time.Date(2026, 11, 20, 9, 15, 42, 318e6, time.UTC); !a.ChangedAt.Equal(want) {
		t.Errorf("ChangedAt = %v, want %v", a.ChangedAt, want)
	}
	if a.RegionName != "US East (N. Virginia)" || a.Metric != (Metric{"AWS/ApiGateway", "Latency"}) {
		t.Errorf("RegionName %q, Metric %+v", a.RegionName, a.Metric)
	}
	if n.MessageID != "5f1c3a4e-6b1d-5a0e-9b3e-2f2d8a8c1d01" || !strings.HasPrefix(n.Subject, "ALARM: ") {
		t.Errorf("MessageID %q, Subject %q", n.MessageID, n.Subject)
	}
	if n.Title() != "orders-api latency (alarm-relay/dev)" {
		t.Errorf("Title() = %q", n.Title())
	}
}

func TestParseMetricMathKeepsTheExpression(t *testing.T) {
	a := loadFixture(t, "metric-math")[0].Alarm
	if a.Measured == nil || a.Measured.Expression != "IF(m2 > 0, 100 * m1 / m2, 0)" || a.Metric != (Metric{"AWS/ApiGateway", "5XXError"}) {
		t.Errorf("Measured %+v, Metric %+v", a.Measured, a.Metric)
	}
	show := func(p *float64) string {
		if p == nil {
			return "absent"
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	for _, tt := range []struct{ reason, upper, lower string }{
		{"... was greater than the upper thresholds [2104.7] ...", "2104.7", "absent"},
		{"... was less than the lower thresholds [12.345] ...", "absent", "12.345"},
		{"... was less than the lower thresholds [0] ...", "absent", "0"},
		{"no band here", "absent", "absent"},
	} {
		if upper, lower := expectedBounds(tt.reason); show(upper) != tt.upper || show(lower) != tt.lower {
			t.Errorf("expectedBounds(%q) = %s, %s; want %s, %s", tt.reason, show(upper), show(lower), tt.upper, tt.lower)
		}
	}
	for expr, want := range map[string]string{"ANOMALY_DETECTION_BAND(m1, 1)": "1", "ANOMALY_DETECTION_BAND(m1)": "2", "ANOMALY_DETECTION_BAND(m1, 2.5)": "2.5", "2 * ANOMALY_DETECTION_BAND(m1)": ""} {
		if got := bandWidth(expr); got != want {
			t.Errorf("bandWidth(%q) = %q, want %q", expr, got, want)
		}
	}
	surge := loadFixture(t, "traffic-surge")[0].Alarm
	if surge.Operator != AboveBand || !surge.Operator.Band() || surge.BandWidth != "3" || show(surge.ExpectedMax) != "6120.5" || surge.ExpectedMin != nil {
		t.Errorf("traffic surge parts: operator %q width %q expected max %s min %s", surge.Operator, surge.BandWidth, show(surge.ExpectedMax), show(surge.ExpectedMin))
	}
}

func TestParseConditionParts(t *testing.T) {
	a := loadFixture(t, "p99-http-api")[0].Alarm
	if a.Measured == nil || *a.Measured != (Series{Statistic: "p99", MetricName: "Latency"}) || a.Operator != GreaterThanThreshold || a.Operator.Band() ||
		a.Window != (Window{Datapoints: 2, Evaluations: 3, Period: 60}) || a.Unit != "Milliseconds" || a.Threshold == nil || *a.Threshold != 1200 {
		t.Errorf("parts: measured %+v operator %q window %+v unit %q threshold %v", a.Measured, a.Operator, a.Window, a.Unit, a.Threshold)
	}
	q := a.Query
	if q == nil || q.Namespace != "AWS/ApiGateway" || q.Name != "Latency" || q.Stat != "p99" || q.Period != 60 || len(q.Dimensions) != 2 {
		t.Errorf("query %+v", q)
	}
	if loadFixture(t, "metric-math")[0].Alarm.Query != nil {
		t.Error("a metric-math alarm has no single series to fetch")
	}
	if c := loadFixture(t, "composite")[0].Alarm; c.Rule != `ALARM("orders-api latency (alarm-relay/dev)") AND ALARM("orders-api 5xx rate")` || c.Threshold != nil {
		t.Errorf("composite rule %q", c.Rule)
	}
}

func TestParseTextMessages(t *testing.T) {
	tests := []struct {
		fixture, subject, textPrefix, title string
	}{
		{"plain-text", "Deployment finished", "orders-api v1.42 deployed", "Deployment finished"},
		{"other-json", "", `{"version": "0", "source": "aws.health"`, "SNS notification"},
	}
	for _, tt := range tests {
		n := loadFixture(t, tt.fixture)[0]
		if n.Alarm != nil || n.Subject != tt.subject || !strings.HasPrefix(n.Text, tt.textPrefix) || n.Title() != tt.title {
			t.Errorf("%s: got alarm=%v subject=%q text=%q title=%q", tt.fixture, n.Alarm, n.Subject, n.Text, n.Title())
		}
	}
}

func TestParseEveryRecord(t *testing.T) {
	ns := loadFixture(t, "multi-record")
	if len(ns) != 2 {
		t.Fatalf("got %d notifications, want 2", len(ns))
	}
	if ns[0].Alarm.State != StateAlarm || ns[1].Alarm.State != StateOK || ns[0].MessageID == ns[1].MessageID {
		t.Errorf("records not kept apart: %+v / %+v", ns[0], ns[1])
	}
}

func TestParseMessageEdgeCases(t *testing.T) {
	tests := []struct {
		name, message string
		alarm         bool
		want          conditionFacts
	}{
		{"not json", "hello {world}", false, conditionFacts{}},
		{"json without alarm name", `{"NewStateValue":"ALARM"}`, false, conditionFacts{}},
		{"truncated alarm json", `{"AlarmName":"a","NewStateValue":"ALARM"`, false, conditionFacts{}},
		{"alarm with nulls", `{"AlarmName":"a","AlarmDescription":null,"NewStateValue":"OK","Trigger":{"MetricName":"Latency","Namespace":"AWS/ApiGateway","Statistic":"MAXIMUM","Unit":null,"Period":10,"EvaluationPeriods":2,"ComparisonOperator":"LessThanOrEqualToThreshold","Threshold":0.5}}`,
			true, conditionFacts{Shape: ShapeMetric, Measured: &Series{Statistic: "Maximum", MetricName: "Latency"}, Metric: Metric{"AWS/ApiGateway", "Latency"},
				Operator: LessThanOrEqualToThreshold, Threshold: number(0.5), Unit: "Milliseconds", Window: Window{Datapoints: 2, Evaluations: 2, Period: 10}}},
		{"threshold 0 is a threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"MetricName":"Errors","Namespace":"AWS/Lambda","Statistic":"SUM","Unit":"Count","Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":0}}`,
			true, conditionFacts{Shape: ShapeMetric, Measured: &Series{Statistic: "Sum", MetricName: "Errors"}, Metric: Metric{"AWS/Lambda", "Errors"},
				Operator: GreaterThanThreshold, Threshold: number(0), Unit: "Count", Window: Window{Datapoints: 1, Evaluations: 1, Period: 60}}},
		{"anomaly band without threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":3600,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m)","ReturnData":true}]}}`,
			true, conditionFacts{Shape: ShapeAnomaly, Measured: &Series{Statistic: "Sum", MetricName: "Count"}, Metric: Metric{Name: "Count"},
				Operator: AboveBand, Window: Window{Datapoints: 1, Evaluations: 1, Period: 3600}, BandWidth: "2", BandExpression: "ANOMALY_DETECTION_BAND(m)"}},
		{"unreadable band", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"LessThanLowerThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m, 1) * 2","ReturnData":true}]}}`,
			true, conditionFacts{Shape: ShapeAnomaly, Measured: &Series{Statistic: "Sum", MetricName: "Count"}, Metric: Metric{Name: "Count"},
				Operator: BelowBand, Window: Window{Datapoints: 1, Evaluations: 1, Period: 60}, BandExpression: "ANOMALY_DETECTION_BAND(m, 1) * 2"}},
		{"band naming no series", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m)","ReturnData":true}]}}`,
			true, conditionFacts{Shape: ShapeAnomaly, Operator: AboveBand, Window: Window{Datapoints: 1, Evaluations: 1, Period: 60}, BandWidth: "2", BandExpression: "ANOMALY_DETECTION_BAND(m)"}},
		{"unlabelled expression", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":1,"Metrics":[{"Id":"e","Expression":"m1 + m2","ReturnData":true}]}}`,
			true, conditionFacts{Shape: ShapeMetricMath, Measured: &Series{Expression: "m1 + m2"}, Operator: GreaterThanThreshold, Threshold: number(1), Window: Window{Datapoints: 1, Evaluations: 1, Period: 60}}},
		{"percent label on a metric", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":90,"Metrics":[{"Id":"m","Label":"CPU (%)","MetricStat":{"Metric":{"Namespace":"Custom","MetricName":"cpu"},"Stat":"Maximum","Unit":"Count"},"ReturnData":true}]}}`,
			true, conditionFacts{Shape: ShapeMetricMath, Measured: &Series{Label: "CPU", Statistic: "Maximum", MetricName: "cpu"}, Metric: Metric{"Custom", "cpu"},
				Operator: GreaterThanThreshold, Threshold: number(90), Unit: "Percent", Window: Window{Datapoints: 1, Evaluations: 1, Period: 60}}},
		{"unknown operator, no threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"MetricName":"X","Statistic":"SUM","ComparisonOperator":"Weird","Unit":"Percent","Period":86400}}`,
			true, conditionFacts{Shape: ShapeMetric, Measured: &Series{Statistic: "Sum", MetricName: "X"}, Metric: Metric{Name: "X"}, Operator: "Weird", Unit: "Percent", Window: Window{Period: 86400}}},
		{"composite without rule", `{"AlarmName":"a","NewStateValue":"ALARM"}`, true, conditionFacts{Shape: ShapeComposite}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ParseMessage("id", "subj", tt.message, time.Time{})
			if (n.Alarm != nil) != tt.alarm {
				t.Fatalf("alarm = %v, want %v", n.Alarm != nil, tt.alarm)
			}
			if !tt.alarm {
				if n.Text != tt.message {
					t.Errorf("Text = %q, want the message unchanged", n.Text)
				}
				return
			}
			if got := factsOf(n.Alarm); got.String() != tt.want.String() {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseRejectsEventsWithoutSNS(t *testing.T) {
	tests := []struct {
		name, event, want string
	}{
		{"no records", `{"Records":[]}`, "SNS event has no records"},
		{"no records key", `{}`, "SNS event has no records"},
		{"record without Sns", `{"Records":[{"EventSource":"aws:sqs"}]}`, `record 1 of 1 has no Sns entity (event source "aws:sqs")`},
		{"second record without Sns", `{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"x"}},{"EventSource":"aws:s3"}]}`, "record 2 of 2 has no Sns entity"},
		{"not json", `Records`, "decode SNS event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, err := parseEventJSON([]byte(tt.event))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if ns != nil {
				t.Errorf("got notifications %v alongside the error", ns)
			}
		})
	}
	if _, err := Parse(Event{}); !errors.Is(err, ErrNoRecords) {
		t.Errorf("Parse(empty) = %v, want ErrNoRecords", err)
	}
}

func TestConsoleURL(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:cloudwatch:us-east-1:1:alarm:a b:c/d?e#f", "https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/a%20b%3Ac%2Fd%3Fe%23f"},
		{"arn:aws-cn:cloudwatch:cn-north-1:1:alarm:x", "https://cn-north-1.console.amazonaws.cn/cloudwatch/deeplink.js?region=cn-north-1#alarmsV2:alarm/x"},
		{"arn:aws-us-gov:cloudwatch:us-gov-west-1:1:alarm:x", "https://us-gov-west-1.console.amazonaws-us-gov.com/cloudwatch/deeplink.js?region=us-gov-west-1#alarmsV2:alarm/x"},
		{"arn:aws-iso:cloudwatch:us-iso-east-1:1:alarm:x", ""},
		{"arn:aws:cloudwatch:evil.example/:1:alarm:x", ""},
		{"not an arn", ""},
	}
	for _, tt := range tests {
		got := ""
		if a, ok := ParseARN(tt.arn); ok {
			got = consoleURL(a.Partition, a.Region, a.Name)
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.arn, got, tt.want)
		}
	}
	if got := encodeURIComponent("-_.!~*'() ü"); got != "-_.!~*'()%20%C3%BC" {
		t.Errorf("encodeURIComponent = %q", got)
	}
}

// FuzzParseEventJSON: arbitrary events never panic, and a parsed event has one notification per record.
func FuzzParseEventJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Records":[{"Sns":{"Message":"{\"AlarmName\":\"x\",\"NewStateValue\":\"ALARM\",\"NewStateReason\":\"[1e400 (\",\"Trigger\":{\"Metrics\":[{}]}}"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ns, err := parseEventJSON(data)
		if err != nil {
			return
		}
		if len(ns) == 0 {
			t.Fatal("no error and no notifications")
		}
		for _, n := range ns {
			if n.Alarm != nil && n.Alarm.Name == "" {
				t.Fatal("alarm without a name")
			}
		}
	})
}

func TestSettling(t *testing.T) {
	changed := time.Date(2026, 11, 20, 9, 42, 31, 0, time.UTC)
	tests := []struct {
		name          string
		state, before State
		configAgo     time.Duration // how long before the state change the configuration changed; <0: not given
		want          bool
	}{
		{"new alarm settles 2 minutes after creation", StateOK, StateInsufficientData, 2 * time.Minute, true},
		{"at the window's end", StateOK, StateInsufficientData, SettleWindow, true},
		{"just after the window", StateOK, StateInsufficientData, SettleWindow + time.Second, false},
		{"after a week-old INSUFFICIENT_DATA", StateOK, StateInsufficientData, 7 * 24 * time.Hour, false},
		{"recovery from ALARM right after a deploy", StateOK, StateAlarm, 2 * time.Minute, false},
		{"ALARM right after a deploy", StateAlarm, StateInsufficientData, 2 * time.Minute, false},
		{"INSUFFICIENT_DATA right after a deploy", StateInsufficientData, StateOK, 2 * time.Minute, false},
		{"configuration changed after the transition", StateOK, StateInsufficientData, -time.Minute, false},
		{"no configuration timestamp", StateOK, StateInsufficientData, 0, false},
	}
	for _, tt := range tests {
		a := &Alarm{State: tt.state, PreviousState: tt.before, ChangedAt: changed}
		if tt.configAgo != 0 {
			a.ConfigUpdatedAt = changed.Add(-tt.configAgo)
		}
		if got := a.Settling(); got != tt.want {
			t.Errorf("%s: Settling() = %v, want %v", tt.name, got, tt.want)
		}
	}
	// The fixture: created 09:41:08, OK at 09:42:31.
	ns := loadFixture(t, "settling-ok")
	if a := ns[0].Alarm; a == nil || !a.Settling() || !a.ConfigUpdatedAt.Equal(time.Date(2026, 11, 20, 9, 41, 8, 512e6, time.UTC)) {
		t.Errorf("settling-ok fixture: %+v", a)
	}
	if a := loadFixture(t, "latency-ok")[0].Alarm; a.Settling() {
		t.Error("a recovery from ALARM is taken for settling")
	}
}
