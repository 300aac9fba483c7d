package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

const (
	unset   = "<unset>" // a value that removes a key load would otherwise set
	project = "alarm-relay"
	slack   = "https://hooks.slack.com/services/T0/B0/SECRETtoken"
)

type noResources struct{}

func (noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name + "-id", args.Inputs, nil
}

func (noResources) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// load reads a stack configuration as `pulumi up` would hand it to the program: keys without the
// project prefix; keys in secret are marked secret.
func load(t *testing.T, stack string, config map[string]string, secret ...string) (Settings, error) {
	t.Helper()
	// A key with a namespace ("aws:region") is taken as it is; every stack names its region
	// unless the test removes it ("aws:region": unset).
	full := map[string]string{"aws:region": "ap-northeast-2"}
	for k, v := range config {
		if !strings.Contains(k, ":") {
			k = project + ":" + k
		}
		full[k] = v
		if v == unset {
			delete(full, k)
		}
	}
	var keys []string
	for _, k := range secret {
		keys = append(keys, project+":"+k)
	}
	cfgJSON, _ := json.Marshal(full)
	keysJSON, _ := json.Marshal(keys)
	t.Setenv(pulumi.EnvConfig, string(cfgJSON))
	t.Setenv(pulumi.EnvConfigSecretKeys, string(keysJSON))
	var s Settings
	var loadErr error
	if err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		s, loadErr = Load(ctx)
		return nil
	}, pulumi.WithMocks(project, stack, noResources{})); err != nil {
		t.Fatal(err)
	}
	return s, loadErr
}

// base is a valid single-alarm stack; with overrides ("" removes a key).
func base(overrides map[string]string) map[string]string {
	return testsupport.Override(map[string]string{"apiName": "orders-api", "apiStage": "prod", "webhookUrl": slack}, overrides)
}

func mustLoad(t *testing.T, cfg map[string]string, secret ...string) Settings {
	t.Helper()
	s, err := load(t, "dev", cfg, secret...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// problemsOf loads an invalid configuration and returns its problems as "key: message".
func problemsOf(t *testing.T, cfg map[string]string, secret ...string) []string {
	t.Helper()
	_, err := load(t, "dev", cfg, secret...)
	var invalid *Error
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v, want the configuration's problems", err)
	}
	var out []string
	for _, p := range invalid.Problems {
		if strings.Contains(p.Message, "SECRET") {
			t.Errorf("%s shows a secret", p.Key)
		}
		out = append(out, p.Error())
	}
	return out
}

func hasProblem(t *testing.T, problems []string, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.HasPrefix(p, want) {
			return
		}
	}
	t.Errorf("no problem starting %q in:\n  %s", want, strings.Join(problems, "\n  "))
}

func TestAlarmNames(t *testing.T) {
	korean := strings.Repeat("주문 처리 지연 ", 20) // 200 characters, 480 bytes
	emoji := strings.Repeat("🔥", 70)          // 70 characters, 280 bytes
	long := strings.Repeat("orders-api checkout ", 13)
	tests := []struct {
		label, stack string
		cut          bool
	}{
		{"orders-api prod latency", "dev", false},
		{"주문 API 지연", "dev", false},
		{korean, "dev", true},
		{emoji, "dev", true},
		{long + "A", "dev", true},
		{long + "B", "dev", true},
		{korean, strings.Repeat("customer-portal-production-", 3) + "blue", true},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		name := alarmName(tt.label, project, tt.stack)
		suffix := StackSuffix(project, tt.stack)
		switch {
		case len(name) > AlarmNameBytes:
			t.Errorf("%q: %d bytes, CloudWatch allows 255", name, len(name))
		case !utf8.ValidString(name):
			t.Errorf("%q is cut inside a character", name)
		case !strings.HasSuffix(name, suffix):
			t.Errorf("%q lost its stack ending %q", name, suffix)
		case !tt.cut && name != tt.label+suffix:
			t.Errorf("%q was changed though it fits", name)
		case tt.cut && !strings.Contains(name, " "+ShortHash(tt.label)+suffix):
			t.Errorf("%q was cut without the label's hash", name)
		}
		if other, dup := seen[name]; dup && other != tt.label {
			t.Errorf("two labels share the name %q", name)
		}
		seen[name] = tt.label
	}
}

func TestAlarmIDs(t *testing.T) {
	tests := []struct {
		label, want string
	}{
		{"orders-api prod p99 latency", "orders-api-prod-p99-latency"}, // as before: existing ids stay
		{"checkout throttles", "checkout-throttles"},
		{"주문 API 지연", "api-" + ShortHash("주문 API 지연")},
		{"주문 지연", "alarm-" + ShortHash("주문 지연")},
		{"🔥🔥", "alarm-" + ShortHash("🔥🔥")}, // no letters at all: not lossy, but empty
	}
	for _, tt := range tests {
		if got := alarmID(tt.label); got != tt.want {
			t.Errorf("alarmID(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
	a, b := strings.Repeat("checkout ", 8)+"A", strings.Repeat("checkout ", 8)+"B"
	if alarmID(a) == alarmID(b) || len(alarmID(a)) > 48 {
		t.Errorf("long labels: %q and %q", alarmID(a), alarmID(b))
	}
	if previousID(a) == alarmID(a) {
		t.Error("a cut id should differ from the earlier rule's, which the stack aliases")
	}
}

func TestFunctionNames(t *testing.T) {
	blue, green := "customer-portal-production-blue", "customer-portal-production-green"
	tests := []struct {
		stack, destination string
		want               string // "" when only the rules below are checked
	}{
		{"dev", "", "alarm-relay-dev-relay"}, // unchanged: the name every stack had
		{"prod_eu", "", "alarm-relay-prod_eu-relay"},
		{"dev", "team", "alarm-relay-dev-team-" + ShortHash(project, "dev", "team") + "-relay"},
		{"dev-team", "", "alarm-relay-dev-team-" + ShortHash(project, "dev-team", "") + "-relay"}, // could be project alarm-relay-dev
		{"dev.team", "", "alarm-relay-dev-team-" + ShortHash(project, "dev.team", "") + "-relay"},
		{blue, "platform-oncall-team", ""},
		{green, "platform-oncall-team", ""},
		{blue + "-with-a-much-longer-name", "", ""},
		{green + "-with-a-much-longer-name", "", ""},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := FunctionName(project, tt.stack, tt.destination)
		if tt.want != "" && got != tt.want {
			t.Errorf("FunctionName(%q, %q) = %q, want %q", tt.stack, tt.destination, got, tt.want)
		}
		if len(got) > 64 || !strings.HasSuffix(got, "-relay") || strings.Trim(got, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			t.Errorf("FunctionName(%q, %q) = %q: not a Lambda function name", tt.stack, tt.destination, got)
		}
		if tt.destination != "" && !strings.Contains(got, "-"+tt.destination+"-") {
			t.Errorf("%q does not show its destination %q", got, tt.destination)
		}
		key := tt.stack + "/" + tt.destination
		if other, dup := seen[got]; dup {
			t.Errorf("%s and %s share the function name %q", other, key, got)
		}
		seen[got] = key
	}
}

func TestPeriods(t *testing.T) {
	custom := func(period, evaluations int) map[string]string {
		return base(map[string]string{"alarms": fmt.Sprintf(`[{"kind":"custom","namespace":"App","metric":"Jobs","dimensions":{"Queue":"q"},`+
			`"statistic":"Sum","threshold":1,"operator":"GreaterThanThreshold","periodSeconds":%d,"evaluationPeriods":%d}]`, period, evaluations)})
	}
	latency := func(period, evaluations int) map[string]string {
		return base(map[string]string{"alarms": fmt.Sprintf(`[{"kind":"latency","periodSeconds":%d,"evaluationPeriods":%d}]`, period, evaluations)})
	}
	tests := []struct {
		name    string
		cfg     map[string]string
		problem string // "" when valid
	}{
		{"custom at 10 s", custom(10, 6), ""},
		{"custom at 30 s", custom(30, 6), ""},
		{"latency at 10 s", latency(10, 6), "alarms[0].periodSeconds: 10: API Gateway publishes its metrics per minute"},
		{"latency at 30 s", latency(30, 6), "alarms[0].periodSeconds: 30: API Gateway"},
		{"latency at 90 s", latency(90, 1), "alarms[0].periodSeconds: 90: API Gateway"},
		{"top-level 30 s", base(map[string]string{"periodSeconds": "30"}), "periodSeconds: 30: API Gateway"},
		{"top-level 30 s inherited by a latency entry", base(map[string]string{"periodSeconds": "30", "alarms": `[{"kind":"latency"}]`}), "periodSeconds: 30: API Gateway"},
		{"top-level 30 s for custom entries only", func() map[string]string { c := custom(60, 1); c["periodSeconds"] = "30"; return c }(), ""},
		{"custom at 45 s", custom(45, 1), "alarms[0].periodSeconds: 45 is not a period CloudWatch accepts"},
		{"one day of minutes", latency(60, 1440), ""},
		{"a day and a minute", latency(60, 1441), "alarms[0].evaluationPeriods: 1441 periods of 60 seconds exceed the one day"},
		{"seven days of hours", latency(3600, 168), ""},
		{"seven days and an hour", latency(3600, 169), "alarms[0].evaluationPeriods: 169 periods of 3600 seconds exceed the seven days"},
		{"a period longer than the window", latency(9223372036854775800, 2), "alarms[0].evaluationPeriods: 2 periods of 9223372036854775800 seconds exceed the seven days"},
		{"latency threshold Inf", base(map[string]string{"latencyThresholdMs": "Inf"}), `latencyThresholdMs: "Inf" is not a number`},
		{"entry threshold NaN", base(map[string]string{"alarms": `[{"kind":"errorRate","threshold":"NaN"}]`}), `alarms[0].threshold: "NaN" is not a number`},
		{"a day of 30-minute periods", latency(1800, 49), "alarms[0].evaluationPeriods: 49 periods of 1800 seconds exceed the one day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.problem == "" {
				mustLoad(t, tt.cfg, "webhookUrl")
				return
			}
			hasProblem(t, problemsOf(t, tt.cfg, "webhookUrl"), tt.problem)
		})
	}
}

func TestMessengerAndHost(t *testing.T) {
	tests := []struct {
		messenger, webhook, problem string
	}{
		{"auto", slack, ""},
		{"slack", slack, ""},
		{"slack", "https://proxy.example.com/hooks/SECRET", ""}, // an unknown host is what an explicit messenger is for
		{"teams", "https://x.environment.api.powerplatform.com/p/SECRET", ""},
		{"teams", "https://contoso.webhook.office.com/webhookb2/SECRET", ""}, // connectors take Adaptive Cards
		{"teams-legacy", "https://contoso.webhook.office.com/webhookb2/SECRET", ""},
		{"teams-legacy", slack, "messenger: teams-legacy cannot post to a slack webhook (host hooks.slack.com)"},
		{"teams", slack, "messenger: teams cannot post to a slack webhook"},
		{"slack", "https://contoso.webhook.office.com/webhookb2/SECRET", "messenger: slack cannot post to a teams-legacy webhook"},
		{"slack", "https://x.environment.api.powerplatform.com/p/SECRET", "messenger: slack cannot post to a teams webhook"},
		{"teams-legacy", "https://x.environment.api.powerplatform.com/p/SECRET", "messenger: teams-legacy cannot post to a teams webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.messenger+" "+tt.webhook, func(t *testing.T) {
			cfg := base(map[string]string{"messenger": tt.messenger, "webhookUrl": tt.webhook})
			if tt.problem == "" {
				mustLoad(t, cfg, "webhookUrl")
				return
			}
			hasProblem(t, problemsOf(t, cfg, "webhookUrl"), tt.problem)
		})
	}
	// The same rule per destination, under the destination's key.
	dests := `[{"name":"a","webhook":"` + slack + `","messenger":"teams"}]`
	hasProblem(t, problemsOf(t, base(map[string]string{"webhookUrl": "", "destinations": dests}), "destinations"),
		"destinations[0].messenger: teams cannot post to a slack webhook")
}

// manyAlarms is an alarms key with n custom alarms, and their ids.
func manyAlarms(n int) (string, []string) {
	var entries, ids []string
	for i := range n {
		entries = append(entries, fmt.Sprintf(`{"kind":"custom","name":"jobs %d","namespace":"App","metric":"Jobs","dimensions":{"Queue":"q%d"},"statistic":"Sum","threshold":1,"operator":"GreaterThanThreshold"}`, i, i))
		ids = append(ids, fmt.Sprintf("jobs-%d", i))
	}
	return "[" + strings.Join(entries, ",") + "]", ids
}

func TestFilterPolicy(t *testing.T) {
	tests := []struct {
		dest Destination
		want string
	}{
		{Destination{MinimumState: "OK"}, `{"$or":[{"NewStateValue":["ALARM","OK"]},{"OldStateValue":["ALARM"]}]}`},
		{Destination{MinimumState: "INSUFFICIENT_DATA"}, ""},
		{Destination{MinimumState: "INSUFFICIENT_DATA", Alarms: []string{"a"}}, `{"AlarmName":["a"]}`},
		{Destination{MinimumState: "ALARM", Alarms: []string{"a", "b"}}, `{"$or":[{"NewStateValue":["ALARM"]},{"OldStateValue":["ALARM"]}],"AlarmName":["a","b"]}`},
	}
	for _, tt := range tests {
		if got := tt.dest.FilterPolicy(); got != tt.want {
			t.Errorf("%+v.FilterPolicy() = %s; want %s", tt.dest, got, tt.want)
		}
	}
}

func TestFilterPolicyCombinations(t *testing.T) {
	tests := []struct {
		minimumState string
		alarms       int
		combinations int
		valid        bool
	}{
		{"OK", 50, 150, true}, // AlarmName × (2 new states + 1 old state)
		{"OK", 51, 153, false},
		{"ALARM", 75, 150, true},
		{"ALARM", 76, 152, false},
		{"INSUFFICIENT_DATA", 150, 150, true}, // no state filter
		{"INSUFFICIENT_DATA", 151, 151, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s with %d alarms", tt.minimumState, tt.alarms), func(t *testing.T) {
			d := Destination{MinimumState: tt.minimumState}
			for i := range tt.alarms {
				d.Alarms = append(d.Alarms, fmt.Sprint("alarm ", i))
			}
			expectEqual(t, "combinations", FilterCombinations(d.filter()), tt.combinations)

			alarms, ids := manyAlarms(tt.alarms)
			refs, _ := json.Marshal(ids)
			dests := `[{"name":"a","webhook":"` + slack + `","minimumState":"` + tt.minimumState + `","alarms":` + string(refs) + `}]`
			cfg := base(map[string]string{"webhookUrl": "", "alarms": alarms, "destinations": dests})
			if tt.valid {
				mustLoad(t, cfg, "destinations")
				return
			}
			hasProblem(t, problemsOf(t, cfg, "destinations"), fmt.Sprintf("destinations[0].alarms: %d alarms with minimumState %s make %d value combinations", tt.alarms, tt.minimumState, tt.combinations))
		})
	}
	// SNS's own example: source × (metricName + metricType × (metricId + spaces)) = 2 × (2 + 1 × (2 + 3)).
	policy := map[string]any{"source": []string{"aws.cloudwatch", "aws.events"}, "$or": []any{
		map[string]any{"metricName": []any{"CPUUtilization", "ReadLatency"}},
		map[string]any{"metricType": []any{"MetricType"}, "$or": []any{map[string]any{"metricId": []any{1234, 4321}}, map[string]any{"spaces": []any{1000, 2000, 3000}}}},
	}}
	expectEqual(t, "SNS example", FilterCombinations(policy), 14)
}

func TestStateFilters(t *testing.T) {
	transitions := [][2]string{{"OK", "ALARM"}, {"INSUFFICIENT_DATA", "ALARM"}, {"ALARM", "OK"}, {"INSUFFICIENT_DATA", "OK"},
		{"ALARM", "INSUFFICIENT_DATA"}, {"OK", "INSUFFICIENT_DATA"}}
	want := map[string]string{ // which of the transitions above each minimumState hears
		"ALARM":             "OK→ALARM INSUFFICIENT_DATA→ALARM ALARM→OK ALARM→INSUFFICIENT_DATA",
		"OK":                "OK→ALARM INSUFFICIENT_DATA→ALARM ALARM→OK INSUFFICIENT_DATA→OK ALARM→INSUFFICIENT_DATA",
		"INSUFFICIENT_DATA": "OK→ALARM INSUFFICIENT_DATA→ALARM ALARM→OK INSUFFICIENT_DATA→OK ALARM→INSUFFICIENT_DATA OK→INSUFFICIENT_DATA",
	}
	for state, heard := range want {
		var got []string
		for _, tr := range transitions {
			if matches(Destination{MinimumState: state}.filter(), map[string]string{"OldStateValue": tr[0], "NewStateValue": tr[1]}) {
				got = append(got, tr[0]+"→"+tr[1])
			}
		}
		expectEqual(t, "minimumState "+state, strings.Join(got, " "), heard)
	}
}

// matches evaluates a filter policy of exact string values on a flat message, as SNS does.
func matches(policy map[string]any, msg map[string]string) bool {
	for key, v := range policy {
		if key == "$or" {
			any := false
			for _, branch := range orBranches(v) {
				any = any || matches(branch, msg)
			}
			if !any {
				return false
			}
			continue
		}
		values, _ := v.([]string)
		found := false
		for _, value := range values {
			found = found || msg[key] == value
		}
		if !found {
			return false
		}
	}
	return true
}

func TestStructuredErrors(t *testing.T) {
	alarms := `[{"kind":"latency","thresholdMs":300,"threshold":"5%","statistic":"p99"},{"kind":"custom"},"latency",{"kind":"errorRate","periodSeconds":"five"}]`
	dests := `[{"name":"team","webhook":"` + slack + `","mentions":"@here, S0123ABCD","trend":"maybe","webhookUrl":"https://hooks.slack.com/services/T/B/SECRETx"}]`
	cfg := base(map[string]string{"webhookUrl": "", "alarms": alarms, "destinations": dests, "periodSeconds": "x"})
	_, err := load(t, "dev", cfg, "destinations")
	var invalid *Error
	if !errors.As(err, &invalid) {
		t.Fatalf("err = %v", err)
	}
	problems := problemsOf(t, cfg, "destinations")
	for _, want := range []string{
		`periodSeconds: "x" is not a whole number`,
		`alarms[0].thresholdMs: unknown field (did you mean threshold?); allowed: kind, name, description, apiName, apiId, stage, statistic, threshold,`,
		`alarms[0].threshold: "5%" is not a number: write a number such as 1200 or 2.5`,
		`alarms[1].namespace: missing: kind custom needs the metric's namespace`,
		`alarms[1].metric: missing`,
		`alarms[1].dimensions: missing`,
		`alarms[1].threshold: missing`,
		`alarms[2]: text is not an object`,
		`alarms[3].periodSeconds: "five" is not a whole number`,
		`destinations[0].trend: "maybe" is not true or false`,
		`destinations[0].webhookUrl: unknown field (did you mean webhook?)`,
	} {
		hasProblem(t, problems, want)
	}
	msg := invalid.Error()
	if !strings.HasPrefix(msg, fmt.Sprintf("invalid configuration for stack \"dev\" (%d problems):\n  - ", len(invalid.Problems))) {
		t.Errorf("header does not count the problems:\n%s", msg)
	}
	if strings.Count(msg, "\n  - ") != len(invalid.Problems) || strings.Contains(msg, "SECRET") {
		t.Errorf("not one line per problem, or a secret shown:\n%s", msg)
	}
	keys := map[string]bool{}
	for _, p := range invalid.Problems {
		if keys[p.Key] {
			t.Errorf("%s reported twice", p.Key)
		}
		keys[p.Key] = true
	}
}

func TestSecretsNeverShown(t *testing.T) {
	tests := map[string]string{
		"webhook of the wrong type": `[{"name":"a","webhook":{"url":"https://hooks.slack.com/services/SECRET"}}]`,
		"webhook as a number":       `[{"name":"a","webhook":12345678}]`,
		"http webhook":              `[{"name":"a","webhook":"http://hooks.slack.com/services/SECRET"}]`,
		"credentials in the URL":    `[{"name":"a","webhook":"https://user:SECRET@hooks.slack.com/x"}]`,
	}
	for name, dests := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := load(t, "dev", base(map[string]string{"webhookUrl": "", "destinations": dests}), "destinations")
			if err == nil || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "12345678") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestMoreLimits(t *testing.T) {
	many := strings.TrimSuffix(strings.Repeat("oncall@contoso.com,", 120), ",")
	hasProblem(t, problemsOf(t, base(map[string]string{"mentions": many}), "webhookUrl"), "mentions: 2279 bytes of mentions")
	hasProblem(t, problemsOf(t, base(map[string]string{"apiStage": "pr\tod"}), "webhookUrl"), `apiStage: "pr\tod" holds a control character`)
	hasProblem(t, problemsOf(t, base(map[string]string{"alarms": `[{"kind":"latency","stage":"a\u0007b"}]`}), "webhookUrl"), `alarms[0].stage: "a\ab" holds a control character`)
	dims := map[string]string{}
	for i := range 31 {
		dims[fmt.Sprint("D", i)] = "v"
	}
	data, _ := json.Marshal(dims)
	alarms := `[{"kind":"custom","namespace":"N","metric":"M","statistic":"Sum","threshold":1,"operator":"GreaterThanThreshold","dimensions":` + string(data) + `}]`
	hasProblem(t, problemsOf(t, base(map[string]string{"alarms": alarms}), "webhookUrl"), "alarms[0].dimensions: 31 dimensions: a CloudWatch metric has at most 30")
}

func TestLenientValues(t *testing.T) {
	// What `pulumi config set --path` writes: "1200" becomes a number, "2.5" and "0123" stay text.
	alarms := `[{"kind":"latency","threshold":"2.5","periodSeconds":"120","stage":2024},{"kind":"errorRate","threshold":7}]`
	for _, mentions := range []string{`["@here","S0123ABCD"]`, `"@here, S0123ABCD"`} {
		dests := `[{"name":"0123","webhook":"` + slack + `","mentions":` + mentions + `,"trend":"false","alarms":"orders-api-2024-latency"}]`
		s := mustLoad(t, base(map[string]string{"webhookUrl": "", "alarms": alarms, "destinations": dests}), "destinations")
		a := s.Alarms[0]
		expectEqual(t, "threshold", a.Threshold, 2.5)
		expectEqual(t, "period", a.PeriodSeconds, 120)
		expectEqual(t, "stage", a.Stage, "2024")
		d := s.Destinations[0]
		expectEqual(t, "name", d.Name, "0123")
		expectEqual(t, "mentions", d.Mentions, "@here,S0123ABCD")
		expectEqual(t, "trend", d.Trend, false)
		expectEqual(t, "alarms", strings.Join(d.Alarms, ","), "orders-api 2024 latency (alarm-relay/dev)")
	}
}

func TestDestinationsOnly(t *testing.T) {
	// The declared default of webhookUrl is "", as the CLI hands it to a stack that sets none.
	dests := `[{"name":"team","webhook":"` + slack + `"}]`
	s := mustLoad(t, base(map[string]string{"webhookUrl": Defaults[WebhookKey], "destinations": dests}), "destinations")
	expectEqual(t, "destinations", len(s.Destinations), 1)
	hasProblem(t, problemsOf(t, base(map[string]string{"destinations": dests}), "destinations", "webhookUrl"),
		"webhookUrl: set webhookUrl (one destination) or destinations, not both")
}

// TestAlarmsKeepOffHealthAlarmNames: an alarm may not take the CloudWatch name of a relay's health
// alarm; two resources would define one alarm.
func TestAlarmsKeepOffHealthAlarmNames(t *testing.T) {
	team := `[{"name":"team","webhook":"` + slack + `"}]`
	latency := `[{"name":"latency","webhook":"` + slack + `"}]`
	for _, tt := range []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"entry, webhookUrl", map[string]string{"alarms": `[{"kind":"latency","name":"alarm relay failing"}]`},
			`alarms[0].name: would make the CloudWatch alarm "alarm relay failing (alarm-relay/dev)", the name of the webhookUrl destination's relay health alarm`},
		{"entry, destination", map[string]string{"webhookUrl": "", "destinations": team, "alarms": `[{"kind":"latency"},{"kind":"errorRate","name":"alarm relay dead letters team"}]`},
			`alarms[1].name: would make the CloudWatch alarm "alarm relay dead letters team (alarm-relay/dev)", the name of destination team's relay health alarm`},
		{"single alarm", map[string]string{"webhookUrl": "", "destinations": latency, "apiName": "alarm relay failing", "apiStage": ""},
			`apiName: would make the CloudWatch alarm "alarm relay failing latency (alarm-relay/dev)", the name of destination latency's relay health alarm`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			secret := "webhookUrl"
			if _, ok := tt.config["destinations"]; ok {
				secret = "destinations"
			}
			hasProblem(t, problemsOf(t, base(tt.config), secret), tt.want)
		})
	}
	failing, deadLetters := HealthAlarmNames(project, "dev", "team")
	expectEqual(t, "health alarms", failing+"; "+deadLetters, "alarm relay failing team (alarm-relay/dev); alarm relay dead letters team (alarm-relay/dev)")
	mustLoad(t, base(map[string]string{"alarms": `[{"kind":"latency","name":"alarm relay failing team"}]`}), "webhookUrl") // no destination team here
}

// TestReservedDestinationNames: destination "alarm" would share the alarms' resource names
// ("alarm-relay-alarm-relay-errors" is its relay's errors alarm and the alarm "relay errors"), and
// so would "alarm-x" (with the alarm "x relay errors").
func TestReservedDestinationNames(t *testing.T) {
	for name, reserved := range map[string]bool{"alarm": true, "alarm-x": true, "alarm-": true, "alarms": false, "alarmx": false, "x-alarm": false} {
		cfg := base(map[string]string{"webhookUrl": "", "alarms": `[{"kind":"latency","name":"relay errors"},{"kind":"errorRate","name":"x relay errors"}]`,
			"destinations": `[{"name":"` + name + `","webhook":"` + slack + `"}]`})
		if reserved {
			hasProblem(t, problemsOf(t, cfg, "destinations"), `destinations[0].name: "`+name+`" is reserved`)
		} else {
			mustLoad(t, cfg, "destinations")
		}
	}
}

func TestAliasesOfTheSingleAlarm(t *testing.T) {
	single := mustLoad(t, base(nil), "webhookUrl").Alarms[0]
	list := mustLoad(t, base(map[string]string{"alarms": `[{"kind":"errorRate"},{"kind":"latency"}]`}), "webhookUrl").Alarms
	expectEqual(t, "same CloudWatch name", list[1].Name, single.Name)
	expectEqual(t, "list alarm aliases the single alarm", list[1].FormerShorthand, true)
	expectEqual(t, "only that one", list[0].FormerShorthand, false)
	expectEqual(t, "single alarm aliases the list alarm", strings.Join(single.FormerIDs, ","), list[1].ID)

	korean := mustLoad(t, base(map[string]string{"alarms": `[{"kind":"latency","name":"주문 API 지연"}]`}), "webhookUrl").Alarms[0]
	expectEqual(t, "earlier id of a Korean name", strings.Join(korean.FormerIDs, ","), "api")
}

func expectEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// FuzzStructuredKeys: whatever the alarms and destinations keys hold, reading them never panics,
// and a problem never shows the webhook.
func FuzzStructuredKeys(f *testing.F) {
	f.Add(`[{"kind":"latency","threshold":"5%","thresholdMs":1}]`, `[{"name":"a","webhook":"`+slack+`","mentions":"@here"}]`)
	f.Add(`[{"kind":"custom","dimensions":{"":1},"periodSeconds":1e9}]`, `[{"name":7,"webhook":["`+slack+`"]}]`)
	f.Add(`[null, 1, "x", [], {}]`, `{"name":"a"}`)
	f.Add(`[{"kind":"trafficSurge","stage":null,"name":"🔥\u0000"}]`, `[{"name":"a","webhook":"`+slack+`","alarms":"x, y","trend":"yes"}]`)
	f.Fuzz(func(t *testing.T, alarms, destinations string) {
		_, err := load(t, "dev", base(map[string]string{"webhookUrl": "", "alarms": alarms, "destinations": destinations}), "destinations")
		if err == nil {
			return
		}
		var entries []map[string]json.RawMessage
		_ = json.Unmarshal([]byte(destinations), &entries)
		for _, e := range entries {
			hook := strings.Trim(string(e["webhook"]), `"`)
			// A webhook written only in its own field must not come back in a problem.
			if strings.Contains(hook, "SECRET") && strings.Count(alarms+destinations, hook) == 1 && strings.Contains(err.Error(), hook) {
				t.Errorf("a problem shows the webhook %q: %v", hook, err)
			}
		}
	})
}
