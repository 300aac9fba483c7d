package program

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/pulumimock"
)

const hook = "https://hooks.slack.com/services/T0SECRET/B0SECRET/programSECRET"

var relay = sync.OnceValues(func() (build.Artifact, error) {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		return build.Artifact{}, err
	}
	return build.Cached(ctx, root, "arm64")
})

// declared runs the program with the stack configuration config (project keys, all secret as
// `pulumi config set --secret --path` leaves the lists) and returns every resource's type, name
// and inputs, in order of name.
func declared(t *testing.T, config map[string]string) []string {
	t.Helper()
	full := map[string]string{"aws:region": "us-east-1", "alarm-relay:checkApis": "false"}
	var secret []string
	for k, v := range config {
		full["alarm-relay:"+k] = v
		secret = append(secret, "alarm-relay:"+k)
	}
	cfg, _ := json.Marshal(full)
	keys, _ := json.Marshal(secret)
	t.Setenv(pulumi.EnvConfig, string(cfg))
	t.Setenv(pulumi.EnvConfigSecretKeys, string(keys))
	m := &pulumimock.Provider{}
	if err := pulumi.RunErr(Run(relay), pulumi.WithMocks("alarm-relay", "dev", m)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range m.Resources() {
		inputs, _ := json.Marshal(r.Inputs.Mappable())
		out = append(out, r.TypeToken+" "+r.Name+" "+string(inputs))
	}
	sort.Strings(out)
	return out
}

// TestListsReadAsSettingsReadThem: the configuration's lists are read leniently (a number as
// text, text as a number or true/false, a comma-separated text as a list, stage: null as no
// stage); the Args the program makes of them declare exactly what their plain forms declare.
func TestListsReadAsSettingsReadThem(t *testing.T) {
	plain := map[string]string{
		"apiName": "orders-api", "apiStage": "prod",
		"alarms": `[{"kind": "latency", "threshold": 2.5, "periodSeconds": 60, "evaluationPeriods": 3, "datapointsToAlarm": 2},
			{"kind": "errorRate", "name": "123", "stage": ""},
			{"kind": "custom", "namespace": "Shop", "metric": "Orders", "statistic": "Sum", "threshold": 1, "operator": "LessThanThreshold", "dimensions": {"shopId": "42"}}]`,
		"destinations": `[{"name": "team", "webhook": "` + hook + `", "mentions": ["@here", "S0123ABCD"], "trend": false, "remindEveryMinutes": 0,
			"maintenanceWindows": [{"name": "sunday", "days": ["Sun", "Sat"], "start": "02:00", "durationMinutes": 120, "timezone": "Asia/Seoul"}]},
			{"name": "ops", "webhook": "` + hook + `ops", "minimumState": "ALARM", "maintenanceWindows": [], "overflowWindowSeconds": 20}]`,
		"maintenanceWindows": `[{"name": "nightly", "days": ["Mon"], "start": "01:00", "durationMinutes": 30, "timezone": "UTC"}]`,
	}
	lenient := map[string]string{
		"apiName": "orders-api", "apiStage": "prod",
		"alarms": `[{"kind": "latency", "threshold": "2.5", "periodSeconds": "60", "evaluationPeriods": "3", "datapointsToAlarm": "2"},
			{"kind": "errorRate", "name": 123, "stage": null},
			{"kind": "custom", "namespace": "Shop", "metric": "Orders", "statistic": "Sum", "threshold": "1", "operator": "LessThanThreshold", "dimensions": {"shopId": 42}}]`,
		"destinations": `[{"name": "team", "webhook": "` + hook + `", "mentions": "@here, S0123ABCD", "trend": "false", "remindEveryMinutes": "0",
			"maintenanceWindows": [{"name": "sunday", "days": "Sun, Sat", "start": "02:00", "durationMinutes": "120", "timezone": "Asia/Seoul"}]},
			{"name": "ops", "webhook": "` + hook + `ops", "minimumState": "ALARM", "maintenanceWindows": [], "overflowWindowSeconds": "20"}]`,
		"maintenanceWindows": `[{"name": "nightly", "days": "Mon", "start": "01:00", "durationMinutes": "30", "timezone": "UTC"}]`,
	}
	want, got := declared(t, plain), declared(t, lenient)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("lenient forms declare\n  %s\nwhere the plain ones declare\n  %s", got[i], want[i])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d resources, want %d", len(got), len(want))
		}
	}
	// The stage: "" alarm watches the whole API; the others the top-level stage.
	stages := 0
	for _, r := range want {
		if strings.HasPrefix(r, "aws:cloudwatch/metricAlarm:MetricAlarm") && strings.Contains(r, `"Stage":"prod"`) {
			stages++
		}
	}
	if stages != 1 {
		t.Errorf("%d alarms watch Stage prod, want 1 (the latency alarm; the error rate's stage is \"\")", stages)
	}
}
