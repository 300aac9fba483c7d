package alarmkind

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// custom: the escape hatch, any metric with its own statistic, threshold and operator.
type custom struct{}

var (
	statistics = []string{"Average", "Sum", "Minimum", "Maximum", "SampleCount"}
	operators  = []string{"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
)

func (custom) Name() string     { return Custom }
func (custom) APIGateway() bool { return false }

func (custom) Fill(prefix string, e Entry, _ Defaults, a *Alarm, r Reporter) {
	if e.APIName != "" || e.APIID != "" || e.Stage != nil {
		r.Fail(prefix+"dimensions", "kind custom takes its dimensions from dimensions, not apiName, apiId or stage")
	}
	// CloudWatch takes a namespace and a metric name of 1 to 255 characters (the namespace not
	// starting with ':'); a control character would also end up in the alarm's name.
	switch {
	case a.Namespace == "":
		r.Fail(prefix+"namespace", "missing: kind custom needs the metric's namespace, e.g. AWS/Lambda")
	case len(a.Namespace) > 255:
		r.Fail(prefix+"namespace", "is %d bytes long: CloudWatch allows 255", len(a.Namespace))
	case strings.HasPrefix(a.Namespace, ":"):
		r.Fail(prefix+"namespace", "%q starts with ':', which CloudWatch refuses", a.Namespace)
	case hasControl(a.Namespace):
		r.Fail(prefix+"namespace", "%q holds a control character (a line break or tab): CloudWatch refuses it", a.Namespace)
	case !ascii(a.Namespace):
		// PutMetricAlarm, Namespace: "must contain valid ASCII characters" (CloudWatch API Reference,
		// PutMetricAlarm). The provider's validator checks only the length.
		r.Fail(prefix+"namespace", "%q holds characters outside ASCII: CloudWatch takes ASCII namespaces only", a.Namespace)
	}
	switch {
	case a.Metric == "":
		r.Fail(prefix+"metric", "missing: kind custom needs the metric's name, e.g. Throttles")
	case len(a.Metric) > 255:
		r.Fail(prefix+"metric", "is %d bytes long: CloudWatch allows 255", len(a.Metric))
	case hasControl(a.Metric):
		r.Fail(prefix+"metric", "%q holds a control character (a line break or tab): CloudWatch refuses it", a.Metric)
	case !ascii(a.Metric):
		// CloudWatch concepts, Metrics: metric names "must contain only ASCII characters"
		// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html);
		// PutMetricAlarm refuses others, the provider does not check.
		r.Fail(prefix+"metric", "%q holds characters outside ASCII: CloudWatch takes ASCII metric names only (name the alarm in Korean with name instead)", a.Metric)
	}
	if len(a.Dimensions) == 0 {
		r.Fail(prefix+"dimensions", "missing: kind custom needs the metric's dimensions, e.g. {FunctionName: checkout}")
	}
	if len(a.Dimensions) > 30 {
		r.Fail(prefix+"dimensions", "%d dimensions: a CloudWatch metric has at most 30", len(a.Dimensions))
	}
	for _, k := range slices.Sorted(maps.Keys(a.Dimensions)) {
		v := a.Dimensions[k]
		switch {
		case k == "" || v == "":
			r.Fail(prefix+"dimensions."+k, "dimension %q has an empty name or value", k)
		case len(k) > 255 || len(v) > 1024:
			r.Fail(prefix+"dimensions."+k, "is %d bytes long with a value of %d bytes: CloudWatch allows 255 and 1024", len(k), len(v))
		case hasControl(k) || hasControl(v): // not in the key path: a problem is one line
			r.Fail(prefix+"dimensions", "dimension %q: %q holds a control character (a line break or tab): CloudWatch refuses it", k, v)
		// CloudWatch API Reference, Dimension: names and values "must contain only ASCII
		// characters, must include at least one non-whitespace character"; a name "cannot start
		// with a colon (:)". The provider checks none of it; PutMetricAlarm fails half-way in `up`.
		case !ascii(k) || !ascii(v): // not in the key path: it would carry the characters refused
			r.Fail(prefix+"dimensions", "dimension %q = %q holds characters outside ASCII: CloudWatch takes ASCII dimension names and values only", k, v)
		case strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "":
			r.Fail(prefix+"dimensions."+k, "dimension %q = %q: a dimension name and value need a character other than a space", k, v)
		case strings.HasPrefix(k, ":"):
			r.Fail(prefix+"dimensions."+k, "dimension name %q starts with ':', which CloudWatch refuses", k)
		}
	}
	switch {
	case a.Statistic == "":
		r.Fail(prefix+"statistic", "missing: kind custom needs one of %s or a percentile such as p99", strings.Join(statistics, ", "))
	case !slices.Contains(statistics, a.Statistic) && !a.IsPercentile():
		r.Fail(prefix+"statistic", "%q is not one of %s or a percentile such as p99", a.Statistic, strings.Join(statistics, ", "))
	}
	if e.Threshold == nil {
		r.Fail(prefix+"threshold", "missing: kind custom needs a threshold")
	} else {
		a.Threshold = *e.Threshold
	}
	switch {
	case a.Operator == "":
		r.Fail(prefix+"operator", "missing: kind custom needs one of %s", strings.Join(operators, ", "))
	case !slices.Contains(operators, a.Operator):
		r.Fail(prefix+"operator", "%q is not one of %s", a.Operator, strings.Join(operators, ", "))
	}
	a.Label = a.Namespace + " " + a.Metric
	for _, k := range slices.Sorted(maps.Keys(a.Dimensions)) {
		a.Label += " " + a.Dimensions[k]
	}
}

func (custom) Args(a Alarm, args *cloudwatch.MetricAlarmArgs) {
	singleMetric(args, a, a.Namespace, a.Metric, pulumi.ToStringMap(a.Dimensions))
	args.Threshold = pulumi.Float64(a.Threshold)
}

func (custom) Describe(a Alarm, window string) string {
	return fmt.Sprintf("%s of %s %s (%s) %s %s %s.", a.Statistic, a.Namespace, a.Metric, dimensionWords(a.Dimensions),
		operatorWords[a.Operator], number(a.Threshold), window)
}

var operatorWords = map[string]string{
	"GreaterThanThreshold":          "is above",
	"GreaterThanOrEqualToThreshold": "is at or above",
	"LessThanThreshold":             "is below",
	"LessThanOrEqualToThreshold":    "is at or below",
}

// ascii tells whether s is plain ASCII, all that CloudWatch takes in metric names, namespaces and
// dimensions.
func ascii(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII }) < 0
}

// hasControl tells whether s holds a control character, which no CloudWatch name accepts.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func dimensionWords(dims map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		parts = append(parts, k+" "+dims[k])
	}
	return strings.Join(parts, ", ")
}
