package alarmkind

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CheckAPI checks that an alarm names exactly one API. prefix is "" for the top-level keys, or
// the alarm entry ("alarms[2].").
func CheckAPI(prefix, name, id string, r Reporter) {
	switch {
	case name == "" && id == "":
		r.Fail(prefix+"apiName", "set apiName to the REST API's name (pulumi config set apiName orders-api), or apiId to an HTTP API's id")
	case name != "" && id != "":
		r.Fail(prefix+"apiId", "set apiName (REST API) or apiId (HTTP API), not both")
	}
}

// fillAPI does what the API Gateway kinds share: the API (the entry's, or the top-level one for
// stacks that watch one) and its stage; the fields of kind custom are refused.
func fillAPI(prefix string, e Entry, top Defaults, a *Alarm, r Reporter) {
	if e.Namespace != "" || e.Metric != "" || e.Dimensions != nil {
		r.Fail(prefix+"namespace", "namespace, metric and dimensions belong to kind custom; kind %s watches API Gateway", e.Kind)
	}
	name, id, keyPrefix := e.APIName, e.APIID, prefix
	if name == "" && id == "" {
		name, id, keyPrefix = top.APIName, top.APIID, "" // the top-level keys'
	}
	CheckAPI(prefix, name, id, r)
	a.APIDimension, a.API, a.APIKey = "ApiName", name, keyPrefix+"apiName"
	if name == "" {
		a.APIDimension, a.API, a.APIKey = "ApiId", id, keyPrefix+"apiId"
	}
	a.Stage = top.APIStage
	if e.Stage != nil {
		a.Stage = *e.Stage
	}
}

// fixedStatistic refuses a statistic for kinds that compute their own.
func fixedStatistic(prefix string, e Entry, r Reporter) {
	if e.Statistic != "" {
		r.Fail(prefix+"statistic", "kind %s computes its own statistic; remove statistic", e.Kind)
	}
}

// fixedThreshold completes the operator the API Gateway kinds fix, and the threshold: def unless
// the entry sets one, above 0.
func fixedThreshold(prefix string, e Entry, def float64, operator string, a *Alarm, r Reporter) {
	if e.Operator != "" {
		r.Fail(prefix+"operator", "kind %s has a fixed operator; use kind custom to choose one", e.Kind)
	}
	a.Threshold = def
	if e.Threshold != nil {
		a.Threshold = *e.Threshold
	}
	if !(a.Threshold > 0) {
		r.Fail(prefix+"threshold", "%v must be above 0", a.Threshold)
	}
	a.Operator = operator
}

// APIDimensions are an API Gateway metric's: ApiName (REST) or ApiId (HTTP), and Stage when set.
func APIDimensions(a Alarm) map[string]string {
	dims := map[string]string{a.APIDimension: a.API}
	if a.Stage != "" {
		dims["Stage"] = a.Stage
	}
	return dims
}

// apiDimensionInputs are APIDimensions as alarm arguments: where the API's name is an output
// (APIValue, a component given restApi.Name), the dimension takes the output, not the label.
func apiDimensionInputs(a Alarm) pulumi.StringMap {
	dims := pulumi.ToStringMap(APIDimensions(a))
	if a.APIValue != nil {
		dims[a.APIDimension] = a.APIValue
	}
	return dims
}

func apiMetricQuery(a Alarm, id, metric string) cloudwatch.MetricAlarmMetricQueryArgs {
	return cloudwatch.MetricAlarmMetricQueryArgs{
		Id: pulumi.String(id),
		Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace:  pulumi.String("AWS/ApiGateway"),
			MetricName: pulumi.String(metric),
			Dimensions: apiDimensionInputs(a),
			Period:     pulumi.Int(a.PeriodSeconds),
			Stat:       pulumi.String("Sum"),
		},
		ReturnData: pulumi.Bool(false),
	}
}

// singleMetric points args at one metric with a statistic or a percentile (ExtendedStatistic).
func singleMetric(args *cloudwatch.MetricAlarmArgs, a Alarm, namespace, metric string, dims pulumi.StringMap) {
	args.Namespace = pulumi.String(namespace)
	args.MetricName = pulumi.String(metric)
	args.Dimensions = dims
	args.Period = pulumi.Int(a.PeriodSeconds)
	if a.IsPercentile() {
		args.ExtendedStatistic = pulumi.String(a.Statistic)
	} else {
		args.Statistic = pulumi.String(a.Statistic)
	}
}
