package alarm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// describe fills in what the alarm watches and what crossed what: in parts (for wording in any
// language) and as the English Condition.
func describe(a *Alarm, p *payload) {
	a.Observed = observedValue(a.Reason)
	if p.Trigger == nil {
		a.Kind = KindComposite
		a.Rule = strings.Join(strings.Fields(p.AlarmRule), " ")
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
		a.Condition = englishCondition(a)
		return
	}
	t := p.Trigger
	unit := unitSuffix(t.Unit)
	switch {
	case len(t.Metrics) == 0:
		a.Kind = KindMetric
		a.Metric = strings.TrimSpace(t.Namespace + " " + t.MetricName)
		a.Dimensions = dimensions(t.Dimensions)
		if unit == "" {
			unit = knownUnit(t.Namespace, t.MetricName)
		}
		a.Subject = strings.TrimSpace(statistic(t) + " " + t.MetricName)
		a.Query = &MetricQuery{Namespace: t.Namespace, Name: t.MetricName, Dimensions: a.Dimensions, Stat: statistic(t), Period: t.Period, Region: a.Region, Partition: a.Partition}
	default:
		a.Kind = KindMetricMath
		if t.ThresholdMetricID != "" {
			a.Kind = KindAnomaly
		}
		var q *events.CloudWatchMetricDataQuery
		a.Subject, a.Expression, q = mathSubject(t)
		// A label ending in "(%)" names a percentage, as the stack's error-rate alarms do.
		if label, ok := relayconfig.CutPercentLabel(a.Subject); ok {
			a.Subject = label
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
	a.Unit = unit
	a.Threshold = t.Threshold
	if a.Observed != "" {
		a.Observed = withUnit(a.Observed, unit)
	}
	if a.Kind == KindAnomaly {
		a.ExpectedMax, a.ExpectedMin = expectedBounds(a.Reason, unit)
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
	describeComparison(a, t)
	a.Window = window(t)
	a.Condition = englishCondition(a)
}

// englishCondition is the condition in English: "Average Latency > 300 ms for 1 of 1 periods of
// 5 minutes", "Sum Count above the expected band (2 standard deviations) ...", "Composite rule: ...".
func englishCondition(a *Alarm) string {
	if a.Kind == KindComposite {
		if a.Rule == "" {
			return "Composite alarm"
		}
		return "Composite rule: " + a.Rule
	}
	s := a.Subject + " "
	if a.Band != "" {
		s += a.Band + " the expected band ("
		switch {
		case a.BandWidth == "1":
			s += "1 standard deviation)"
		case a.BandWidth != "":
			s += a.BandWidth + " standard deviations)"
		default:
			s += a.BandExpression + ")"
		}
	} else {
		s += a.Comparison
	}
	w := a.Window
	switch {
	case w.Evaluations > 0 && w.Period > 0:
		s += fmt.Sprintf(" for %d of %d periods of %s", w.Datapoints, w.Evaluations, Duration(w.Period))
	case w.Evaluations > 0:
		s += fmt.Sprintf(" for %d of %d periods", w.Datapoints, w.Evaluations)
	case w.Period > 0:
		s += " over " + Duration(w.Period)
	}
	return s
}

// describeComparison fills in Comparison ("> 300 ms", "≥ its threshold") or, for anomaly bands,
// Band and its width.
func describeComparison(a *Alarm, t *trigger) {
	switch t.ComparisonOperator {
	case "LessThanLowerOrGreaterThanUpperThreshold":
		a.Band = "outside"
	case "GreaterThanUpperThreshold":
		a.Band = "above"
	case "LessThanLowerThreshold":
		a.Band = "below"
	}
	if a.Band != "" {
		for _, q := range t.Metrics {
			if q.ID == t.ThresholdMetricID && q.Expression != "" {
				a.BandWidth, a.BandExpression = bandWidth(q.Expression), q.Expression
			}
		}
		return
	}
	symbol, ok := operatorSymbols[t.ComparisonOperator]
	if !ok {
		symbol = t.ComparisonOperator
	}
	if t.Threshold == nil {
		a.Comparison = symbol + " its threshold"
		return
	}
	a.Comparison = symbol + " " + withUnit(formatNumber(*t.Threshold), a.Unit)
}

// window reads the evaluation window; metric math keeps its period on its queries (the
// returned series' first, else any metric's).
func window(t *trigger) Window {
	period := t.Period
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
	w := Window{Evaluations: max(t.EvaluationPeriods, 0), Datapoints: t.DatapointsToAlarm, Period: period}
	if w.Datapoints <= 0 {
		w.Datapoints = w.Evaluations
	}
	return w
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

// bandWidth is an anomaly band's width in standard deviations ("2" by CloudWatch's default), or
// "" when the expression is more than the plain band function.
func bandWidth(expression string) string {
	m := bandFunction.FindStringSubmatch(expression)
	if m == nil {
		return ""
	}
	if m[1] == "" {
		return "2"
	}
	return m[1]
}

// reasonBound finds the band edge an anomaly reason names: "... greater than the upper thresholds [2104.7]".
var reasonBound = regexp.MustCompile(`(upper|lower) thresholds? \[\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`)

// expectedBounds reads the band edge an anomaly reason names, with its unit: the upper edge when
// the value was above the band, the lower one when below.
func expectedBounds(reason, unit string) (upper, lower string) {
	m := reasonBound.FindStringSubmatch(reason)
	if m == nil {
		return "", ""
	}
	v, err := strconv.ParseFloat(m[2], 64)
	if err != nil {
		return "", ""
	}
	if m[1] == "upper" {
		return withUnit(formatNumber(v), unit), ""
	}
	return "", withUnit(formatNumber(v), unit)
}

var operatorSymbols = map[string]string{
	"GreaterThanOrEqualToThreshold": "≥",
	"GreaterThanThreshold":          ">",
	"LessThanThreshold":             "<",
	"LessThanOrEqualToThreshold":    "≤",
}

// Duration words a period in seconds: "10 seconds", "1 minute", "5 minutes", "1 hour", "1 day".
func Duration(seconds int64) string {
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

// FormatValue prints a value with at most two decimals and its display unit: "412.5 ms", "8.33%".
func FormatValue(v float64, unit string) string { return withUnit(formatNumber(v), unit) }

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
