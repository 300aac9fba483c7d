package alarm

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// describe fills in what the alarm watches and what crossed what, as typed facts.
func describe(a *Alarm, p *payload) {
	a.Observed = observedValue(a.Reason)
	if p.Trigger == nil {
		a.Shape = ShapeComposite
		a.Rule = strings.Join(strings.Fields(p.AlarmRule), " ")
		for _, c := range p.TriggeringChildren {
			child := Child{Name: c.Arn, State: State(c.State.Value)}
			if arn, ok := ParseARN(c.Arn); ok {
				child.Name = arn.Name
			}
			a.Children = append(a.Children, child)
		}
		return
	}
	t := p.Trigger
	unit := t.Unit
	switch {
	case len(t.Metrics) == 0:
		a.Shape = ShapeMetric
		a.Metric = Metric{Namespace: t.Namespace, Name: t.MetricName}
		a.Dimensions = dimensions(t.Dimensions)
		if known := knownUnit(t.Namespace, t.MetricName); known != "" && unitless(unit) {
			unit = known
		}
		a.Measured = &Series{Statistic: statistic(t), MetricName: t.MetricName}
		a.Query = &MetricQuery{Namespace: t.Namespace, Name: t.MetricName, Dimensions: a.Dimensions, Stat: statistic(t), Period: t.Period, Region: a.Region, Partition: a.Partition}
	default:
		a.Shape = ShapeMetricMath
		if t.ThresholdMetricID != "" {
			a.Shape = ShapeAnomaly
		}
		var q *events.CloudWatchMetricDataQuery
		a.Measured, q = mathSeries(t)
		if a.Measured != nil && cutPercent(a.Measured) && unitless(unit) {
			unit = "Percent"
		}
		if q != nil && q.MetricStat.Metric.MetricName != "" {
			m := q.MetricStat.Metric
			a.Metric = Metric{Namespace: m.Namespace, Name: m.MetricName}
			if unitless(unit) && q.Expression == "" {
				if !unitless(q.MetricStat.Unit) {
					unit = q.MetricStat.Unit
				} else if known := knownUnit(m.Namespace, m.MetricName); known != "" {
					unit = known
				}
			}
		}
		a.Dimensions = firstDimensions(t.Metrics)
	}
	a.Unit = unit
	a.Threshold = t.Threshold
	a.Operator = Operator(t.ComparisonOperator)
	if a.Shape == ShapeAnomaly {
		a.ExpectedMax, a.ExpectedMin = expectedBounds(a.Reason)
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
	if a.Operator.Band() {
		for _, q := range t.Metrics {
			if q.ID == t.ThresholdMetricID && q.Expression != "" {
				a.BandWidth, a.BandExpression = bandWidth(q.Expression), q.Expression
			}
		}
	}
	a.Window = window(t)
}

// cutPercent takes the "(%)" off the end of the name a series is shown by (its label, else its
// expression, else its metric): the stack's error-rate alarms label a percentage so.
func cutPercent(s *Series) bool {
	name := &s.MetricName
	switch {
	case s.Label != "":
		name = &s.Label
	case s.Expression != "":
		name = &s.Expression
	}
	// A label ending in "(%)" names a percentage, as the stack's error-rate alarms do.
	cut, ok := relayconfig.CutPercentLabel(*name)
	if ok {
		*name = cut
	}
	return ok
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

// mathSeries is the series a metric-math or anomaly alarm compares: the returned query that is
// not the anomaly band (nil when there is none). It also returns a metric that series reads, if any.
func mathSeries(t *trigger) (compared *Series, read *events.CloudWatchMetricDataQuery) {
	var q *events.CloudWatchMetricDataQuery
	for i := range t.Metrics {
		m := &t.Metrics[i]
		if m.ID == t.ThresholdMetricID {
			continue
		}
		if m.ReturnData || q == nil {
			q = m
			if m.ReturnData {
				break
			}
		}
	}
	if q == nil {
		return nil, nil
	}
	if q.Expression == "" {
		stat := q.MetricStat
		return &Series{Label: q.Label, Statistic: stat.Stat, MetricName: stat.Metric.MetricName}, q
	}
	// An expression reads other queries: name the first metric it reads, for the Metric field.
	for i := range t.Metrics {
		if t.Metrics[i].MetricStat.Metric.MetricName != "" {
			read = &t.Metrics[i]
			break
		}
	}
	return &Series{Label: q.Label, Expression: q.Expression}, read
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

// expectedBounds reads the band edge an anomaly reason names: the upper edge when the value was
// above the band, the lower one when below.
func expectedBounds(reason string) (upper, lower *float64) {
	m := reasonBound.FindStringSubmatch(reason)
	if m == nil {
		return nil, nil
	}
	v, err := strconv.ParseFloat(m[2], 64)
	if err != nil {
		return nil, nil
	}
	if m[1] == "upper" {
		return &v, nil
	}
	return nil, &v
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

// unitless tells a unit that says nothing about the values: none given, None, or Count.
func unitless(unit string) bool {
	return unit == "" || unit == "None" || unit == "Count"
}

// knownUnit fills in the unit CloudWatch leaves out of the message (Unit is often null) for the
// metrics this project is about; "" for others.
func knownUnit(namespace, metric string) string {
	switch namespace + " " + metric {
	case "AWS/ApiGateway Latency", "AWS/ApiGateway IntegrationLatency", "AWS/Lambda Duration":
		return "Milliseconds"
	}
	return ""
}

// reasonValue finds the first datapoint in a NewStateReason such as
// "... 1 datapoints [412.5 (25/09/22 18:45:00)] was greater than ...".
var reasonValue = regexp.MustCompile(`\[\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\(`)

// observedValue is the most recent datapoint named in the reason, or nil when there is none (for
// example the reason given to set-alarm-state).
func observedValue(reason string) *float64 {
	m := reasonValue.FindStringSubmatch(reason)
	if m == nil {
		return nil
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return nil
	}
	return &v
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
