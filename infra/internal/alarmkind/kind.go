// Package alarmkind holds the alarm kinds of the alarms key, one file each: how an entry of the
// kind is checked and completed (settings), which CloudWatch arguments it declares (stack) and
// how its description reads. A new kind is one new file and a line in All.
package alarmkind

import (
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
)

// The kinds, as the kind field spells them.
const (
	Latency         = "latency"         // Average or pNN of Latency
	ErrorRate       = "errorRate"       // 5XX errors as a percentage of requests
	ClientErrorRate = "clientErrorRate" // 4XX errors as a percentage of requests
	TrafficSurge    = "trafficSurge"    // requests above their anomaly-detection band
	Custom          = "custom"          // any metric, statistic, threshold and operator
)

// Kind is one alarm kind.
type Kind interface {
	// Name is the kind as the kind field spells it.
	Name() string
	// APIGateway tells whether the kind watches API Gateway, which publishes per minute.
	APIGateway() bool
	// Fill checks an entry of the kind and completes the alarm: metric, statistic, threshold,
	// operator and label. prefix is the entry's key path ("alarms[2].").
	Fill(prefix string, e Entry, top Defaults, a *Alarm, r Reporter)
	// Args sets the CloudWatch alarm's metric (or metric queries), threshold and unit.
	Args(a Alarm, args *cloudwatch.MetricAlarmArgs)
	// Describe says what the alarm means and what to look at; window reads "for 1 of 1 periods of
	// 300 seconds".
	Describe(a Alarm, window string) string
}

// All are the kinds, in the order help texts list them.
var All = []Kind{latency{}, errorRate{server: true}, errorRate{}, trafficSurge{}, custom{}}

// Lookup finds a kind by name.
func Lookup(name string) (Kind, bool) {
	for _, k := range All {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}

// Names lists the kinds' names.
func Names() []string {
	names := make([]string, len(All))
	for i, k := range All {
		names[i] = k.Name()
	}
	return names
}

// Reporter records a problem of the configuration under its key path.
type Reporter interface {
	Fail(key, format string, args ...any)
}

// Defaults are the top-level keys an entry falls back on.
type Defaults struct {
	APIName, APIID, APIStage string
	LatencyThresholdMs       float64
}

// Entry is one element of the alarms key as written in Pulumi.<stack>.yaml.
type Entry struct {
	Kind              string
	Name              string
	Description       string
	APIName           string
	APIID             string
	Stage             *string
	Statistic         string
	Threshold         *float64
	Operator          string
	PeriodSeconds     *int
	EvaluationPeriods *int
	DatapointsToAlarm *int
	TreatMissingData  string
	Namespace         string
	Metric            string
	Dimensions        map[string]string
	Runbook           string
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
