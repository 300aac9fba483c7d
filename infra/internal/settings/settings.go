// Package settings reads the stack's configuration once into a typed struct and validates all of
// it before any resource exists. Every error names the key, the value (never the webhook's) and
// what is allowed. The keys, types and defaults are declared in Pulumi.yaml as well; a test keeps
// the two in step.
package settings

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/alarmkind"

	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Settings is the validated stack configuration.
type Settings struct {
	Project, Stack string
	Region         string // aws:region: the stack must name it

	// CheckAPIs looks up each alarm's API at preview (false skips it: an API made later, or in
	// another account).
	CheckAPIs bool

	// The top-level alarm keys: the single latency alarm of a stack without the alarms key, and
	// the defaults of alarms entries.
	APIName  string // REST API name (ApiName dimension), or
	APIID    string // HTTP API id (ApiId dimension)
	APIStage string // optional Stage dimension
	// APIValue is the REST API's name as an output (a component given restApi.Name): the
	// ApiName dimension of the alarms on the top-level API. APIName is then the label that names
	// them (it must be known when the alarms are declared).
	APIValue pulumi.StringInput

	LatencyThresholdMs float64
	PeriodSeconds      int
	EvaluationPeriods  int
	DatapointsToAlarm  int
	TreatMissingData   string

	// The top-level relay keys: the webhookUrl destination's, and the defaults of destinations
	// entries.
	Messenger  string // "auto", or a messenger name
	Timezone   string
	Language   string // en or ko
	Mentions   string // comma-separated, notified on ALARM
	Trend      bool   // show single-metric alarms' last hour
	RunbookURL string // the single latency alarm's runbook (entries have their own)
	// RemindEveryMinutes is how often destinations are reminded of alarms still in ALARM (0: never);
	// a destination may set its own.
	RemindEveryMinutes int

	// Alarms and Destinations are what the stack declares. Without the alarms key, Alarms holds
	// the one latency alarm of the keys above; without destinations, Destinations holds the one
	// webhookUrl destination. Both are then marked Shorthand, which keeps their resource names.
	Alarms       []Alarm
	Destinations []Destination
	Windows      maintenance.Set // maintenance windows of every destination without its own

	LogRetentionDays    int
	AlertEmail          string
	MemoryMB            int
	TimeoutSeconds      int
	ReservedConcurrency int // -1: none (the default; new accounts reject reservations)
	MaxRetryAttempts    int
	MaxEventAgeSeconds  int
	EncryptTopic        bool
}

// SlackApps tells whether a destination posts through a Slack app: the stack then keeps its
// incidents in a table (StateTableName).
func (s Settings) SlackApps() bool {
	for _, d := range s.Destinations {
		if d.SlackApp() {
			return true
		}
	}
	return false
}

// Defaults are the values of keys the stack does not set; Pulumi.yaml declares the same.
var Defaults = map[string]string{
	"apiName":             "",
	"apiId":               "",
	"apiStage":            "",
	"latencyThresholdMs":  "300",
	"periodSeconds":       "300",
	"evaluationPeriods":   "1",
	"datapointsToAlarm":   "1",
	"treatMissingData":    "notBreaching",
	"messenger":           "auto",
	"timezone":            "UTC",
	"logRetentionDays":    "14",
	"alertEmail":          "",
	"memoryMb":            "128",
	"timeoutSeconds":      "30",
	"reservedConcurrency": "-1",
	"maxRetryAttempts":    "2",
	"maxEventAgeSeconds":  "21600",
	"encryptTopic":        "false",
	"language":            "en",
	"mentions":            "",
	"trend":               "true",
	"runbookUrl":          "",
	"remindEveryMinutes":  "0",
	"checkApis":           "true",
	"webhookUrl":          "",   // a secret; the program refuses a plain-text value
	"alarms":              "[]", // structured: see alarms.go
	"destinations":        "[]", // structured: see destinations.go
	"maintenanceWindows":  "[]", // structured: see windows.go
}

// WebhookKey is the secret key. Its declared default is "" (not `secret: true` without a
// default, which the CLI would demand even of a destinations-only stack); the program refuses a
// value that is not stored as a secret.
const WebhookKey = "webhookUrl"

// logRetentionDays are the values CloudWatch Logs accepts (0 keeps logs forever).
var logRetentionDays = []int{0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Source holds configuration values by full key ("project:apiName", "aws:region"): the stack's
// configuration (*pulumi.Context), or a component's Args (Values).
type Source interface {
	GetConfig(key string) (string, bool)
	IsConfigSecret(key string) bool
}

// Load reads and validates the stack configuration. All problems are reported together. Beyond
// the values' rules it checks what only a stack file gets wrong: plain-text secrets stored inside
// a secret list, keys no program reads, and secrets shown in problems.
func Load(ctx *pulumi.Context) (Settings, error) {
	r := reader{ctx: ctx, src: ctx, project: ctx.Project()}
	s := r.read(ctx.Stack())
	r.plaintextInStackFile(ctx.Stack())
	r.unknownKeys()
	r.maskSecrets()
	if len(r.problems) > 0 {
		return Settings{}, &Error{Stack: ctx.Stack(), Problems: r.problems}
	}
	return s, nil
}

// Values are configuration values by key as a stack file holds them ("apiName": "orders-api",
// "alarms": a JSON list), without the project's namespace; "aws:region" is the region. A
// component reads its Args through them; every value counts as a secret (the component keeps
// webhooks and tokens secret itself).
type Values map[string]string

// FromValues reads and validates values by the rules of Load, as the settings of project and
// stack. Problems name the keys of values.
func FromValues(project, stack string, values Values) (Settings, error) {
	r := reader{src: valueSource{project: project, values: values}, project: project}
	s := r.read(stack)
	if len(r.problems) > 0 {
		return Settings{}, &Error{Stack: stack, Problems: r.problems}
	}
	return s, nil
}

// valueSource serves Values as a Source.
type valueSource struct {
	project string
	values  Values
}

func (v valueSource) GetConfig(key string) (string, bool) {
	if key == RegionKey {
		s, ok := v.values[key]
		return s, ok
	}
	s, ok := v.values[strings.TrimPrefix(key, v.project+":")]
	return s, ok && strings.HasPrefix(key, v.project+":")
}

func (valueSource) IsConfigSecret(string) bool { return true }

// read reads and validates every key, collecting problems.
func (r *reader) read(stack string) Settings {
	s := Settings{
		Project:             r.project,
		Stack:               stack,
		APIName:             r.str("apiName"),
		APIID:               r.str("apiId"),
		APIStage:            r.str("apiStage"),
		LatencyThresholdMs:  r.float("latencyThresholdMs"),
		PeriodSeconds:       r.int("periodSeconds"),
		EvaluationPeriods:   r.int("evaluationPeriods"),
		DatapointsToAlarm:   r.int("datapointsToAlarm"),
		TreatMissingData:    r.str("treatMissingData"),
		Messenger:           strings.ToLower(r.str("messenger")),
		Timezone:            r.str("timezone"),
		LogRetentionDays:    r.int("logRetentionDays"),
		AlertEmail:          r.str("alertEmail"),
		MemoryMB:            r.int("memoryMb"),
		TimeoutSeconds:      r.int("timeoutSeconds"),
		ReservedConcurrency: r.int("reservedConcurrency"),
		MaxRetryAttempts:    r.int("maxRetryAttempts"),
		MaxEventAgeSeconds:  r.int("maxEventAgeSeconds"),
		EncryptTopic:        r.bool("encryptTopic"),
		Language:            r.str("language"),
		Mentions:            r.str("mentions"),
		Trend:               r.bool("trend"),
		RunbookURL:          r.str("runbookUrl"),
		RemindEveryMinutes:  r.int("remindEveryMinutes"),
		CheckAPIs:           r.bool("checkApis"),
	}
	s.Region = r.region()
	r.validate(&s)
	s.Alarms = r.alarms(&s)
	s.Windows = r.topWindows(&s)
	s.Destinations = r.destinations(&s)
	r.concurrency(&s)
	return s
}

// Problem is one thing wrong with the configuration: the key path (alarms[0].threshold) and a
// sentence with the value (never a secret) and what is allowed.
type Problem struct {
	Key, Message string
}

func (p Problem) Error() string { return p.Key + ": " + p.Message }

// Error is every problem of a configuration, in the order of the keys read.
type Error struct {
	Stack    string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration for stack %q (%d %s):", e.Stack, len(e.Problems), plural(len(e.Problems), "problem", "problems"))
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p.Error())
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// reader collects problems instead of stopping at the first.
type reader struct {
	ctx      *pulumi.Context // the program's (Load): the stack file's checks; nil for Values
	src      Source
	project  string
	problems []Problem
	// alarmKeys are the keys that named each alarm of the stack, by CloudWatch name.
	alarmKeys map[string]string
}

// Fail records a problem; the alarm kinds report through it.
func (r *reader) Fail(key, format string, args ...any) { r.fail(key, format, args...) }

// fail records a problem. A key gets one problem, the first: a value that could not be read is
// not then also reported as missing.
func (r *reader) fail(key, format string, args ...any) {
	for _, p := range r.problems {
		if p.Key == key {
			return
		}
	}
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	r.problems = append(r.problems, Problem{Key: key, Message: msg})
}

// raw is a key's value as the stack holds it; an empty list counts as unset (it is the declared
// default of the structured keys).
func (r *reader) raw(key string) (string, bool) {
	v, ok := r.src.GetConfig(r.project + ":" + key)
	if strings.TrimSpace(v) == "[]" {
		return "", false
	}
	return v, ok
}

func (r *reader) str(key string) string {
	if v, ok := r.raw(key); ok {
		return strings.TrimSpace(v)
	}
	return Defaults[key]
}

func (r *reader) int(key string) int {
	v := r.str(key)
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(key, "%q is not a whole number", v)
	}
	return n
}

func (r *reader) float(key string) float64 {
	v := r.str(key)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		r.fail(key, "%q is not a number", v)
		return 0
	}
	return f
}

func (r *reader) bool(key string) bool {
	v := r.str(key)
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, "%q is not true or false", v)
	}
	return b
}

func (r *reader) validate(s *Settings) {
	if _, set := r.raw("alarms"); !set {
		r.api("", s.APIName, s.APIID)
	}
	for _, f := range [][2]string{{"apiName", s.APIName}, {"apiId", s.APIID}, {"apiStage", s.APIStage}} {
		if hasControl(f[1]) {
			r.fail(f[0], "%q holds a control character: API Gateway names have none", f[1])
		}
	}
	if !(s.LatencyThresholdMs > 0) {
		r.fail("latencyThresholdMs", "%v must be a number of milliseconds above 0", s.LatencyThresholdMs)
	}
	// The top-level window is the single latency alarm's, and the default of alarm entries'.
	_, list := r.raw("alarms")
	r.window("", "periodSeconds", s.PeriodSeconds, s.EvaluationPeriods, s.DatapointsToAlarm, !list)
	r.treatMissingData("treatMissingData", s.TreatMissingData)
	if s.Messenger == string(messenger.SlackApp) {
		r.fail("messenger", "slack-app is a destination's messenger: configure destinations with slackToken and slackChannel (see docs/slack-app.md); this key is webhookUrl's (auto, slack, teams, teams-legacy)")
	}
	r.relay("", relayconfig.Config{Messenger: s.Messenger, Timezone: s.Timezone, Language: s.Language, Mentions: s.Mentions})
	r.remind("remindEveryMinutes", s.RemindEveryMinutes)
	r.link("runbookUrl", s.RunbookURL)
	if !slices.Contains(logRetentionDays, s.LogRetentionDays) {
		r.fail("logRetentionDays", "%d is not a retention CloudWatch Logs accepts: one of %v", s.LogRetentionDays, logRetentionDays)
	}
	if s.AlertEmail != "" {
		if a, err := mail.ParseAddress(s.AlertEmail); err != nil || a.Address != s.AlertEmail {
			r.fail("alertEmail", "%q is not a plain e-mail address such as oncall@example.com", s.AlertEmail)
		}
	}
	if s.MemoryMB < 128 || s.MemoryMB > 10240 {
		r.fail("memoryMb", "%d must be between 128 and 10240", s.MemoryMB)
	}
	if s.TimeoutSeconds < 10 || s.TimeoutSeconds > 900 {
		r.fail("timeoutSeconds", "%d must be between 10 (room for the relay's retries) and 900", s.TimeoutSeconds)
	}
	if s.ReservedConcurrency < -1 || s.ReservedConcurrency == 0 {
		r.fail("reservedConcurrency", "%d must be -1 (no reservation) or 1 and more (0 would stop the relay)", s.ReservedConcurrency)
	}
	if s.MaxRetryAttempts < 0 || s.MaxRetryAttempts > 2 {
		r.fail("maxRetryAttempts", "%d must be 0, 1 or 2 (Lambda's asynchronous retries)", s.MaxRetryAttempts)
	}
	if s.MaxEventAgeSeconds < 60 || s.MaxEventAgeSeconds > 21600 {
		r.fail("maxEventAgeSeconds", "%d must be between 60 and 21600", s.MaxEventAgeSeconds)
	}
}

// api checks that an alarm names exactly one API (prefix "" for the top-level keys).
func (r *reader) api(prefix, name, id string) { alarmkind.CheckAPI(prefix, name, id, r) }

// window checks an alarm's evaluation window. API Gateway publishes its metrics once a minute:
// a shorter period would flap between data and none, and be billed as high resolution.
// periodKey is where a bad period is reported: the entry's key, or the top-level periodSeconds
// an entry inherits.
func (r *reader) window(prefix, periodKey string, period, evaluations, datapoints int, apiGateway bool) {
	switch {
	case apiGateway && (period < 60 || period%60 != 0):
		r.fail(periodKey, "%d: API Gateway publishes its metrics per minute; use a multiple of 60 (10 and 30 are for high-resolution custom metrics)", period)
	case !(period == 10 || period == 30 || period >= 60 && period%60 == 0):
		r.fail(periodKey, "%d is not a period CloudWatch accepts: use 10, 30 or a multiple of 60", period)
	}
	// CloudWatch evaluates at most one day of periods shorter than an hour, and seven days of
	// hour-long or longer ones.
	limit, days := 86400, "one day"
	if period >= 3600 {
		limit, days = 7*86400, "seven days"
	}
	if evaluations < 1 {
		r.fail(prefix+"evaluationPeriods", "%d must be 1 or more", evaluations)
	} else if period > 0 && evaluations > limit/period { // divided, not multiplied: no overflow
		r.fail(prefix+"evaluationPeriods", "%d periods of %d seconds exceed the %s CloudWatch evaluates for this period (%d periods at most)", evaluations, period, days, limit/period)
	}
	if datapoints < 1 || datapoints > evaluations {
		r.fail(prefix+"datapointsToAlarm", "%d must be between 1 and evaluationPeriods (%d)", datapoints, evaluations)
	}
}

func (r *reader) treatMissingData(key, v string) {
	if !slices.Contains([]string{"notBreaching", "breaching", "ignore", "missing"}, v) {
		r.fail(key, "%q is not one of notBreaching, breaching, ignore, missing", v)
	}
}

// relayKeys are the config keys of the relay's settings, by environment variable.
var relayKeys = map[string]string{
	relayconfig.EnvMessenger: "messenger",
	relayconfig.EnvTimezone:  "timezone",
	relayconfig.EnvLanguage:  "language",
	relayconfig.EnvMentions:  "mentions",
}

// relay checks a relay's settings by the relay's own rules (prefix "destinations[1]." for an
// entry's), so that `pulumi up` refuses what the relay would refuse at start-up.
func (r *reader) relay(prefix string, c relayconfig.Config) {
	for _, p := range c.Validate() {
		key, ok := relayKeys[p.Env]
		if !ok {
			key = p.Env // a setting without a key here still gets its problem reported
		}
		r.fail(prefix+key, "%s", p.Message)
	}
}

// link checks a runbook or dashboard URL shown as a button.
func (r *reader) link(key, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(v, " \t\n") {
		r.fail(key, "%q is not an http(s) URL", v)
	} else if len(v) > 500 {
		r.fail(key, "is %d bytes long; a link in an alarm description may have 500", len(v))
	}
}

// webhook checks a secret webhook without ever printing it, and that the messenger can post to it
// (with messenger auto, its host must name one).
func (r *reader) webhook(key, raw, messengerKey, messengerName string) {
	u, err := relayconfig.ParseWebhookURL(raw)
	if err != nil {
		r.fail(key, "%v", err)
		return
	}
	if _, err := relayconfig.ResolveMessenger(messengerName, u); err != nil {
		r.fail(messengerKey, "%v", err)
	}
}
