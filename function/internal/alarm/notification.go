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

// Shape tells which sort of alarm changed state, by what its trigger holds; render words each
// differently. A notification that is not an alarm (Notification.Alarm nil) is text.
type Shape string

// Alarm shapes, from what the trigger holds.
const (
	ShapeMetric     Shape = "metric"      // one metric with a statistic
	ShapeMetricMath Shape = "metric-math" // Trigger.Metrics with an expression
	ShapeAnomaly    Shape = "anomaly"     // an anomaly-detection band (ThresholdMetricId)
	ShapeComposite  Shape = "composite"   // AlarmRule over other alarms, no Trigger
)

// Operator is a trigger's ComparisonOperator, as CloudWatch spells it.
type Operator string

// The operators CloudWatch alarms use: four against a threshold, three against an anomaly band.
// Another value is kept as it came.
const (
	GreaterThanOrEqualToThreshold Operator = "GreaterThanOrEqualToThreshold"
	GreaterThanThreshold          Operator = "GreaterThanThreshold"
	LessThanThreshold             Operator = "LessThanThreshold"
	LessThanOrEqualToThreshold    Operator = "LessThanOrEqualToThreshold"

	OutsideBand Operator = "LessThanLowerOrGreaterThanUpperThreshold"
	AboveBand   Operator = "GreaterThanUpperThreshold"
	BelowBand   Operator = "LessThanLowerThreshold"
)

// Band tells the operators that compare with an anomaly band rather than a threshold.
func (o Operator) Band() bool {
	return o == OutsideBand || o == AboveBand || o == BelowBand
}

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

// Alarm is a CloudWatch alarm state change with everything a person on call needs, as typed
// facts: the words for them, in every language, are render's.
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

	Shape Shape
	// The condition: Measured Operator Threshold (or the band) for Window.
	Measured  *Series  // the quantity compared; nil for composite alarms and metric math naming no series
	Metric    Metric   // the metric read (metric math: the first its expression reads); zero when none
	Operator  Operator // "" for composite alarms
	Threshold *float64 // nil when there is none (anomaly bands, composite alarms), which is not 0
	Unit      string   // CloudWatch's unit of values and threshold, e.g. "Milliseconds", "Percent"; "" or "None" or "Count" for none
	Window    Window
	Rule      string // composite alarms: the AlarmRule

	// Anomaly bands (Operator.Band()): the width and what the reason says of the band's edges.
	BandWidth      string   // in standard deviations, as written ("2" by CloudWatch's default); "" when BandExpression is more than the band
	BandExpression string   // e.g. "ANOMALY_DETECTION_BAND(m1, 3)"
	ExpectedMax    *float64 // anomaly alarms: the band's upper edge, when the value was above it
	ExpectedMin    *float64 // the lower edge, when the value was below it

	Observed *float64     // the latest datapoint the reason names; nil when it names none
	Query    *MetricQuery // single-metric alarms: the series, for fetching its recent trend

	Dimensions []Dimension
	API        string // ApiName or ApiId dimension
	Stage      string

	Children   []Child // composite alarms: the alarms that triggered it
	ConsoleURL string  // empty when the ARN does not name a known partition
}

// Series is the quantity an alarm compares: a metric's statistic, or a metric-math series by its
// label and expression. (Not the SNS subject, which is Notification.Subject.)
type Series struct {
	Label      string // metric math: the series' label, e.g. "5XX error rate"; "" when it has none
	Expression string // metric math: e.g. "IF(m2 > 0, 100 * m1 / m2, 0)"; "" for a metric
	Statistic  string // a metric's statistic as people write it: "Average", "p99", "SampleCount"
	MetricName string // a metric's name, e.g. "Latency"
}

// Metric names a CloudWatch metric.
type Metric struct {
	Namespace string // e.g. "AWS/ApiGateway"
	Name      string // e.g. "Latency"
}

// Child is an alarm whose state change made a composite alarm change state.
type Child struct {
	Name  string // from its ARN (the ARN itself when that cannot be read)
	State State  // "" when the message does not say
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
