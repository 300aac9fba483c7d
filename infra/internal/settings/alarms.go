package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The alarm kinds the alarms key offers.
const (
	KindLatency         = "latency"         // Average or pNN of Latency
	KindErrorRate       = "errorRate"       // 5XX errors as a percentage of requests
	KindClientErrorRate = "clientErrorRate" // 4XX errors as a percentage of requests
	KindTrafficSurge    = "trafficSurge"    // requests above their anomaly-detection band
	KindCustom          = "custom"          // any metric, statistic, threshold and operator
)

var kinds = []string{KindLatency, KindErrorRate, KindClientErrorRate, KindTrafficSurge, KindCustom}

// Alarm is one validated CloudWatch alarm of the stack.
type Alarm struct {
	ID     string // unique per stack; names the alarm's resources
	Legacy bool   // the one latency alarm of the top-level keys: resource names as before alarms existed
	Kind   string
	Name   string // the CloudWatch alarm name, readable in chat and unique per stack
	Label  string // what the alarm watches, e.g. "orders-api prod p99 latency"

	Description string // optional; the stack writes one when empty
	Runbook     string // optional URL; the relay shows it as a button

	APIDimension string // "ApiName" (REST) or "ApiId" (HTTP and WebSocket)
	API          string
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

// IsPercentile tells whether Statistic is a pNN statistic (CloudWatch's ExtendedStatistic).
func (a Alarm) IsPercentile() bool { return percentile.MatchString(a.Statistic) }

// alarmEntry is one element of the alarms key as written in Pulumi.<stack>.yaml.
type alarmEntry struct {
	Kind              string            `json:"kind"`
	Name              string            `json:"name"`
	Description       string            `json:"description"`
	APIName           string            `json:"apiName"`
	APIID             string            `json:"apiId"`
	Stage             *string           `json:"stage"`
	Statistic         string            `json:"statistic"`
	Threshold         *float64          `json:"threshold"`
	Operator          string            `json:"operator"`
	PeriodSeconds     *int              `json:"periodSeconds"`
	EvaluationPeriods *int              `json:"evaluationPeriods"`
	DatapointsToAlarm *int              `json:"datapointsToAlarm"`
	TreatMissingData  string            `json:"treatMissingData"`
	Namespace         string            `json:"namespace"`
	Metric            string            `json:"metric"`
	Dimensions        map[string]string `json:"dimensions"`
	Runbook           string            `json:"runbook"`
}

var (
	percentile = regexp.MustCompile(`^p(100|\d{1,2}(\.\d{1,2})?)$`)
	statistics = []string{"Average", "Sum", "Minimum", "Maximum", "SampleCount"}
	operators  = []string{"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
)

// defaultThresholds are the thresholds of kinds whose entries may leave it out.
var defaultThresholds = map[string]float64{
	KindErrorRate:       5,  // percent
	KindClientErrorRate: 10, // percent
	KindTrafficSurge:    2,  // standard deviations
}

// alarms reads the alarms key, or makes the single latency alarm of the top-level keys.
func (r *reader) alarms(s *Settings) []Alarm {
	raw, set := r.raw("alarms")
	if !set {
		return []Alarm{r.legacyAlarm(s)}
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || len(entries) == 0 {
		r.fail("alarms", "must be a non-empty list of alarms (see the README), or left unset for the single latency alarm")
		return nil
	}
	var out []Alarm
	seen := map[string]int{}
	for i, data := range entries {
		prefix := fmt.Sprintf("alarms[%d].", i)
		var e alarmEntry
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			r.fail(strings.TrimSuffix(prefix, "."), "%v", err)
			continue
		}
		a, ok := r.alarm(prefix, e, s)
		if !ok {
			continue
		}
		if j, dup := seen[a.ID]; dup {
			r.fail(prefix+"name", "alarms[%d] and alarms[%d] would both be %q: give one of them a different name", j, i, a.ID)
			continue
		}
		seen[a.ID] = i
		out = append(out, a)
	}
	return out
}

func (r *reader) legacyAlarm(s *Settings) Alarm {
	a := Alarm{
		Legacy: true, Kind: KindLatency, Statistic: "Average", Threshold: s.LatencyThresholdMs, Operator: "GreaterThanThreshold",
		Stage: s.APIStage, PeriodSeconds: s.PeriodSeconds, EvaluationPeriods: s.EvaluationPeriods,
		DatapointsToAlarm: s.DatapointsToAlarm, TreatMissingData: s.TreatMissingData, Runbook: s.RunbookURL,
	}
	a.APIDimension, a.API = "ApiName", s.APIName
	if s.APIName == "" {
		a.APIDimension, a.API = "ApiId", s.APIID
	}
	a.Label = a.APILabel() + " latency"
	a.ID = "latency"
	a.Name = truncateRunes(a.Label+" ("+s.Project+"/"+s.Stack+")", 255)
	return a
}

// alarm validates one entry; top-level keys give the defaults of what it leaves out.
func (r *reader) alarm(prefix string, e alarmEntry, s *Settings) (Alarm, bool) {
	before := len(r.errs)
	a := Alarm{
		Kind: e.Kind, Description: e.Description, Statistic: e.Statistic, Operator: e.Operator,
		PeriodSeconds: orDefault(e.PeriodSeconds, s.PeriodSeconds), EvaluationPeriods: orDefault(e.EvaluationPeriods, s.EvaluationPeriods),
		DatapointsToAlarm: orDefault(e.DatapointsToAlarm, s.DatapointsToAlarm), TreatMissingData: e.TreatMissingData,
		Namespace: e.Namespace, Metric: e.Metric, Dimensions: e.Dimensions, Runbook: e.Runbook,
	}
	r.link(prefix+"runbook", e.Runbook)
	if !slices.Contains(kinds, e.Kind) {
		r.fail(prefix+"kind", "%q is not one of %s", e.Kind, strings.Join(kinds, ", "))
		return Alarm{}, false
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = s.TreatMissingData
	}
	r.treatMissingData(prefix+"treatMissingData", a.TreatMissingData)
	r.window(prefix, a.PeriodSeconds, a.EvaluationPeriods, a.DatapointsToAlarm)

	if e.Kind == KindCustom {
		r.customAlarm(prefix, e, &a)
	} else {
		r.apiAlarm(prefix, e, s, &a)
	}
	if len(r.errs) > before {
		return Alarm{}, false
	}
	if e.Name != "" {
		a.Label = e.Name
	}
	a.ID = slug(a.Label)
	a.Name = truncateRunes(a.Label+" ("+s.Project+"/"+s.Stack+")", 255)
	return a, true
}

// apiAlarm fills in an API Gateway alarm: latency, error rates and traffic surges.
func (r *reader) apiAlarm(prefix string, e alarmEntry, s *Settings, a *Alarm) {
	if e.Namespace != "" || e.Metric != "" || e.Dimensions != nil {
		r.fail(prefix+"namespace", "namespace, metric and dimensions belong to kind custom; kind %s watches API Gateway", e.Kind)
	}
	name, id := e.APIName, e.APIID
	if name == "" && id == "" { // the top-level API, for stacks that watch one
		name, id = s.APIName, s.APIID
	}
	r.api(prefix, name, id)
	a.APIDimension, a.API = "ApiName", name
	if name == "" {
		a.APIDimension, a.API = "ApiId", id
	}
	a.Stage = s.APIStage
	if e.Stage != nil {
		a.Stage = *e.Stage
	}
	switch e.Kind {
	case KindLatency:
		if a.Statistic == "" {
			a.Statistic = "Average"
		}
		if a.Statistic != "Average" && !a.IsPercentile() {
			r.fail(prefix+"statistic", "%q: latency alarms use Average or a percentile such as p90, p99 or p99.9", a.Statistic)
		}
		a.Threshold = s.LatencyThresholdMs
		a.Label = a.APILabel() + " latency"
		if a.Statistic != "Average" {
			a.Label = a.APILabel() + " " + a.Statistic + " latency"
		}
	case KindErrorRate:
		a.Label = a.APILabel() + " 5XX error rate"
	case KindClientErrorRate:
		a.Label = a.APILabel() + " 4XX error rate"
	case KindTrafficSurge:
		a.Label = a.APILabel() + " traffic surge"
	}
	if e.Kind != KindLatency && e.Statistic != "" {
		r.fail(prefix+"statistic", "kind %s computes its own statistic; remove statistic", e.Kind)
	}
	if e.Operator != "" {
		r.fail(prefix+"operator", "kind %s has a fixed operator; use kind custom to choose one", e.Kind)
	}
	if t, ok := defaultThresholds[e.Kind]; ok {
		a.Threshold = t
	}
	if e.Threshold != nil {
		a.Threshold = *e.Threshold
	}
	if !(a.Threshold > 0) {
		r.fail(prefix+"threshold", "%v must be above 0", a.Threshold)
	}
	a.Operator = "GreaterThanThreshold"
	if e.Kind == KindTrafficSurge {
		a.Operator = "GreaterThanUpperThreshold"
	}
}

// customAlarm checks the escape hatch: any metric with its own statistic, threshold and operator.
func (r *reader) customAlarm(prefix string, e alarmEntry, a *Alarm) {
	if e.APIName != "" || e.APIID != "" || e.Stage != nil {
		r.fail(prefix+"dimensions", "kind custom takes its dimensions from dimensions, not apiName, apiId or stage")
	}
	if a.Namespace == "" {
		r.fail(prefix+"namespace", "missing: kind custom needs the metric's namespace, e.g. AWS/Lambda")
	}
	if a.Metric == "" {
		r.fail(prefix+"metric", "missing: kind custom needs the metric's name, e.g. Throttles")
	}
	if len(a.Dimensions) == 0 {
		r.fail(prefix+"dimensions", "missing: kind custom needs the metric's dimensions, e.g. {FunctionName: checkout}")
	}
	for k, v := range a.Dimensions {
		if k == "" || v == "" {
			r.fail(prefix+"dimensions", "dimension %q has an empty name or value", k)
		}
	}
	if !slices.Contains(statistics, a.Statistic) && !a.IsPercentile() {
		r.fail(prefix+"statistic", "%q is not one of %s or a percentile such as p99", a.Statistic, strings.Join(statistics, ", "))
	}
	if e.Threshold == nil {
		r.fail(prefix+"threshold", "missing: kind custom needs a threshold")
	} else {
		a.Threshold = *e.Threshold
	}
	if !slices.Contains(operators, a.Operator) {
		r.fail(prefix+"operator", "%q is not one of %s", a.Operator, strings.Join(operators, ", "))
	}
	a.Label = a.Namespace + " " + a.Metric
	keys := make([]string, 0, len(a.Dimensions))
	for k := range a.Dimensions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		a.Label += " " + a.Dimensions[k]
	}
}

// APILabel names an alarm's API as people say it: "orders-api", "orders-api prod".
func (a Alarm) APILabel() string {
	if a.Stage != "" {
		return a.API + " " + a.Stage
	}
	return a.API
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes an id for resource names: "orders-api prod p99 latency" → "orders-api-prod-p99-latency".
func slug(s string) string {
	id := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(id) > 48 {
		id = strings.TrimRight(id[:48], "-")
	}
	if id == "" {
		id = "alarm"
	}
	return id
}

func orDefault(v *int, def int) int {
	if v == nil {
		return def
	}
	return *v
}

func truncateRunes(s string, limit int) string {
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit])
}
