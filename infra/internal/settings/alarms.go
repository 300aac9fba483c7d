package settings

import (
	"encoding/json"
	"fmt"
	"maps"
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

	// FormerIDs and FormerLegacy say under which resource names the same CloudWatch alarm may
	// already exist in the stack (an earlier id rule, the other form of the single latency
	// alarm): the stack aliases them.
	FormerIDs    []string
	FormerLegacy bool
	Kind         string
	Name         string // the CloudWatch alarm name, readable in chat and unique per stack
	Label        string // what the alarm watches, e.g. "orders-api prod p99 latency"

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

// alarmFields are the fields an alarms entry may have.
var alarmFields = []string{"kind", "name", "description", "apiName", "apiId", "stage", "statistic", "threshold", "operator",
	"periodSeconds", "evaluationPeriods", "datapointsToAlarm", "treatMissingData", "namespace", "metric", "dimensions", "runbook"}

// readAlarmEntry decodes one entry field by field; ok is false when a field could not be read.
func (r *reader) readAlarmEntry(path string, data json.RawMessage) (alarmEntry, bool) {
	before := len(r.problems)
	o, ok := r.entry(path, data, alarmFields)
	if !ok {
		return alarmEntry{}, false
	}
	e := alarmEntry{
		Kind: o.str("kind"), Name: o.str("name"), Description: o.str("description"), APIName: o.str("apiName"), APIID: o.str("apiId"),
		Statistic: o.str("statistic"), Threshold: o.num("threshold", "a number such as 1200 or 2.5"), Operator: o.str("operator"),
		PeriodSeconds:     o.whole("periodSeconds", "seconds such as 60 or 300"),
		EvaluationPeriods: o.whole("evaluationPeriods", "a count such as 3"),
		DatapointsToAlarm: o.whole("datapointsToAlarm", "a count such as 2"),
		TreatMissingData:  o.str("treatMissingData"), Namespace: o.str("namespace"), Metric: o.str("metric"),
		Dimensions: o.texts("dimensions"), Runbook: o.str("runbook"),
	}
	if _, present := o.fields["stage"]; present { // stage: "" (or null) watches the whole API
		stage := o.str("stage")
		e.Stage = &stage
	}
	return e, len(r.problems) == before
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
		r.fail("alarms", "is %s: must be a non-empty list of alarms (see the README), or left unset for the single latency alarm", kindOf(json.RawMessage(raw)))
		return nil
	}
	var out []Alarm
	seenID, seenName := map[string]int{}, map[string]int{}
	for i, data := range entries {
		prefix := fmt.Sprintf("alarms[%d].", i)
		e, decoded := r.readAlarmEntry(strings.TrimSuffix(prefix, "."), data)
		a, ok := r.alarm(prefix, e, s)
		if !ok || !decoded {
			continue
		}
		if j, dup := seenID[a.ID]; dup {
			r.fail(prefix+"name", "alarms[%d] and alarms[%d] would both be %q: give one of them a different name", j, i, a.ID)
			continue
		}
		if j, dup := seenName[a.Name]; dup {
			r.fail(prefix+"name", "alarms[%d] and alarms[%d] would both be named %q in CloudWatch: give one of them a different name", j, i, a.Name)
			continue
		}
		seenID[a.ID], seenName[a.Name] = i, i
		out = append(out, a)
	}
	r.formerIDs(s, out)
	return out
}

// formerIDs records under which ids each alarm may already exist in the stack's state, so that
// the stack can alias them: an alarm that keeps its CloudWatch name must keep its resource, or
// the replacement overwrites the live alarm and the old resource's delete then removes it.
func (r *reader) formerIDs(s *Settings, alarms []Alarm) {
	taken := map[string]bool{}
	for _, a := range alarms {
		taken[a.ID] = true
	}
	// The single latency alarm of the top-level keys has the name of a latency alarm entry on the
	// same API; it may have been declared before the alarms key was set.
	legacy := ""
	if s.APIName != "" || s.APIID != "" {
		legacy = r.legacyAlarm(s).Name
	}
	legacyClaimed := false
	for i := range alarms {
		a := &alarms[i]
		if prev := previousID(a.Label); prev != a.ID && !taken[prev] {
			a.FormerIDs = append(a.FormerIDs, prev)
			taken[prev] = true
		}
		sameAPI := a.Kind == KindLatency && a.Name == alarmName(a.APILabel()+" latency", s.Project, s.Stack)
		if !legacyClaimed && (a.Name == legacy || sameAPI) {
			a.FormerLegacy, legacyClaimed = true, true
		}
	}
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
	a.Name = alarmName(a.Label, s.Project, s.Stack)
	// The same alarm as an alarms entry ({kind: latency}) has the same name: alias that resource.
	a.FormerIDs = []string{alarmID(a.Label)}
	if prev := previousID(a.Label); prev != a.FormerIDs[0] {
		a.FormerIDs = append(a.FormerIDs, prev)
	}
	return a
}

// alarm validates one entry; top-level keys give the defaults of what it leaves out.
func (r *reader) alarm(prefix string, e alarmEntry, s *Settings) (Alarm, bool) {
	before := len(r.problems)
	a := Alarm{
		Kind: e.Kind, Description: e.Description, Statistic: e.Statistic, Operator: e.Operator,
		PeriodSeconds: orDefault(e.PeriodSeconds, s.PeriodSeconds), EvaluationPeriods: orDefault(e.EvaluationPeriods, s.EvaluationPeriods),
		DatapointsToAlarm: orDefault(e.DatapointsToAlarm, s.DatapointsToAlarm), TreatMissingData: e.TreatMissingData,
		Namespace: e.Namespace, Metric: e.Metric, Dimensions: e.Dimensions, Runbook: e.Runbook,
	}
	r.link(prefix+"runbook", e.Runbook)
	if !slices.Contains(kinds, e.Kind) {
		if e.Kind == "" {
			r.fail(prefix+"kind", "missing: one of %s", strings.Join(kinds, ", "))
		} else {
			r.fail(prefix+"kind", "%q is not one of %s", e.Kind, strings.Join(kinds, ", "))
		}
		return Alarm{}, false
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = s.TreatMissingData
	}
	r.treatMissingData(prefix+"treatMissingData", a.TreatMissingData)
	r.window(prefix, a.PeriodSeconds, a.EvaluationPeriods, a.DatapointsToAlarm, e.Kind != KindCustom)
	if hasControl(e.Name) {
		r.fail(prefix+"name", "%q holds a control character (a line break or tab): CloudWatch refuses it", e.Name)
	}
	if hasControl(e.Description) {
		r.fail(prefix+"description", "holds a control character other than a space: write it on one line")
	}

	if e.Kind == KindCustom {
		r.customAlarm(prefix, e, &a)
	} else {
		r.apiAlarm(prefix, e, s, &a)
	}
	if len(r.problems) > before {
		return Alarm{}, false
	}
	if e.Name != "" {
		a.Label = strings.TrimSpace(e.Name)
	}
	a.ID = alarmID(a.Label)
	a.Name = alarmName(a.Label, s.Project, s.Stack)
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
	if len(a.Dimensions) > 30 {
		r.fail(prefix+"dimensions", "%d dimensions: a CloudWatch metric has at most 30", len(a.Dimensions))
	}
	for _, k := range slices.Sorted(maps.Keys(a.Dimensions)) {
		v := a.Dimensions[k]
		switch {
		case k == "" || v == "":
			r.fail(prefix+"dimensions."+k, "dimension %q has an empty name or value", k)
		case len(k) > 255 || len(v) > 1024:
			r.fail(prefix+"dimensions."+k, "is %d bytes long with a value of %d bytes: CloudWatch allows 255 and 1024", len(k), len(v))
		}
	}
	switch {
	case a.Statistic == "":
		r.fail(prefix+"statistic", "missing: kind custom needs one of %s or a percentile such as p99", strings.Join(statistics, ", "))
	case !slices.Contains(statistics, a.Statistic) && !a.IsPercentile():
		r.fail(prefix+"statistic", "%q is not one of %s or a percentile such as p99", a.Statistic, strings.Join(statistics, ", "))
	}
	if e.Threshold == nil {
		r.fail(prefix+"threshold", "missing: kind custom needs a threshold")
	} else {
		a.Threshold = *e.Threshold
	}
	switch {
	case a.Operator == "":
		r.fail(prefix+"operator", "missing: kind custom needs one of %s", strings.Join(operators, ", "))
	case !slices.Contains(operators, a.Operator):
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

func orDefault(v *int, def int) int {
	if v == nil {
		return def
	}
	return *v
}
