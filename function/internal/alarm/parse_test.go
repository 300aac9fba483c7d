package alarm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
		fixture   string
		kind      Kind
		state     State
		previous  State
		condition string
		observed  string
		api       string
		stage     string
		region    string
		url       string
		children  []string
	}{
		{"latency-alarm", KindMetric, StateAlarm, StateOK, "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "412.53 ms", "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"latency-ok", KindMetric, StateOK, StateAlarm, "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "187.2 ms", "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"insufficient-data", KindMetric, StateInsufficientData, StateOK, "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "", "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"set-alarm-state", KindMetric, StateAlarm, StateOK, "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "", "orders-api", "prod", "us-east-1", latencyURL, nil},
		{"p99-http-api", KindMetric, StateAlarm, StateOK, "p99 Latency > 1200 ms for 2 of 3 periods of 1 minute", "1830.4 ms", "a1b2c3d4e5", "$default", "eu-west-1",
			"https://eu-west-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=eu-west-1#alarmsV2:alarm/checkout-http%20p99%20latency", nil},
		{"metric-math", KindMetricMath, StateAlarm, StateOK, "5XX error rate ≥ 5% for 1 of 1 periods of 5 minutes", "12.5%", "orders-api", "prod", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%205xx%20rate", nil},
		{"anomaly-detection", KindAnomaly, StateAlarm, StateOK, "Sum Count outside the expected band (2 standard deviations) for 1 of 1 periods of 5 minutes", "5230", "orders-api", "", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20traffic%20anomaly", nil},
		{"composite", KindComposite, StateAlarm, StateOK, `Composite rule: ALARM("orders-api latency (alarm-relay/dev)") AND ALARM("orders-api 5xx rate")`, "", "", "", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20degraded", []string{"orders-api 5xx rate (ALARM)"}},
		{"error-rate-http", KindMetricMath, StateAlarm, StateOK, "5XX error rate > 5% for 2 of 3 periods of 5 minutes", "8.33%", "a1b2c3d4e5", "$default", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/a1b2c3d4e5%20%24default%205XX%20error%20rate%20(alarm-relay%2Fprod)", nil},
		{"traffic-surge", KindAnomaly, StateAlarm, StateOK, "Requests above the expected band (3 standard deviations) for 2 of 2 periods of 5 minutes", "18342", "orders-api", "prod", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/orders-api%20prod%20traffic%20anomaly%20(alarm-relay%2Fprod)", nil},
		{"custom-metric", KindMetric, StateOK, StateAlarm, "Sum Throttles ≥ 1 for 5 of 5 periods of 1 minute", "", "", "", "us-east-1",
			"https://us-east-1.console.aws.amazon.com/cloudwatch/deeplink.js?region=us-east-1#alarmsV2:alarm/checkout%20Lambda%20throttles%20(alarm-relay%2Fprod)", nil},
		{"korean-emoji", KindMetric, StateAlarm, StateOK, "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "350 ms", "주문-api", "", "ap-northeast-2",
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
				{"Kind", string(a.Kind), string(tt.kind)},
				{"State", string(a.State), string(tt.state)},
				{"PreviousState", string(a.PreviousState), string(tt.previous)},
				{"Condition", a.Condition, tt.condition},
				{"Observed", a.Observed, tt.observed},
				{"API", a.API, tt.api},
				{"Stage", a.Stage, tt.stage},
				{"Region", a.Region, tt.region},
				{"Partition", a.Partition, "aws"},
				{"AccountID", a.AccountID, "123456789012"},
				{"ConsoleURL", a.ConsoleURL, tt.url},
				{"Children", strings.Join(a.Children, "|"), strings.Join(tt.children, "|")},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if a.ChangedAt.IsZero() || a.ChangedAt.Location() != time.UTC {
				t.Errorf("ChangedAt = %v, want a UTC time", a.ChangedAt)
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
	if a.RegionName != "US East (N. Virginia)" || a.Metric != "AWS/ApiGateway Latency" {
		t.Errorf("RegionName %q, Metric %q", a.RegionName, a.Metric)
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
	if a.Expression != "IF(m2 > 0, 100 * m1 / m2, 0)" || a.Metric != "AWS/ApiGateway 5XXError" {
		t.Errorf("Expression %q, Metric %q", a.Expression, a.Metric)
	}
	for _, tt := range []struct{ reason, unit, upper, lower string }{
		{"... was greater than the upper thresholds [2104.7] ...", "", "2104.7", ""},
		{"... was less than the lower thresholds [12.345] ...", "ms", "", "12.35 ms"},
		{"no band here", "", "", ""},
	} {
		if upper, lower := expectedBounds(tt.reason, tt.unit); upper != tt.upper || lower != tt.lower {
			t.Errorf("expectedBounds(%q) = %q, %q; want %q, %q", tt.reason, upper, lower, tt.upper, tt.lower)
		}
	}
	for expr, want := range map[string]string{"ANOMALY_DETECTION_BAND(m1, 1)": "1", "ANOMALY_DETECTION_BAND(m1)": "2", "ANOMALY_DETECTION_BAND(m1, 2.5)": "2.5", "2 * ANOMALY_DETECTION_BAND(m1)": ""} {
		if got := bandWidth(expr); got != want {
			t.Errorf("bandWidth(%q) = %q, want %q", expr, got, want)
		}
	}
	surge := loadFixture(t, "traffic-surge")[0].Alarm
	if surge.Band != "above" || surge.BandWidth != "3" || surge.ExpectedMax != "6120.5" || surge.ExpectedMin != "" {
		t.Errorf("traffic surge parts: band %q width %q expected max %q min %q", surge.Band, surge.BandWidth, surge.ExpectedMax, surge.ExpectedMin)
	}
}

func TestParseConditionParts(t *testing.T) {
	a := loadFixture(t, "p99-http-api")[0].Alarm
	if a.Subject != "p99 Latency" || a.Comparison != "> 1200 ms" || a.Window != (Window{Datapoints: 2, Evaluations: 3, Period: 60}) || a.Unit != "ms" || a.Threshold == nil || *a.Threshold != 1200 {
		t.Errorf("parts: subject %q comparison %q window %+v unit %q threshold %v", a.Subject, a.Comparison, a.Window, a.Unit, a.Threshold)
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
		condition     string
	}{
		{"not json", "hello {world}", false, ""},
		{"json without alarm name", `{"NewStateValue":"ALARM"}`, false, ""},
		{"truncated alarm json", `{"AlarmName":"a","NewStateValue":"ALARM"`, false, ""},
		{"alarm with nulls", `{"AlarmName":"a","AlarmDescription":null,"NewStateValue":"OK","Trigger":{"MetricName":"Latency","Namespace":"AWS/ApiGateway","Statistic":"MAXIMUM","Unit":null,"Period":10,"EvaluationPeriods":2,"ComparisonOperator":"LessThanOrEqualToThreshold","Threshold":0.5}}`,
			true, "Maximum Latency ≤ 0.5 ms for 2 of 2 periods of 10 seconds"},
		{"anomaly band without threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":3600,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m)","ReturnData":true}]}}`,
			true, "Sum Count above the expected band (2 standard deviations) for 1 of 1 periods of 1 hour"},
		{"unreadable band", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"LessThanLowerThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m, 1) * 2","ReturnData":true}]}}`,
			true, "Sum Count below the expected band (ANOMALY_DETECTION_BAND(m, 1) * 2) for 1 of 1 periods of 1 minute"},
		{"unlabelled expression", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":1,"Metrics":[{"Id":"e","Expression":"m1 + m2","ReturnData":true}]}}`,
			true, "m1 + m2 > 1 for 1 of 1 periods of 1 minute"},
		{"unknown operator, no threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"MetricName":"X","Statistic":"SUM","ComparisonOperator":"Weird","Unit":"Percent","Period":86400}}`,
			true, "Sum X Weird its threshold over 1 day"},
		{"composite without rule", `{"AlarmName":"a","NewStateValue":"ALARM"}`, true, "Composite alarm"},
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
			if n.Alarm.Condition != tt.condition {
				t.Errorf("Condition = %q, want %q", n.Alarm.Condition, tt.condition)
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
		if a, ok := parseARN(tt.arn); ok {
			got = consoleURL(a.partition, a.region, a.name)
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.arn, got, tt.want)
		}
	}
	if got := encodeURIComponent("-_.!~*'() ü"); got != "-_.!~*'()%20%C3%BC" {
		t.Errorf("encodeURIComponent = %q", got)
	}
}

func TestDuration(t *testing.T) {
	for secs, want := range map[int64]string{10: "10 seconds", 30: "30 seconds", 60: "1 minute", 300: "5 minutes", 3600: "1 hour", 5400: "90 minutes", 172800: "2 days"} {
		if got := Duration(secs); got != want {
			t.Errorf("Duration(%d) = %q, want %q", secs, got, want)
		}
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
