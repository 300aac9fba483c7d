package settings

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/alarm-relay/alarm-relay/infra/internal/alarmkind"
)

// The alarm kinds the alarms key offers (one file each in package alarmkind).
const (
	KindLatency         = alarmkind.Latency
	KindErrorRate       = alarmkind.ErrorRate
	KindClientErrorRate = alarmkind.ClientErrorRate
	KindTrafficSurge    = alarmkind.TrafficSurge
	KindCustom          = alarmkind.Custom
)

// Alarm is one validated CloudWatch alarm of the stack.
type Alarm = alarmkind.Alarm

// alarmEntry is one element of the alarms key as written in Pulumi.<stack>.yaml.
type alarmEntry = alarmkind.Entry

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

// alarms reads the alarms key, or makes the single latency alarm of the top-level keys.
func (r *reader) alarms(s *Settings) []Alarm {
	raw, set := r.raw("alarms")
	r.alarmKeys = map[string]string{}
	if !set {
		a := r.shorthandAlarm(s)
		r.alarmKeys[a.Name] = "apiName" // its label is the API's
		if s.APIName == "" {
			r.alarmKeys[a.Name] = "apiId"
		}
		return []Alarm{a}
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || len(entries) == 0 {
		r.fail("alarms", "is %s: must be a non-empty list of alarms (see docs/alarms-and-destinations.md), or left unset for the single latency alarm", typeOf(json.RawMessage(raw)))
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
		r.alarmKeys[a.Name] = prefix + "name"
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
	shorthandName := ""
	if s.APIName != "" || s.APIID != "" {
		shorthandName = r.shorthandAlarm(s).Name
	}
	shorthandClaimed := false
	for i := range alarms {
		a := &alarms[i]
		if prev := previousID(a.Label); prev != a.ID && !taken[prev] {
			a.FormerIDs = append(a.FormerIDs, prev)
			taken[prev] = true
		}
		sameAPI := a.Kind == KindLatency && a.Name == alarmName(a.APILabel()+" latency", s.Project, s.Stack)
		if !shorthandClaimed && (a.Name == shorthandName || sameAPI) {
			a.FormerShorthand, shorthandClaimed = true, true
		}
	}
}

func (r *reader) shorthandAlarm(s *Settings) Alarm {
	a := Alarm{
		Shorthand: true, Kind: KindLatency, Statistic: "Average", Threshold: s.LatencyThresholdMs, Operator: "GreaterThanThreshold",
		Stage: s.APIStage, PeriodSeconds: s.PeriodSeconds, EvaluationPeriods: s.EvaluationPeriods,
		DatapointsToAlarm: s.DatapointsToAlarm, TreatMissingData: s.TreatMissingData, Runbook: s.RunbookURL,
	}
	a.APIDimension, a.API, a.APIKey = "ApiName", s.APIName, "apiName"
	if s.APIName == "" {
		a.APIDimension, a.API, a.APIKey = "ApiId", s.APIID, "apiId"
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
	kind, known := alarmkind.Lookup(e.Kind)
	if !known {
		if e.Kind == "" {
			r.fail(prefix+"kind", "missing: one of %s", strings.Join(alarmkind.Names(), ", "))
		} else {
			r.fail(prefix+"kind", "%q is not one of %s", e.Kind, strings.Join(alarmkind.Names(), ", "))
		}
		return Alarm{}, false
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = s.TreatMissingData
	}
	r.treatMissingData(prefix+"treatMissingData", a.TreatMissingData)
	periodKey := prefix + "periodSeconds"
	if e.PeriodSeconds == nil {
		periodKey = "periodSeconds" // inherited: the top-level key is the one to change
	}
	r.window(prefix, periodKey, a.PeriodSeconds, a.EvaluationPeriods, a.DatapointsToAlarm, kind.APIGateway())
	if hasControl(e.Name) {
		r.fail(prefix+"name", "%q holds a control character (a line break or tab): CloudWatch refuses it", e.Name)
	}
	for _, f := range [][2]string{{"apiName", e.APIName}, {"apiId", e.APIID}, {"stage", deref(e.Stage)}} {
		if hasControl(f[1]) {
			r.fail(prefix+f[0], "%q holds a control character: API Gateway names have none", f[1])
		}
	}
	if hasControl(e.Description) {
		r.fail(prefix+"description", "holds a control character other than a space: write it on one line")
	}

	kind.Fill(prefix, e, alarmkind.Defaults{APIName: s.APIName, APIID: s.APIID, APIStage: s.APIStage, LatencyThresholdMs: s.LatencyThresholdMs}, &a, r)
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func orDefault(v *int, def int) int {
	if v == nil {
		return def
	}
	return *v
}
