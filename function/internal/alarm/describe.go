package alarm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// describe fills in what the alarm watches and what crossed what, in words.
func describe(a *Alarm, p *payload) {
	a.Observed = observedValue(a.Reason)
	if p.Trigger == nil {
		a.Kind = KindComposite
		a.Condition = "Composite rule: " + strings.Join(strings.Fields(p.AlarmRule), " ")
		if p.AlarmRule == "" {
			a.Condition = "Composite alarm"
		}
		for _, c := range p.TriggeringChildren {
			name := c.Arn
			if arn, ok := parseARN(c.Arn); ok {
				name = arn.name
			}
			if c.State.Value != "" {
				name += " (" + c.State.Value + ")"
			}
			a.Children = append(a.Children, name)
		}
		return
	}
	t := p.Trigger
	unit := unitSuffix(t.Unit)
	var subject string
	switch {
	case len(t.Metrics) == 0:
		a.Kind = KindMetric
		a.Metric = strings.TrimSpace(t.Namespace + " " + t.MetricName)
		a.Dimensions = dimensions(t.Dimensions)
		if unit == "" {
			unit = knownUnit(t.Namespace, t.MetricName)
		}
		subject = strings.TrimSpace(statistic(t) + " " + t.MetricName)
	default:
		a.Kind = KindMetricMath
		if t.ThresholdMetricID != "" {
			a.Kind = KindAnomaly
		}
		var q *events.CloudWatchMetricDataQuery
		subject, a.Expression, q = mathSubject(t)
		// A label ending in "(%)" names a percentage, as the stack's error-rate alarms do.
		if label, ok := strings.CutSuffix(subject, " (%)"); ok {
			subject = label
			if unit == "" {
				unit = "%"
			}
		}
		if q != nil && q.MetricStat.Metric.MetricName != "" {
			m := q.MetricStat.Metric
			a.Metric = strings.TrimSpace(m.Namespace + " " + m.MetricName)
			if unit == "" && q.Expression == "" {
				unit = unitSuffix(q.MetricStat.Unit)
				if unit == "" {
					unit = knownUnit(m.Namespace, m.MetricName)
				}
			}
		}
		a.Dimensions = firstDimensions(t.Metrics)
	}
	if a.Observed != "" && unit != "" {
		a.Observed = withUnit(a.Observed, unit)
	}
	if a.Kind == KindAnomaly && a.Observed != "" {
		if bound := expectedBound(a.Reason, unit); bound != "" {
			a.Observed += " (" + bound + ")"
		}
	}
	for _, d := range a.Dimensions {
		switch d.Name {
		case "ApiName", "ApiId":
			if a.API == "" {
				a.API = d.Value
			}
		case "Stage":
			a.Stage = d.Value
		}
	}
	a.Condition = subject + " " + comparison(t, unit) + periods(t)
}

// mathSubject names the series a metric-math or anomaly alarm compares: the returned query that is
// not the anomaly band, by its label (then the expression is returned apart) or its expression. It
// also returns a metric that series reads, if any.
func mathSubject(t *trigger) (subject, expression string, read *events.CloudWatchMetricDataQuery) {
	var compared *events.CloudWatchMetricDataQuery
	for i := range t.Metrics {
		q := &t.Metrics[i]
		if q.ID == t.ThresholdMetricID {
			continue
		}
		if q.ReturnData || compared == nil {
			compared = q
			if q.ReturnData {
				break
			}
		}
	}
	if compared == nil {
		return "metric math", "", nil
	}
	if compared.Expression == "" {
		stat := compared.MetricStat
		subject := strings.TrimSpace(stat.Stat + " " + stat.Metric.MetricName)
		if compared.Label != "" {
			subject = compared.Label
		}
		return subject, "", compared
	}
	// An expression reads other queries: name the first metric it reads, for the Metric field.
	for i := range t.Metrics {
		if t.Metrics[i].MetricStat.Metric.MetricName != "" {
			read = &t.Metrics[i]
			break
		}
	}
	if compared.Label != "" {
		return compared.Label, compared.Expression, read
	}
	return compared.Expression, "", read
}

// bandFunction reads ANOMALY_DETECTION_BAND(m1) or ANOMALY_DETECTION_BAND(m1, 3).
var bandFunction = regexp.MustCompile(`^\s*ANOMALY_DETECTION_BAND\(\s*\w+\s*(?:,\s*([0-9.]+)\s*)?\)\s*$`)

// bandWords says how wide an anomaly band is: "(2 standard deviations)".
func bandWords(expression string) string {
	m := bandFunction.FindStringSubmatch(expression)
	if m == nil {
		return " (" + expression + ")"
	}
	width := m[1]
	if width == "" {
		width = "2" // CloudWatch's default
	}
	if width == "1" {
		return " (1 standard deviation)"
	}
	return " (" + width + " standard deviations)"
}

// reasonBound finds the band edge an anomaly reason names: "... greater than the upper thresholds [2104.7]".
var reasonBound = regexp.MustCompile(`(upper|lower) thresholds? \[\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`)

// expectedBound words the band edge the observed value crossed: "expected at most 2104.7".
func expectedBound(reason, unit string) string {
	m := reasonBound.FindStringSubmatch(reason)
	if m == nil {
		return ""
	}
	v, err := strconv.ParseFloat(m[2], 64)
	if err != nil {
		return ""
	}
	if m[1] == "upper" {
		return "expected at most " + withUnit(formatNumber(v), unit)
	}
	return "expected at least " + withUnit(formatNumber(v), unit)
}

// comparison words the operator and threshold: "> 300 ms", or the anomaly band.
func comparison(t *trigger, unit string) string {
	band := ""
	for _, q := range t.Metrics {
		if q.ID == t.ThresholdMetricID && q.Expression != "" {
			band = bandWords(q.Expression)
		}
	}
	switch t.ComparisonOperator {
	case "LessThanLowerOrGreaterThanUpperThreshold":
		return "outside the expected band" + band
	case "GreaterThanUpperThreshold":
		return "above the expected band" + band
	case "LessThanLowerThreshold":
		return "below the expected band" + band
	}
	symbol, ok := operatorSymbols[t.ComparisonOperator]
	if !ok {
		symbol = t.ComparisonOperator
	}
	if t.Threshold == nil {
		return symbol + " its threshold"
	}
	return symbol + " " + withUnit(formatNumber(*t.Threshold), unit)
}

var operatorSymbols = map[string]string{
	"GreaterThanOrEqualToThreshold": "≥",
	"GreaterThanThreshold":          ">",
	"LessThanThreshold":             "<",
	"LessThanOrEqualToThreshold":    "≤",
}

// periods words the evaluation window: " for 2 of 3 periods of 5 minutes".
func periods(t *trigger) string {
	period := t.Period
	// Metric math keeps periods on its queries: the returned series' first, else any metric's.
	for _, q := range t.Metrics {
		if period == 0 && q.ReturnData {
			period = max(q.Period, q.MetricStat.Period)
		}
	}
	for _, q := range t.Metrics {
		if period == 0 {
			period = q.MetricStat.Period
		}
	}
	if t.EvaluationPeriods <= 0 {
		if period > 0 {
			return " over " + duration(period)
		}
		return ""
	}
	datapoints := t.DatapointsToAlarm
	if datapoints <= 0 {
		datapoints = t.EvaluationPeriods
	}
	s := fmt.Sprintf(" for %d of %d periods", datapoints, t.EvaluationPeriods)
	if period > 0 {
		s += " of " + duration(period)
	}
	return s
}

// duration words a period in seconds: "10 seconds", "1 minute", "5 minutes", "1 hour", "1 day".
func duration(seconds int64) string {
	units := []struct {
		size int64
		name string
	}{{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}}
	for _, u := range units {
		if seconds%u.size == 0 {
			n := seconds / u.size
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatInt(n, 10) + " " + u.name + "s"
		}
	}
	return strconv.FormatInt(seconds, 10) + " seconds"
}

// statistic is the trigger's statistic as people write it: "Average", "p99", "SampleCount".
func statistic(t *trigger) string {
	if t.ExtendedStatistic != "" {
		return t.ExtendedStatistic
	}
	if s, ok := statisticNames[strings.ToUpper(t.Statistic)]; ok {
		return s
	}
	return t.Statistic
}

var statisticNames = map[string]string{
	"AVERAGE":      "Average",
	"SUM":          "Sum",
	"MINIMUM":      "Minimum",
	"MAXIMUM":      "Maximum",
	"SAMPLE_COUNT": "SampleCount",
	"SAMPLECOUNT":  "SampleCount",
}

// unitSuffix shortens a CloudWatch unit for display; "" for none or Count.
func unitSuffix(unit string) string {
	switch unit {
	case "", "None", "Count":
		return ""
	case "Seconds":
		return "s"
	case "Milliseconds":
		return "ms"
	case "Microseconds":
		return "µs"
	case "Percent":
		return "%"
	case "Bytes":
		return "B"
	case "Kilobytes":
		return "KB"
	case "Megabytes":
		return "MB"
	case "Gigabytes":
		return "GB"
	case "Count/Second":
		return "/s"
	}
	return strings.ToLower(unit)
}

// knownUnit fills in the unit CloudWatch leaves out of the message (Unit is often null) for the
// metrics this project is about.
func knownUnit(namespace, metric string) string {
	switch namespace + " " + metric {
	case "AWS/ApiGateway Latency", "AWS/ApiGateway IntegrationLatency", "AWS/Lambda Duration":
		return "ms"
	}
	return ""
}

func withUnit(value, unit string) string {
	switch unit {
	case "":
		return value
	case "%", "/s":
		return value + unit
	}
	return value + " " + unit
}

// formatNumber prints a float without trailing zeros and at most two decimals: 300, 412.5, 0.07.
func formatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// reasonValue finds the first datapoint in a NewStateReason such as
// "... 1 datapoints [412.5 (25/09/22 18:45:00)] was greater than ...".
var reasonValue = regexp.MustCompile(`\[\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\(`)

// observedValue is the most recent datapoint named in the reason, or "" when there is none (for
// example the reason given to set-alarm-state).
func observedValue(reason string) string {
	m := reasonValue.FindStringSubmatch(reason)
	if m == nil {
		return ""
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return ""
	}
	return formatNumber(v)
}

func dimensions(ds []events.CloudWatchDimension) []Dimension {
	if len(ds) == 0 {
		return nil
	}
	out := make([]Dimension, len(ds))
	for i, d := range ds {
		out[i] = Dimension{Name: d.Name, Value: d.Value}
	}
	return out
}

func firstDimensions(qs []events.CloudWatchMetricDataQuery) []Dimension {
	for _, q := range qs {
		if len(q.MetricStat.Metric.Dimensions) > 0 {
			return dimensions(q.MetricStat.Metric.Dimensions)
		}
	}
	return nil
}
