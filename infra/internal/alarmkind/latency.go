package alarmkind

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// latency: the Average, or a percentile, of an API's Latency above latencyThresholdMs.
type latency struct{}

func (latency) Name() string     { return Latency }
func (latency) APIGateway() bool { return true }

func (latency) Fill(prefix string, e Entry, top Defaults, a *Alarm, r Reporter) {
	fillAPI(prefix, e, top, a, r)
	if a.Statistic == "" {
		a.Statistic = "Average"
	}
	if a.Statistic != "Average" && !a.IsPercentile() {
		r.Fail(prefix+"statistic", "%q: latency alarms use Average or a percentile such as p90, p99 or p99.9", a.Statistic)
	}
	a.Label = a.APILabel() + " latency"
	if a.Statistic != "Average" {
		a.Label = a.APILabel() + " " + a.Statistic + " latency"
	}
	fixedThreshold(prefix, e, top.LatencyThresholdMs, "GreaterThanThreshold", a, r)
}

func (latency) Args(a Alarm, args *cloudwatch.MetricAlarmArgs) {
	singleMetric(args, a, "AWS/ApiGateway", "Latency", apiDimensionInputs(a))
	args.Threshold = pulumi.Float64(a.Threshold)
	args.Unit = pulumi.String("Milliseconds")
}

func (latency) Describe(a Alarm, window string) string {
	return fmt.Sprintf("%s latency of API Gateway API %s is above %s ms %s. "+
		"Clients are waiting longer than usual: check recent deployments, integration latency and downstream services.",
		a.Statistic, a.APILabel(), number(a.Threshold), window)
}
