package alarmrelay

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/pulumimock"
)

const (
	hook  = "https://hooks.slack.com/services/T0SECRET/B0SECRET/componentSECRET"
	token = "xoxb-1-componentSECRET"
)

var relayZip = sync.OnceValues(func() (string, error) {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	art, err := build.Cached(ctx, root, "arm64")
	return art.ZipPath, err
})

// run declares the components program makes, under mocks, in a stack with aws:region set.
func run(t *testing.T, program func(ctx *pulumi.Context) error, opts ...pulumi.RunOption) (*pulumimock.Provider, error) {
	t.Helper()
	t.Setenv(pulumi.EnvConfig, `{"aws:region": "us-east-1"}`)
	t.Setenv(pulumi.EnvConfigSecretKeys, `[]`)
	m := &pulumimock.Provider{}
	err := pulumi.RunErr(program, append([]pulumi.RunOption{pulumi.WithMocks("orders", "prod", m)}, opts...)...)
	return m, err
}

// refusal declares New(ctx, "orders-alerts", args) under mocks (args may first declare what the
// Args refer to: a REST API) and returns why New refused them; the test stops unless New
// returned an *Error.
func refusal(t *testing.T, args func(ctx *pulumi.Context) (*Args, error)) (*Error, *pulumimock.Provider) {
	t.Helper()
	var got error
	m, err := run(t, func(ctx *pulumi.Context) error {
		a, err := args(ctx)
		if err != nil {
			return err
		}
		_, got = New(ctx, "orders-alerts", a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var invalid *Error
	if !errors.As(got, &invalid) {
		t.Fatalf("New: %v, want an *Error", got)
	}
	return invalid, m
}

func zip(t *testing.T) string {
	t.Helper()
	z, err := relayZip()
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func secretOf(s string) pulumi.StringInput {
	return pulumi.ToSecret(pulumi.String(s)).(pulumi.StringOutput)
}

// TestProblemsNameArgsFields: every problem of Args is reported at once, under the field's Go
// name, with no secret in the message, and nothing is declared.
func TestProblemsNameArgsFields(t *testing.T) {
	invalid, m := refusal(t, func(*pulumi.Context) (*Args, error) {
		return &Args{
			APIName:    pulumi.String("orders-api"),
			MemoryMB:   64,
			Timezone:   "Mars/Olympus",
			Alarms:     []Alarm{{Kind: "latency", Threshold: ptr(-1.0)}, {Kind: "custom", Namespace: "Shop", Metric: "Orders", Dimensions: map[string]string{"shopId": " "}}},
			WebhookURL: secretOf(hook),
			Destinations: []Destination{
				{Name: "Team A", Webhook: secretOf("http://" + strings.TrimPrefix(hook, "https://"))},
				{Name: "oncall", SlackToken: secretOf("xoxp-" + token), SlackChannel: "general"},
			},
			MaintenanceWindows: []MaintenanceWindow{{Name: "sunday", Days: []string{"Sun"}, Start: "25:00", DurationMinutes: 60, Timezone: "UTC"}},
			RelayZip:           "/nonexistent/relay.zip", // never read: the Args are refused first
		}, nil
	})
	got := invalid.Error()
	fields := map[string]string{}
	for _, p := range invalid.Problems {
		fields[p.Field] = p.Message
	}
	for _, want := range []string{"MemoryMB", "Timezone", "Alarms[0].Threshold", "WebhookURL", "Destinations[0].Name", "Destinations[0].Webhook",
		"Destinations[1].SlackToken", "Destinations[1].SlackChannel", "MaintenanceWindows[0].Start"} {
		if _, ok := fields[want]; !ok {
			t.Errorf("no problem for %s; problems:\n%v", want, got)
		}
	}
	for field := range fields {
		if strings.ContainsAny(field, ":") || field != "" && strings.ToUpper(field[:1]) != field[:1] {
			t.Errorf("problem under %q, not an Args field", field)
		}
	}
	if strings.Contains(got, "SECRET") {
		t.Errorf("a secret is in the error:\n%v", got)
	}
	if !strings.HasPrefix(got, "alarmrelay orders-alerts: invalid Args (") {
		t.Errorf("error %q does not say which component", got)
	}
	if len(m.Resources()) != 0 {
		t.Errorf("%d resources declared for invalid Args", len(m.Resources()))
	}
}

func TestFieldOf(t *testing.T) {
	for key, want := range map[string]string{
		"aws:region":                  "Region",
		"apiName":                     "APIName",
		"memoryMb":                    "MemoryMB",
		"webhookUrl":                  "WebhookURL",
		"runbookUrl":                  "RunbookURL",
		"latencyThresholdMs":          "LatencyThresholdMs",
		"alarms[2].apiId":             "Alarms[2].APIID",
		"alarms[0].dimensions.shopId": "Alarms[0].Dimensions.shopId",
		"destinations[1].maintenanceWindows[0].days": "Destinations[1].MaintenanceWindows[0].Days",
		"destinations[0].overflowWindowSeconds":      "Destinations[0].OverflowWindowSeconds",
	} {
		if got := fieldOf(key); got != want {
			t.Errorf("fieldOf(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestAPINameOutput: an output names the API in the dimension only; the alarm names come from
// the label (APILabel, or the component's name), since they must be known at preview. A plain
// name does both, as the program's apiName does.
func TestAPINameOutput(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      func(api *apigateway.RestApi) *Args
		alarm     string
		dimension string
	}{
		{"plain", func(*apigateway.RestApi) *Args { return &Args{APIName: pulumi.String("orders-api")} }, "orders-api prod latency (orders/prod)", "orders-api"},
		{"output", func(api *apigateway.RestApi) *Args { return &Args{APIName: api.Name} }, "orders-alerts prod latency (orders/prod)", "orders-7f3a"},
		{"output, label", func(api *apigateway.RestApi) *Args { return &Args{APIName: api.Name, APILabel: "orders"} }, "orders prod latency (orders/prod)", "orders-7f3a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := run(t, func(ctx *pulumi.Context) error {
				api, err := apigateway.NewRestApi(ctx, "api", &apigateway.RestApiArgs{Name: pulumi.String("orders-7f3a")})
				if err != nil {
					return err
				}
				args := tt.args(api)
				args.APIStage, args.WebhookURL, args.RelayZip = "prod", secretOf(hook), zip(t)
				_, err = New(ctx, "orders-alerts", args)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range m.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				if a.Name != "orders-alerts-latency" {
					continue
				}
				if got := a.Inputs["name"].StringValue(); got != tt.alarm {
					t.Errorf("alarm %q, want %q", got, tt.alarm)
				}
				if got := a.Inputs["dimensions"].ObjectValue()["ApiName"].StringValue(); got != tt.dimension {
					t.Errorf("ApiName %q, want %q", got, tt.dimension)
				}
				return
			}
			t.Fatal("no alarm orders-alerts-latency")
		})
	}
}

// TestSecretNotKnownIsRefused: a webhook that is another resource's output, unknown at preview,
// cannot be checked nor stored: it is refused by name.
func TestSecretNotKnownIsRefused(t *testing.T) {
	var got error
	_, err := run(t, func(ctx *pulumi.Context) error {
		api, err := apigateway.NewRestApi(ctx, "api", nil)
		if err != nil {
			return err
		}
		_, got = New(ctx, "orders-alerts", &Args{APIName: pulumi.String("orders-api"), WebhookURL: api.ExecutionArn, RelayZip: zip(t)})
		return nil
	}, func(info *pulumi.RunInfo) { info.DryRun = true })
	if err != nil {
		t.Fatal(err)
	}
	var invalid *Error
	if !errors.As(got, &invalid) || len(invalid.Problems) != 1 || invalid.Problems[0].Field != "WebhookURL" || !strings.Contains(invalid.Problems[0].Message, "not known") {
		t.Fatalf("New: %v, want one problem: WebhookURL is not known", got)
	}
}

// TestOnePerStack: a second component in the stack would declare the first one's AWS names.
func TestOnePerStack(t *testing.T) {
	var second error
	_, err := run(t, func(ctx *pulumi.Context) error {
		args := &Args{APIName: pulumi.String("orders-api"), WebhookURL: secretOf(hook), RelayZip: zip(t)}
		if _, err := New(ctx, "a", args); err != nil {
			return err
		}
		_, second = New(ctx, "b", args)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if second == nil || !strings.Contains(second.Error(), "one AlarmRelay") {
		t.Fatalf("second New: %v, want refused", second)
	}
}

// TestOutputsListEveryAlarmAndRelay: the component's lists hold one entry for the single alarm
// and webhook (the program's stack outputs leave them out then), and every one with several.
func TestOutputsListEveryAlarmAndRelay(t *testing.T) {
	var single, several *AlarmRelay
	_, err := run(t, func(ctx *pulumi.Context) (err error) {
		single, err = New(ctx, "orders-alerts", &Args{APIName: pulumi.String("orders-api"), WebhookURL: secretOf(hook), RelayZip: zip(t)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = run(t, func(ctx *pulumi.Context) (err error) {
		several, err = New(ctx, "orders-alerts", &Args{APIName: pulumi.String("orders-api"), RelayZip: zip(t),
			Alarms:       []Alarm{{Kind: "latency"}, {Kind: "errorRate"}},
			Destinations: []Destination{{Name: "team", Webhook: secretOf(hook)}, {Name: "oncall", SlackToken: secretOf(token), SlackChannel: "C0123ABCDEF"}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		r                          *AlarmRelay
		alarms, functions, replays int
	}{{single, 1, 1, 1}, {several, 2, 2, 2}} {
		if tt.r.AlarmNames.OutputState == nil || tt.r.FunctionNames.OutputState == nil || tt.r.LogGroupNames.OutputState == nil || tt.r.ReplayCommands.OutputState == nil {
			t.Fatalf("lists unset: %+v", tt.r)
		}
	}
	if several.StateTable.OutputState == nil || several.SlackTokenParameter.OutputState == nil || several.WebhookParameter.OutputState == nil {
		t.Error("a Slack app and a webhook destination, but StateTable, SlackTokenParameter or WebhookParameter unset")
	}
	if single.StateTable.OutputState != nil || single.SlackTokenParameter.OutputState != nil {
		t.Error("no Slack app, but StateTable or SlackTokenParameter set")
	}
}

// TestRelayZip: a zip given is deployed as it is (its hash computed); a missing one is named.
func TestRelayZip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "relay.zip")
	if err := os.WriteFile(path, []byte("zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("zip"))
	art, err := artifact(context.Background(), path)
	if err != nil || art.ZipPath != path || art.SHA256 != base64.StdEncoding.EncodeToString(sum[:]) || art.Size != 3 {
		t.Errorf("artifact(%s) = %+v, %v", path, art, err)
	}
	if _, err := artifact(context.Background(), filepath.Join(dir, "missing.zip")); err == nil || !strings.HasPrefix(err.Error(), "RelayZip: ") {
		t.Errorf("a missing zip: %v, want a RelayZip problem", err)
	}
}

// TestSourceRootIsThisModule: inside alarm-relay the relay's source is the module being built
// (so the program keeps building into .build as before).
func TestSourceRootIsThisModule(t *testing.T) {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir, own, err := sourceRoot(ctx)
	if err != nil || dir != root || !own {
		t.Errorf("sourceRoot() = %s, %v, %v; want %s, true", dir, own, err, root)
	}
}

func ptr[T any](v T) *T { return &v }

// TestSourceRootOfAnImporter: in another program's module the relay's source is this module's
// directory as that module resolves it (here a replace; usually the module cache), and it is
// not the program's own module (so the zip goes to the user cache, not into the source).
func TestSourceRootOfAnImporter(t *testing.T) {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	importer := t.TempDir()
	gomod := "module example.com/importer\n\ngo 1.26\n\nrequire " + modulePath + " v0.0.0\n\nreplace " + modulePath + " => " + root + "\n"
	if err := os.WriteFile(filepath.Join(importer, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(importer)
	t.Setenv("GOFLAGS", "-mod=mod") // no go.sum in the test's module; nothing is downloaded
	t.Setenv("GOPROXY", "off")
	dir, own, err := sourceRoot(ctx)
	if err != nil || dir != root || own {
		t.Errorf("sourceRoot() = %s, %v, %v; want %s, false", dir, own, err, root)
	}
}
