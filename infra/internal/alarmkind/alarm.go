package alarmkind

import (
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Alarm is one validated CloudWatch alarm of the stack.
type Alarm struct {
	ID        string // unique per stack; names the alarm's resources
	Shorthand bool   // the one latency alarm of the top-level keys (no alarms key): resource names as before alarms existed

	// FormerIDs and FormerShorthand say under which resource names the same CloudWatch alarm may
	// already exist in the stack (an earlier id rule, the other form of the single latency
	// alarm): the stack aliases them.
	FormerIDs       []string
	FormerShorthand bool

	Kind  string
	Name  string // the CloudWatch alarm name, readable in chat and unique per stack
	Label string // what the alarm watches, e.g. "orders-api prod p99 latency"

	Description string // optional; the stack writes one when empty
	Runbook     string // optional URL; the relay shows it as a button

	APIDimension string             // "ApiName" (REST) or "ApiId" (HTTP and WebSocket)
	API          string             // the API's name or id; where APIValue is set, the label that stands for it in names
	APIValue     pulumi.StringInput // the name as an output (a component given restApi.Name); nil: API
	APIKey       string             // the key that named the API: apiName, apiId, alarms[2].apiName
	Stage        string

	Statistic         string  // Average, Sum, Minimum, Maximum, SampleCount or pNN
	Threshold         float64 // ms, percent, count or the custom metric's unit; band width for trafficSurge
	Operator          string
	PeriodSeconds     int
	EvaluationPeriods int
	DatapointsToAlarm int
	TreatMissingData  string

	Namespace  string            // custom
	Metric     string            // custom
	Dimensions map[string]string // custom
}

var percentile = regexp.MustCompile(`^p(100|\d{1,2}(\.\d{1,2})?)$`)

// IsPercentile tells whether Statistic is a pNN statistic (CloudWatch's ExtendedStatistic).
func (a Alarm) IsPercentile() bool { return percentile.MatchString(a.Statistic) }

// APILabel names an alarm's API as people say it: "orders-api", "orders-api prod".
func (a Alarm) APILabel() string {
	if a.Stage != "" {
		return a.API + " " + a.Stage
	}
	return a.API
}
