package alarmkind

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// trafficSurge: an API's requests above their anomaly-detection band, threshold standard
// deviations wide.
type trafficSurge struct{}

func (trafficSurge) Name() string     { return TrafficSurge }
func (trafficSurge) APIGateway() bool { return true }

func (trafficSurge) Fill(prefix string, e Entry, top Defaults, a *Alarm, r Reporter) {
	fillAPI(prefix, e, top, a, r)
	a.Label = a.APILabel() + " traffic surge"
	fixedStatistic(prefix, e, r)
	fixedThreshold(prefix, e, 2, "GreaterThanUpperThreshold", a, r) // standard deviations
}

func (k trafficSurge) Args(a Alarm, args *cloudwatch.MetricAlarmArgs) {
	args.MetricQueries = k.Queries(a)
	args.ThresholdMetricId = pulumi.String("band")
}

// Queries compare requests with their anomaly-detection band.
func (trafficSurge) Queries(a Alarm) cloudwatch.MetricAlarmMetricQueryArray {
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

func (trafficSurge) Describe(a Alarm, window string) string {
	return fmt.Sprintf("Requests to API Gateway API %s are above their expected band (%s standard deviations) %s. "+
		"Check for a traffic spike, client retries or abuse.", a.APILabel(), number(a.Threshold), window)
}
