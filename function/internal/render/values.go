package render

import (
	"strconv"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// The parts of a condition that read the same in every language: what is measured, the operator's
// symbol, numbers with their unit.

// measuredName names the quantity an alarm compares: a metric-math series by its label or
// expression, a metric by its statistic and name ("Average Latency"), unnamed when there is none.
func measuredName(a *alarm.Alarm, unnamed string) string {
	s := a.Measured
	switch {
	case s == nil:
		return unnamed
	case s.Label != "":
		return s.Label
	case s.Expression != "":
		return s.Expression
	}
	return strings.TrimSpace(s.Statistic + " " + s.MetricName)
}

// metricName is the metric an alarm reads, "AWS/ApiGateway Latency"; "" when none.
func metricName(m alarm.Metric) string {
	return strings.TrimSpace(m.Namespace + " " + m.Name)
}

var operatorSymbols = map[alarm.Operator]string{
	alarm.GreaterThanOrEqualToThreshold: "≥",
	alarm.GreaterThanThreshold:          ">",
	alarm.LessThanThreshold:             "<",
	alarm.LessThanOrEqualToThreshold:    "≤",
}

// symbol is an operator as people write it ("≥"); an operator CloudWatch may add later shows as it came.
func symbol(o alarm.Operator) string {
	if s, ok := operatorSymbols[o]; ok {
		return s
	}
	return string(o)
}

// comparison is the operator and threshold: "> 300 ms", or "≥ " + noThreshold when the alarm's
// threshold is absent (which is not 0).
func comparison(a *alarm.Alarm, noThreshold string) string {
	if a.Threshold == nil {
		return symbol(a.Operator) + " " + noThreshold
	}
	return symbol(a.Operator) + " " + formatValue(*a.Threshold, unitSuffix(a.Unit))
}

// ObservedValue is the latest datapoint an alarm's reason names, with its unit ("412.53 ms"); ""
// when it names none.
func ObservedValue(a *alarm.Alarm) string {
	if a.Observed == nil {
		return ""
	}
	return formatValue(*a.Observed, unitSuffix(a.Unit))
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

// formatValue prints a value with at most two decimals and its display unit: "412.5 ms", "8.33%".
func formatValue(v float64, unit string) string { return withUnit(formatNumber(v), unit) }

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
