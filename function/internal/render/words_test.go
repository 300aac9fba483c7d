package render

import (
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// TestConditionWords: each language words the facts of real alarms in its own sentences.
func TestConditionWords(t *testing.T) {
	all := fixtures(t)
	tests := []struct {
		fixture, en, ko string
	}{
		{"latency-alarm", "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "최근 5분 주기 1개 중 1개에서 Average Latency > 300 ms"},
		{"insufficient-data", "Average Latency > 300 ms for 1 of 1 periods of 5 minutes", "최근 5분 주기 1개 중 1개에서 Average Latency > 300 ms"},
		{"p99-http-api", "p99 Latency > 1200 ms for 2 of 3 periods of 1 minute", "최근 1분 주기 3개 중 2개에서 p99 Latency > 1200 ms"},
		{"metric-math", "5XX error rate ≥ 5% for 1 of 1 periods of 5 minutes", "최근 5분 주기 1개 중 1개에서 5XX error rate ≥ 5%"},
		{"error-rate-http", "5XX error rate > 5% for 2 of 3 periods of 5 minutes", "최근 5분 주기 3개 중 2개에서 5XX error rate > 5%"},
		{"anomaly-detection", "Sum Count outside the expected band (2 standard deviations) for 1 of 1 periods of 5 minutes",
			"최근 5분 주기 1개 중 1개에서 Sum Count 예상 범위(표준편차 2배) 이탈"},
		{"traffic-surge", "Requests above the expected band (3 standard deviations) for 2 of 2 periods of 5 minutes",
			"최근 5분 주기 2개 중 2개에서 Requests 예상 범위(표준편차 3배) 초과"},
		{"custom-metric", "Sum Throttles ≥ 1 for 5 of 5 periods of 1 minute", "최근 1분 주기 5개 중 5개에서 Sum Throttles ≥ 1"},
		{"composite", `Composite rule: ALARM("orders-api latency (alarm-relay/dev)") AND ALARM("orders-api 5xx rate")`,
			`복합 규칙: ALARM("orders-api latency (alarm-relay/dev)") AND ALARM("orders-api 5xx rate")`},
	}
	for _, tt := range tests {
		ns, ok := all[tt.fixture]
		if !ok || ns[0].Alarm == nil {
			t.Fatalf("no alarm fixture %s", tt.fixture)
		}
		checkCondition(t, tt.fixture, ns[0].Alarm, tt.en, tt.ko)
	}
}

// TestConditionWordsOfEdgeCases: what CloudWatch rarely sends still reads as a sentence; an absent
// threshold is worded, a threshold of 0 is a number.
func TestConditionWordsOfEdgeCases(t *testing.T) {
	tests := []struct {
		name, message, en, ko string
	}{
		{"alarm with nulls", `{"AlarmName":"a","AlarmDescription":null,"NewStateValue":"OK","Trigger":{"MetricName":"Latency","Namespace":"AWS/ApiGateway","Statistic":"MAXIMUM","Unit":null,"Period":10,"EvaluationPeriods":2,"ComparisonOperator":"LessThanOrEqualToThreshold","Threshold":0.5}}`,
			"Maximum Latency ≤ 0.5 ms for 2 of 2 periods of 10 seconds", "최근 10초 주기 2개 중 2개에서 Maximum Latency ≤ 0.5 ms"},
		{"threshold 0 is a threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"MetricName":"Errors","Namespace":"AWS/Lambda","Statistic":"SUM","Unit":"Count","Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":0}}`,
			"Sum Errors > 0 for 1 of 1 periods of 1 minute", "최근 1분 주기 1개 중 1개에서 Sum Errors > 0"},
		{"anomaly band without threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":3600,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m)","ReturnData":true}]}}`,
			"Sum Count above the expected band (2 standard deviations) for 1 of 1 periods of 1 hour", "최근 1시간 주기 1개 중 1개에서 Sum Count 예상 범위(표준편차 2배) 초과"},
		{"band of 1 standard deviation", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":3,"DatapointsToAlarm":2,"ComparisonOperator":"LessThanLowerOrGreaterThanUpperThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m, 1)","ReturnData":true}]}}`,
			"Sum Count outside the expected band (1 standard deviation) for 2 of 3 periods of 1 minute", "최근 1분 주기 3개 중 2개에서 Sum Count 예상 범위(표준편차 1배) 이탈"},
		{"unreadable band", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"LessThanLowerThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"m","MetricStat":{"Metric":{"MetricName":"Count"},"Stat":"Sum"},"ReturnData":true},{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m, 1) * 2","ReturnData":true}]}}`,
			"Sum Count below the expected band (ANOMALY_DETECTION_BAND(m, 1) * 2) for 1 of 1 periods of 1 minute", "최근 1분 주기 1개 중 1개에서 Sum Count 예상 범위(ANOMALY_DETECTION_BAND(m, 1) * 2) 미만"},
		{"band naming no series", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanUpperThreshold","ThresholdMetricId":"b","Metrics":[{"Id":"b","Expression":"ANOMALY_DETECTION_BAND(m)","ReturnData":true}]}}`,
			"metric math above the expected band (2 standard deviations) for 1 of 1 periods of 1 minute", "최근 1분 주기 1개 중 1개에서 metric math 예상 범위(표준편차 2배) 초과"},
		{"unlabelled expression", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":1,"Metrics":[{"Id":"e","Expression":"m1 + m2","ReturnData":true}]}}`,
			"m1 + m2 > 1 for 1 of 1 periods of 1 minute", "최근 1분 주기 1개 중 1개에서 m1 + m2 > 1"},
		{"percent label on a metric", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":90,"Metrics":[{"Id":"m","Label":"CPU (%)","MetricStat":{"Metric":{"Namespace":"Custom","MetricName":"cpu"},"Stat":"Maximum","Unit":"Count"},"ReturnData":true}]}}`,
			"CPU > 90% for 1 of 1 periods of 1 minute", "최근 1분 주기 1개 중 1개에서 CPU > 90%"},
		{"unknown operator, no threshold", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"MetricName":"X","Statistic":"SUM","ComparisonOperator":"Weird","Unit":"Percent","Period":86400}}`,
			"Sum X Weird its threshold over 1 day", "1일 동안 Sum X Weird 임계값"},
		{"periods without a length", `{"AlarmName":"a","NewStateValue":"ALARM","Trigger":{"MetricName":"X","ExtendedStatistic":"p99.9","Unit":"Count/Second","EvaluationPeriods":4,"ComparisonOperator":"LessThanThreshold","Threshold":0.004}}`,
			"p99.9 X < 0/s for 4 of 4 periods", "최근 주기 4개 중 4개에서 p99.9 X < 0/s"},
		{"composite without rule", `{"AlarmName":"a","NewStateValue":"ALARM"}`, "Composite alarm", "복합 경보"},
	}
	for _, tt := range tests {
		n := alarm.ParseMessage("id", "subject", tt.message, time.Time{})
		if n.Alarm == nil {
			t.Fatalf("%s: not read as an alarm", tt.name)
		}
		checkCondition(t, tt.name, n.Alarm, tt.en, tt.ko)
	}
}

func checkCondition(t *testing.T, name string, a *alarm.Alarm, en, ko string) {
	t.Helper()
	if got := wordsFor(English).condition(a); got != en {
		t.Errorf("%s in English:\n got %q\nwant %q", name, got, en)
	}
	if got := wordsFor(Korean).condition(a); got != ko {
		t.Errorf("%s in Korean:\n got %q\nwant %q", name, got, ko)
	}
}

func TestDurations(t *testing.T) {
	tests := []struct {
		seconds int64
		en, ko  string
	}{
		{10, "10 seconds", "10초"}, {30, "30 seconds", "30초"}, {60, "1 minute", "1분"}, {300, "5 minutes", "5분"},
		{3600, "1 hour", "1시간"}, {5400, "90 minutes", "90분"}, {86400, "1 day", "1일"}, {172800, "2 days", "2일"},
	}
	for _, tt := range tests {
		if got := englishDuration(tt.seconds); got != tt.en {
			t.Errorf("englishDuration(%d) = %q, want %q", tt.seconds, got, tt.en)
		}
		if got := koreanDuration(tt.seconds); got != tt.ko {
			t.Errorf("koreanDuration(%d) = %q, want %q", tt.seconds, got, tt.ko)
		}
	}
}

// TestValues: numbers keep at most two decimals and take CloudWatch's unit in its short form.
func TestValues(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	tests := []struct {
		observed *float64
		unit     string
		want     string
	}{
		{v(412.53), "Milliseconds", "412.53 ms"},
		{v(100.0 / 12), "Percent", "8.33%"},
		{v(5230), "", "5230"},
		{v(7), "Count", "7"},
		{v(7), "None", "7"},
		{v(0.004), "Count/Second", "0/s"},
		{v(1.5), "Seconds", "1.5 s"},
		{v(2048), "Kilobytes", "2048 KB"},
		{v(3), "Weird/Units", "3 weird/units"},
		{v(-2.5), "Microseconds", "-2.5 µs"},
		{nil, "Milliseconds", ""},
	}
	for _, tt := range tests {
		if got := ObservedValue(&alarm.Alarm{Observed: tt.observed, Unit: tt.unit}); got != tt.want {
			t.Errorf("ObservedValue(%v %s) = %q, want %q", tt.observed, tt.unit, got, tt.want)
		}
	}
}
