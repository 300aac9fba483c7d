package stack

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// alarm declares one CloudWatch alarm that notifies the topic of every state change: ALARM, OK
// and INSUFFICIENT_DATA (without that action CloudWatch publishes no INSUFFICIENT_DATA change at
// all). Each destination's filter policy picks the changes it hears.
func (d *declarer) alarm(a settings.Alarm, topic *sns.Topic) (*cloudwatch.MetricAlarm, error) {
	args := &cloudwatch.MetricAlarmArgs{
		Name:                    pulumi.String(a.Name),
		AlarmDescription:        pulumi.String(AlarmDescription(a, d.cfg.Project, d.cfg.Stack)),
		EvaluationPeriods:       pulumi.Int(a.EvaluationPeriods),
		DatapointsToAlarm:       pulumi.Int(a.DatapointsToAlarm),
		ComparisonOperator:      pulumi.String(a.Operator),
		TreatMissingData:        pulumi.String(a.TreatMissingData),
		ActionsEnabled:          pulumi.Bool(true),
		AlarmActions:            pulumi.Array{topic.Arn},
		OkActions:               pulumi.Array{topic.Arn},
		InsufficientDataActions: pulumi.Array{topic.Arn},
		Tags:                    d.tags(),
	}
	switch a.Kind {
	case settings.KindLatency:
		d.singleMetric(args, a, "AWS/ApiGateway", "Latency", APIDimensions(a))
		args.Threshold = pulumi.Float64(a.Threshold)
		args.Unit = pulumi.String("Milliseconds")
	case settings.KindErrorRate, settings.KindClientErrorRate:
		args.MetricQueries = ErrorRateQueries(a)
		args.Threshold = pulumi.Float64(a.Threshold)
	case settings.KindTrafficSurge:
		args.MetricQueries = TrafficSurgeQueries(a)
		args.ThresholdMetricId = pulumi.String("band")
	case settings.KindCustom:
		d.singleMetric(args, a, a.Namespace, a.Metric, a.Dimensions)
		args.Threshold = pulumi.Float64(a.Threshold)
	default:
		return nil, fmt.Errorf("alarm %s: unknown kind %q", a.ID, a.Kind)
	}
	name := d.name("alarm-" + a.ID)
	if a.Legacy {
		name = d.name("latency") // the name every stack had before the alarms key existed
	}
	// The same CloudWatch alarm may exist in the stack under another resource name: keep it.
	var aliases []pulumi.Alias
	for _, id := range a.FormerIDs {
		aliases = append(aliases, pulumi.Alias{Name: pulumi.String(d.name("alarm-" + id))})
	}
	if a.FormerLegacy {
		aliases = append(aliases, pulumi.Alias{Name: pulumi.String(d.name("latency"))})
	}
	opts := []pulumi.ResourceOption{d.parent}
	if len(aliases) > 0 {
		opts = append(opts, pulumi.Aliases(aliases))
	}
	return cloudwatch.NewMetricAlarm(d.ctx, name, args, opts...)
}

// singleMetric points args at one metric with a statistic or a percentile (ExtendedStatistic).
func (d *declarer) singleMetric(args *cloudwatch.MetricAlarmArgs, a settings.Alarm, namespace, metric string, dims map[string]string) {
	args.Namespace = pulumi.String(namespace)
	args.MetricName = pulumi.String(metric)
	args.Dimensions = pulumi.ToStringMap(dims)
	args.Period = pulumi.Int(a.PeriodSeconds)
	if a.IsPercentile() {
		args.ExtendedStatistic = pulumi.String(a.Statistic)
	} else {
		args.Statistic = pulumi.String(a.Statistic)
	}
}

// APIDimensions are an API Gateway metric's: ApiName (REST) or ApiId (HTTP), and Stage when set.
func APIDimensions(a settings.Alarm) map[string]string {
	dims := map[string]string{a.APIDimension: a.API}
	if a.Stage != "" {
		dims["Stage"] = a.Stage
	}
	return dims
}

// errorMetric names API Gateway's error counts: REST APIs publish 5XXError and 4XXError, HTTP
// APIs 5xx and 4xx.
func errorMetric(a settings.Alarm) (metric, label string) {
	server := a.Kind == settings.KindErrorRate
	switch {
	case server && a.APIDimension == "ApiName":
		return "5XXError", "5XX error rate (%)"
	case server:
		return "5xx", "5XX error rate (%)"
	case a.APIDimension == "ApiName":
		return "4XXError", "4XX error rate (%)"
	default:
		return "4xx", "4XX error rate (%)"
	}
}

func apiMetricQuery(a settings.Alarm, id, metric string) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{
		Id: pulumi.String(id),
		Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace:  pulumi.String("AWS/ApiGateway"),
			MetricName: pulumi.String(metric),
			Dimensions: pulumi.ToStringMap(APIDimensions(a)),
			Period:     pulumi.Int(a.PeriodSeconds),
			Stat:       pulumi.String("Sum"),
		},
		ReturnData: pulumi.Bool(false),
	}
}

// ErrorRateQueries compute errors as a percentage of requests. Periods without requests give no
// data point (IF without an else), which treatMissingData then decides; a quiet night is not a
// 0 % or a division by zero.
func ErrorRateQueries(a settings.Alarm) cloudwatch.MetricAlarmMetricQueryArray {
	metric, label := errorMetric(a)
	return cloudwatch.MetricAlarmMetricQueryArray{
		apiMetricQuery(a, "errors", metric),
		apiMetricQuery(a, "requests", "Count"),
		cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String("rate"),
			Expression: pulumi.String("IF(requests > 0, 100 * errors / requests)"),
			Label:      pulumi.String(label),
			ReturnData: pulumi.Bool(true),
		},
	}
}

// TrafficSurgeQueries compare requests with their anomaly-detection band, Threshold standard
// deviations wide.
func TrafficSurgeQueries(a settings.Alarm) cloudwatch.MetricAlarmMetricQueryArray {
	requests := apiMetricQuery(a, "requests", "Count")
	requests.Label = pulumi.String("Requests")
	requests.ReturnData = pulumi.Bool(true)
	return cloudwatch.MetricAlarmMetricQueryArray{
		requests,
		cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String("band"),
			Expression: pulumi.String("ANOMALY_DETECTION_BAND(requests, " + number(a.Threshold) + ")"),
			Label:      pulumi.String("Requests (expected)"),
			ReturnData: pulumi.Bool(true),
		},
	}
}

// AlarmDescription says what the alarm means, what to look at, and which stack manages it.
func AlarmDescription(a settings.Alarm, project, stack string) string {
	window := fmt.Sprintf("for %d of %d periods of %d seconds", a.DatapointsToAlarm, a.EvaluationPeriods, a.PeriodSeconds)
	var what string
	switch a.Kind {
	case settings.KindLatency:
		what = fmt.Sprintf("%s latency of API Gateway API %s is above %s ms %s. "+
			"Clients are waiting longer than usual: check recent deployments, integration latency and downstream services.",
			a.Statistic, a.APILabel(), number(a.Threshold), window)
	case settings.KindErrorRate:
		what = fmt.Sprintf("More than %s%% of requests to API Gateway API %s fail with a 5XX error %s. "+
			"Check the integration's errors and recent deployments.", number(a.Threshold), a.APILabel(), window)
	case settings.KindClientErrorRate:
		what = fmt.Sprintf("More than %s%% of requests to API Gateway API %s are rejected with a 4XX error %s. "+
			"Check clients, authorizers, throttling and recent API changes.", number(a.Threshold), a.APILabel(), window)
	case settings.KindTrafficSurge:
		what = fmt.Sprintf("Requests to API Gateway API %s are above their expected band (%s standard deviations) %s. "+
			"Check for a traffic spike, client retries or abuse.", a.APILabel(), number(a.Threshold), window)
	default:
		what = fmt.Sprintf("%s of %s %s (%s) %s %s %s.", a.Statistic, a.Namespace, a.Metric, dimensionWords(a.Dimensions),
			operatorWords[a.Operator], number(a.Threshold), window)
	}
	if a.Description != "" {
		what = strings.TrimSpace(a.Description) + " " + what
	}
	tail := " Managed by Pulumi stack " + project + "/" + stack + "."
	if a.Runbook != "" { // last, never cut: the relay turns "Runbook: <url>" into a button
		tail += " Runbook: " + a.Runbook
	}
	// CloudWatch counts the description's bytes; a cut ends on a whole character, with "…".
	if room := settings.AlarmDescriptionBytes - len(tail); len(what) > room {
		what = settings.LimitBytes(what, room-len("…")) + "…"
	}
	return what + tail
}

var operatorWords = map[string]string{
	"GreaterThanThreshold":          "is above",
	"GreaterThanOrEqualToThreshold": "is at or above",
	"LessThanThreshold":             "is below",
	"LessThanOrEqualToThreshold":    "is at or below",
}

func dimensionWords(dims map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		parts = append(parts, k+" "+dims[k])
	}
	return strings.Join(parts, ", ")
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
