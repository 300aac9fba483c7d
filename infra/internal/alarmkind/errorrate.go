package alarmkind

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// errorRate: 5XX (server) or 4XX (client) errors as a percentage of an API's requests.
type errorRate struct{ server bool }

func (k errorRate) Name() string {
	if k.server {
		return ErrorRate
	}
	return ClientErrorRate
}

func (errorRate) APIGateway() bool { return true }

func (k errorRate) Fill(prefix string, e Entry, top Defaults, a *Alarm, r Reporter) {
	fillAPI(prefix, e, top, a, r)
	a.Label = a.APILabel() + " " + k.class() + " error rate"
	fixedStatistic(prefix, e, r)
	threshold := 10.0 // percent of requests; clients err more often than servers
	if k.server {
		threshold = 5
	}
	fixedThreshold(prefix, e, threshold, "GreaterThanThreshold", a, r)
}

func (k errorRate) class() string {
	if k.server {
		return "5XX"
	}
	return "4XX"
}

// Args compute errors as a percentage of requests. Periods without requests give no data point
// (IF without an else), which treatMissingData then decides; a quiet night is not a 0 % or a
// division by zero.
func (k errorRate) Args(a Alarm, args *cloudwatch.MetricAlarmArgs) {
	args.MetricQueries = k.Queries(a)
	args.Threshold = pulumi.Float64(a.Threshold)
}

// Queries are the metric math: REST APIs publish 5XXError and 4XXError, HTTP APIs 5xx and 4xx.
func (k errorRate) Queries(a Alarm) cloudwatch.MetricAlarmMetricQueryArray {
	metric := k.class() + "Error"
	if a.APIDimension != "ApiName" {
		metric = strings.ToLower(k.class())
	}
	return cloudwatch.MetricAlarmMetricQueryArray{
		apiMetricQuery(a, "errors", metric),
		apiMetricQuery(a, "requests", "Count"),
		cloudwatch.MetricAlarmMetricQueryArgs{
			Id:         pulumi.String("rate"),
			Expression: pulumi.String("IF(requests > 0, 100 * errors / requests)"),
			Label:      pulumi.String(relayconfig.PercentLabel(k.class() + " error rate")), // the relay shows a %
			ReturnData: pulumi.Bool(true),
		},
	}
}

func (k errorRate) Describe(a Alarm, window string) string {
	if k.server {
		return fmt.Sprintf("More than %s%% of requests to API Gateway API %s fail with a 5XX error %s. "+
			"Check the integration's errors and recent deployments.", number(a.Threshold), a.APILabel(), window)
	}
	return fmt.Sprintf("More than %s%% of requests to API Gateway API %s are rejected with a 4XX error %s. "+
		"Check clients, authorizers, throttling and recent API changes.", number(a.Threshold), a.APILabel(), window)
}
