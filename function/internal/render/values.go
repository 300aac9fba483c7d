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

// formatValue prints a value with at most two decimals, without trailing zeros, and its display
// unit: "300 ms", "412.5 ms", "8.33%", "0.07". It runs for every number of every message, so it
// builds the text in one allocation.
func formatValue(v float64, unit string) string {
	var buf [40]byte
	b := strconv.AppendFloat(buf[:0], v, 'f', 2, 64)
	for len(b) > 0 && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	switch unit {
	case "":
	case "%", "/s":
		b = append(b, unit...)
	default:
		b = append(append(b, ' '), unit...)
	}
	return string(b)
}
