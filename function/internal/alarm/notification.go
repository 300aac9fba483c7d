package alarm

import "time"

// State is a CloudWatch alarm state.
type State string

// The three states CloudWatch alarms take.
const (
	StateAlarm            State = "ALARM"
	StateOK               State = "OK"
	StateInsufficientData State = "INSUFFICIENT_DATA"
)

// Kind tells which sort of alarm changed state; renderers may word each differently.
type Kind string

// Alarm kinds, from what the trigger holds.
const (
	KindMetric     Kind = "metric"      // one metric with a statistic
	KindMetricMath Kind = "metric-math" // Trigger.Metrics with an expression
	KindAnomaly    Kind = "anomaly"     // an anomaly-detection band (ThresholdMetricId)
	KindComposite  Kind = "composite"   // AlarmRule over other alarms, no Trigger
)

// Notification is one SNS record made readable: an alarm, or text when the message is not one.
type Notification struct {
	MessageID string
	Subject   string
	Published time.Time
	Alarm     *Alarm // nil when the message is not a CloudWatch alarm
	Text      string // the message as sent, when Alarm is nil
}

// Title is a one-line name for the notification: the alarm name, else the SNS subject.
func (n Notification) Title() string {
	switch {
	case n.Alarm != nil:
		return n.Alarm.Name
	case n.Subject != "":
		return n.Subject
	default:
		return "SNS notification"
	}
}

// Alarm is a CloudWatch alarm state change with everything a person on call needs, in words.
type Alarm struct {
	Name        string
	Description string
	ARN         string
	AccountID   string
	RegionName  string // display name, e.g. "Asia Pacific (Seoul)"
	Region      string // code from the ARN, e.g. "ap-northeast-2"
	Partition   string // from the ARN, e.g. "aws"

	State         State
	PreviousState State
	Reason        string
	ChangedAt     time.Time // zero when CloudWatch's timestamp could not be read
	// ConfigUpdatedAt is when the alarm was created or its configuration last changed; zero when
	// the message does not say.
	ConfigUpdatedAt time.Time

	Kind       Kind
	Condition  string // in English, e.g. "Average Latency > 300 ms for 1 of 1 periods of 5 minutes"
	Observed   string // e.g. "412.5 ms", empty when the reason names no value
	Metric     string // e.g. "AWS/ApiGateway Latency", empty for composite alarms
	Expression string // metric math behind a labelled series, e.g. "IF(m2 > 0, 100 * m1 / m2)"

	// The condition in parts, for wording it in other languages.
	Subject        string // what is compared, e.g. "Average Latency", "5XX error rate"
	Comparison     string // e.g. "> 300 ms"; empty for anomaly bands and composite alarms
	Band           string // anomaly alarms: "outside", "above" or "below" the expected band
	BandWidth      string // its width in standard deviations; "" when BandExpression is more than the band
	BandExpression string
	ExpectedMax    string // anomaly alarms: the band edge the value crossed, with unit
	ExpectedMin    string
	Window         Window
	Rule           string // composite alarms: the AlarmRule

	Unit      string       // display unit of values and threshold, e.g. "ms", "%"
	Threshold *float64     // nil for anomaly and composite alarms
	Query     *MetricQuery // single-metric alarms: the series, for fetching its recent trend

	Dimensions []Dimension
	API        string // ApiName or ApiId dimension
	Stage      string

	Children   []string // composite alarms: names of the alarms that triggered it
	ConsoleURL string   // empty when the ARN does not name a known partition
}

// Window is an alarm's evaluation window: Datapoints of Evaluations periods of Period seconds.
type Window struct {
	Datapoints, Evaluations, Period int64
}

// MetricQuery names a single metric series: enough to ask CloudWatch for its recent values.
type MetricQuery struct {
	Namespace  string
	Name       string
	Dimensions []Dimension
	Stat       string // Average, Sum, Minimum, Maximum, SampleCount or pNN
	Period     int64
	Region     string // from the alarm's ARN; "" when it named none
	Partition  string // e.g. "aws", "aws-cn": decides CloudWatch's DNS suffix
}

// Dimension is a CloudWatch metric dimension.
type Dimension struct {
	Name  string
	Value string
}

// SettleWindow is how long after a configuration change an INSUFFICIENT_DATA → OK transition is
// taken for the alarm settling rather than a recovery. CloudWatch evaluates a new or changed alarm
// within a minute or two on the metric's existing data; API Gateway's metrics arrive a few minutes
// late, and an alarm over several periods may wait for its first complete one. Fifteen minutes
// covers that, and keeps the window short enough that a real recovery (data arriving long after a
// deploy) is still posted.
const SettleWindow = 15 * time.Minute

// Settling tells an alarm going OK only because it was just created or changed: a new alarm starts
// in INSUFFICIENT_DATA and, a few minutes after every deploy, goes to OK. That is no news to anyone
// on call. A recovery — OK after ALARM, or after an INSUFFICIENT_DATA that began long after the
// last configuration change — is not settling.
func (a *Alarm) Settling() bool {
	if a.State != StateOK || a.PreviousState != StateInsufficientData || a.ConfigUpdatedAt.IsZero() || a.ChangedAt.IsZero() {
		return false
	}
	since := a.ChangedAt.Sub(a.ConfigUpdatedAt)
	return since >= 0 && since <= SettleWindow
}
