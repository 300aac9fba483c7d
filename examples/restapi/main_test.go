package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/alarmrelay"
	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/pulumimock"
)

// apiName is the name the mocked provider gives the REST API: the program never writes it, so an
// alarm that watches it took it from the API's output.
const apiName = "orders-7f3a9c1"

// deploy runs the example under mocks with a webhook secret and a region, as `pulumi up` would.
func deploy(t *testing.T) *pulumimock.Provider {
	t.Helper()
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	relay, err := build.Cached(ctx, root, "arm64") // outside the module: go test can cache this test
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]string{
		"aws:region":                "us-east-1",
		"restapi-alerts:webhookUrl": "https://hooks.slack.com/services/T0SECRET/B0SECRET/exampleSECRET",
	})
	t.Setenv(pulumi.EnvConfig, string(cfg))
	t.Setenv(pulumi.EnvConfigSecretKeys, `["restapi-alerts:webhookUrl"]`)
	// The provider names the REST API itself, as AWS would.
	m := &pulumimock.Provider{Names: map[string]string{"aws:apigateway/restApi:RestApi": apiName}}
	if err := pulumi.RunErr(program(relay.ZipPath), pulumi.WithMocks("restapi-alerts", "dev", m)); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAlarmsWatchTheAPIItCreates: the component's alarms take the REST API's name from its output
// (the name the provider gave it), and are named after the label, which is known at preview.
func TestAlarmsWatchTheAPIItCreates(t *testing.T) {
	m := deploy(t)
	apis := m.ByType("aws:apigateway/restApi:RestApi")
	if len(apis) != 1 {
		t.Fatalf("%d REST APIs, want 1", len(apis))
	}
	alarms := m.ByType("aws:cloudwatch/metricAlarm:MetricAlarm")
	watched := map[string]bool{} // CloudWatch names of the alarms on the API
	for _, a := range alarms {
		name := a.Inputs["name"].StringValue()
		var dims []resource.PropertyMap
		if d, ok := a.Inputs["dimensions"]; ok {
			dims = append(dims, d.ObjectValue())
		}
		if q, ok := a.Inputs["metricQueries"]; ok { // errorRate: metric math over two metrics
			for _, query := range q.ArrayValue() {
				if metric, ok := query.ObjectValue()["metric"]; ok {
					dims = append(dims, metric.ObjectValue()["dimensions"].ObjectValue())
				}
			}
		}
		for _, d := range dims {
			ns := ""
			if v, ok := a.Inputs["namespace"]; ok {
				ns = v.StringValue()
			}
			if _, onAPI := d["ApiName"]; !onAPI {
				continue // the relay's own health alarms watch Lambda and SQS
			}
			if got := d["ApiName"].StringValue(); got != apiName {
				t.Errorf("alarm %q watches ApiName %q, want the REST API's name %q", name, got, apiName)
			}
			if got := d["Stage"].StringValue(); got != stage {
				t.Errorf("alarm %q watches Stage %q, want %q (%s)", name, got, stage, ns)
			}
			watched[name] = true
		}
		// The alarm waits for the API: its dimension is the API's output.
		if watched[name] && !dependsOn(a, apis[0]) {
			t.Errorf("alarm %q does not depend on the REST API: %v", name, a.RegisterRPC.GetPropertyDependencies())
		}
	}
	for _, want := range []string{"orders prod p99 latency (restapi-alerts/dev)", "orders prod 5XX error rate (restapi-alerts/dev)"} {
		if !watched[want] {
			t.Errorf("no alarm %q on the API; alarms on it: %v", want, watched)
		}
	}
	if len(watched) != 2 {
		t.Errorf("%d alarms on the API, want 2: %v", len(watched), watched)
	}
}

// TestTheComponentDeclaresTheRelay: the main resources exist, under the component.
func TestTheComponentDeclaresTheRelay(t *testing.T) {
	m := deploy(t)
	components := m.ByType(alarmrelay.Type)
	if len(components) != 1 || components[0].Name != "orders-alerts" {
		t.Fatalf("components %v, want one named orders-alerts", components)
	}
	component := "::" + alarmrelay.Type + "::orders-alerts"
	for token, want := range map[string]int{
		"aws:sns/topic:Topic":                         2, // alarms, and the relay's health
		"aws:lambda/function:Function":                1,
		"aws:sns/topicSubscription:TopicSubscription": 1,
		"aws:ssm/parameter:Parameter":                 1,
		"aws:sqs/queue:Queue":                         2, // dead letters, overflow
		"aws:cloudwatch/logGroup:LogGroup":            1,
		"aws:lambda/permission:Permission":            1,
	} {
		rs := m.ByType(token)
		if len(rs) != want {
			t.Errorf("%d of %s, want %d", len(rs), token, want)
		}
		for _, r := range rs {
			if !strings.HasSuffix(r.RegisterRPC.GetParent(), component) {
				t.Errorf("%s %s has parent %q, not the component", token, r.Name, r.RegisterRPC.GetParent())
			}
		}
	}
	fn := m.ByType("aws:lambda/function:Function")
	if len(fn) == 1 {
		if arch := fn[0].Inputs["architectures"].ArrayValue(); len(arch) != 1 || arch[0].StringValue() != "arm64" {
			t.Errorf("relay architectures %v, want [arm64]", arch)
		}
	}
	params := m.ByType("aws:ssm/parameter:Parameter")
	if len(params) == 1 && !params[0].Inputs["value"].IsSecret() {
		t.Errorf("the webhook parameter's value is not a secret")
	}
}

func dependsOn(r, on pulumi.MockResourceArgs) bool {
	for _, deps := range r.RegisterRPC.GetPropertyDependencies() {
		for _, urn := range deps.GetUrns() {
			if strings.HasSuffix(urn, "::"+on.Name) && strings.Contains(urn, on.TypeToken) {
				return true
			}
		}
	}
	for _, urn := range r.RegisterRPC.GetDependencies() {
		if strings.HasSuffix(urn, "::"+on.Name) && strings.Contains(urn, on.TypeToken) {
			return true
		}
	}
	return false
}
