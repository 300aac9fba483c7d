package stack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// TestOverflowResources: a webhook destination's overflow queue (encrypted, redriving to the
// destination's dead-letter queue after 5 receives, visible again only after 6x the function's
// timeout plus the window), the mapping (batch size, window, maximum concurrency 2, partial batch
// failures) after the policy that lets it read, and a policy on the function's role that grants
// the overflow queue and nothing else.
func TestOverflowResources(t *testing.T) {
	m, _ := deployDev(t, map[string]string{"timeoutSeconds": "40"})
	q := m.named(t, "alarm-relay-overflow").Inputs
	expect(t, "sqsManagedSseEnabled", q["sqsManagedSseEnabled"].BoolValue(), true)
	expect(t, "messageRetentionSeconds", num(t, q, "messageRetentionSeconds"), 4*24*3600)
	expect(t, "visibilityTimeoutSeconds", num(t, q, "visibilityTimeoutSeconds"), 6*40+2)
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(str(t, q, "redrivePolicy")), &redrive); err != nil {
		t.Fatal(err)
	}
	expect(t, "redrive target", redrive.DeadLetterTargetArn, "arn:aws:sqs:us-east-1:123456789012:alarm-relay-dead-letters")
	expect(t, "maxReceiveCount", redrive.MaxReceiveCount, 5)

	mapping := m.one(t, "aws:lambda/eventSourceMapping:EventSourceMapping")
	in := mapping.Inputs
	expect(t, "eventSourceArn", str(t, in, "eventSourceArn"), "arn:aws:sqs:us-east-1:123456789012:alarm-relay-overflow")
	expect(t, "functionName", str(t, in, "functionName"), "arn:aws:lambda:us-east-1:123456789012:function:alarm-relay-dev-relay")
	expect(t, "batchSize", num(t, in, "batchSize"), 50)
	expect(t, "maximumBatchingWindowInSeconds", num(t, in, "maximumBatchingWindowInSeconds"), 2)
	expect(t, "maximumConcurrency", num(t, object(t, in, "scalingConfig"), "maximumConcurrency"), 2)
	expect(t, "functionResponseTypes", strings.Join(strings1(t, in, "functionResponseTypes"), ","), "ReportBatchItemFailures")
	deps := strings.Join(mapping.RegisterRPC.GetDependencies(), " ")
	if !strings.Contains(deps, "alarm-relay-overflow-policy") {
		t.Errorf("the mapping does not wait for the policy that lets it read the queue: depends on %s", deps)
	}

	policy := m.named(t, "alarm-relay-overflow-policy").Inputs
	expect(t, "policy's role", str(t, policy, "role"), "alarm-relay-role")
	var doc struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(str(t, policy, "policy")), &doc); err != nil {
		t.Fatal(err)
	}
	granted := map[string]string{}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("statement %+v: want Allow", s)
		}
		for _, a := range s.Action {
			granted[a] += strings.Join(s.Resource, ",") + ";"
		}
	}
	queue := "arn:aws:sqs:us-east-1:123456789012:alarm-relay-overflow;"
	want := map[string]string{"sqs:SendMessage": queue, "sqs:GetQueueAttributes": queue + queue, "sqs:ReceiveMessage": queue, "sqs:DeleteMessage": queue,
		"cloudwatch:DescribeAlarms": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*;"}
	if fmt.Sprint(granted) != fmt.Sprint(want) {
		t.Errorf("overflow policy grants %v, want %v", granted, want)
	}
	if _, err := OverflowPolicy("https://sqs.us-east-1.amazonaws.com/123456789012/q"); err == nil {
		t.Error("OverflowPolicy takes a queue URL for an ARN")
	}
}

// TestOverflowPerDestination: each destination has its own queue and window, a Slack app
// destination too; each function's policy grants its own queue only.
func TestOverflowPerDestination(t *testing.T) {
	m := deployWith(t, map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `, "overflowWindowSeconds": 20}, {"name": "ops", ` + opsHook + `}, {"name": "oncall", ` + oncallApp + `}]`}, "destinations")
	expect(t, "mappings", len(m.byType("aws:lambda/eventSourceMapping:EventSourceMapping")), 3)
	expect(t, "team window", num(t, m.named(t, "alarm-relay-team-overflow-mapping").Inputs, "maximumBatchingWindowInSeconds"), 20)
	expect(t, "team visibility", num(t, m.named(t, "alarm-relay-team-overflow").Inputs, "visibilityTimeoutSeconds"), 6*30+20)
	expect(t, "ops window", num(t, m.named(t, "alarm-relay-ops-overflow-mapping").Inputs, "maximumBatchingWindowInSeconds"), 2)
	oncall := m.named(t, "alarm-relay-oncall-overflow-mapping").Inputs
	expect(t, "oncall window", num(t, oncall, "maximumBatchingWindowInSeconds"), 2)
	expect(t, "oncall queue", str(t, oncall, "eventSourceArn"), "arn:aws:sqs:us-east-1:123456789012:alarm-relay-oncall-overflow")
	expect(t, "oncall function", str(t, oncall, "functionName"), "arn:aws:lambda:us-east-1:123456789012:function:alarm-relay-dev-oncall-1ce0b752-relay")
	expect(t, "oncall functionResponseTypes", strings.Join(strings1(t, oncall, "functionResponseTypes"), ","), "ReportBatchItemFailures")
	expect(t, "oncall visibility", num(t, m.named(t, "alarm-relay-oncall-overflow").Inputs, "visibilityTimeoutSeconds"), 6*30+2)
	env := object(t, object(t, m.named(t, "alarm-relay-oncall-function").Inputs, "environment"), "variables")
	expect(t, "oncall OVERFLOW_QUEUE_URL", str(t, env, "OVERFLOW_QUEUE_URL"), "https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-oncall-overflow")
	policy := m.named(t, "alarm-relay-oncall-overflow-policy").Inputs
	expect(t, "oncall policy's role", str(t, policy, "role"), "alarm-relay-oncall-role")
	if doc := str(t, policy, "policy"); !strings.Contains(doc, "alarm-relay-oncall-overflow") || strings.Contains(doc, "alarm-relay-team-overflow") || strings.Contains(doc, "alarm-relay-ops-overflow") {
		t.Errorf("the Slack app function's overflow policy grants other queues than its own: %s", doc)
	}
}

// TestOverflowJoinsExistingStacks: `pulumi up` of a stack deployed before the overflow existed
// (the program declaring as it did then), or when only webhook destinations had one, keeps every
// resource under its URN with its inputs, except the functions' environment, which gains the
// queue's URL (an in-place update of the function's configuration, no replacement), and adds per
// destination the queue, its policy and its mapping, nothing else.
func TestOverflowJoinsExistingStacks(t *testing.T) {
	for _, tt := range []struct {
		name   string
		before *bool // the declaration of before to compare with
		deploy func(t *testing.T) *mocks
		added  []string
	}{
		{"default stack", &declareAsBeforeOverflow, func(t *testing.T) *mocks {
			m, _ := deployDev(t, map[string]string{"alertEmail": "oncall@example.com"})
			return m
		}, []string{"alarm-relay-overflow", "alarm-relay-overflow-mapping", "alarm-relay-overflow-policy"}},
		{"webhook and Slack app destinations", &declareAsBeforeOverflow, func(t *testing.T) *mocks {
			m, _ := deployMixed(t)
			return m
		}, []string{"alarm-relay-leads-overflow", "alarm-relay-leads-overflow-mapping", "alarm-relay-leads-overflow-policy",
			"alarm-relay-oncall-overflow", "alarm-relay-oncall-overflow-mapping", "alarm-relay-oncall-overflow-policy",
			"alarm-relay-team-overflow", "alarm-relay-team-overflow-mapping", "alarm-relay-team-overflow-policy"}},
		{"Slack app destinations join a stack whose webhooks have theirs", &declareAsBeforeSlackAppOverflow, func(t *testing.T) *mocks {
			m, _ := deployMixed(t)
			return m
		}, []string{"alarm-relay-leads-overflow", "alarm-relay-leads-overflow-mapping", "alarm-relay-leads-overflow-policy",
			"alarm-relay-oncall-overflow", "alarm-relay-oncall-overflow-mapping", "alarm-relay-oncall-overflow-policy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			*tt.before = true
			before := tt.deploy(t)
			*tt.before = false
			now := map[string]snapshotResource{}
			for _, r := range tt.deploy(t).resources {
				now[r.Name] = snapshotResource{Type: r.TypeToken, Name: r.Name, Inputs: plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)}
			}
			for _, res := range before.resources {
				old := snapshotResource{Type: res.TypeToken, Name: res.Name, Inputs: plain(resource.NewObjectProperty(res.Inputs)).(map[string]any)}
				r, ok := now[old.Name]
				if !ok || r.Type != old.Type {
					t.Errorf("%s %s is gone (or another type): the update would delete it", old.Type, old.Name)
					continue
				}
				delete(now, old.Name)
				oldInputs, newInputs := old.Inputs, r.Inputs
				if r.Type == "aws:lambda/function:Function" {
					oldEnv, newEnv := envOf(oldInputs), envOf(newInputs)
					if url, ok := newEnv["OVERFLOW_QUEUE_URL"]; ok {
						if !strings.HasSuffix(url.(string), "-overflow") {
							t.Errorf("%s: OVERFLOW_QUEUE_URL %v", r.Name, url)
						}
						if was, had := oldEnv["OVERFLOW_QUEUE_URL"]; had && was != url {
							t.Errorf("%s: OVERFLOW_QUEUE_URL %v → %v", r.Name, was, url)
						}
						delete(newEnv, "OVERFLOW_QUEUE_URL")
						delete(oldEnv, "OVERFLOW_QUEUE_URL")
					}
					if !jsonEqual(oldEnv, newEnv) {
						t.Errorf("%s: environment changes beyond OVERFLOW_QUEUE_URL: %v → %v", r.Name, oldEnv, newEnv)
					}
					oldInputs, newInputs = withoutKey(oldInputs, "environment"), withoutKey(newInputs, "environment")
				}
				if !jsonEqual(oldInputs, newInputs) {
					t.Errorf("%s %s gets other inputs", r.Type, r.Name)
				}
			}
			var added []string
			for name := range now {
				added = append(added, name)
			}
			sort.Strings(added)
			expect(t, "resources added", strings.Join(added, ","), strings.Join(tt.added, ","))
		})
	}
}

func envOf(inputs map[string]any) map[string]any {
	env, _ := inputs["environment"].(map[string]any)
	vars, _ := env["variables"].(map[string]any)
	out := map[string]any{}
	for k, v := range vars {
		out[k] = v
	}
	return out
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestOverflowWindowChangeTouchesOnlyTheOverflow: tuning a destination's window changes its
// mapping's window and its queue's visibility timeout (both in place), and nothing else.
func TestOverflowWindowChangeTouchesOnlyTheOverflow(t *testing.T) {
	dests := func(window string) map[string]string {
		return map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + window + `}, {"name": "ops", ` + opsHook + `}]`}
	}
	before := deployWith(t, dests(""), "destinations")
	after := deployWith(t, dests(`, "overflowWindowSeconds": 30`), "destinations")
	var changed []string
	for _, r := range after.resources {
		old, ok := before.find(r.Name)
		if !ok {
			t.Errorf("%s is new", r.Name)
			continue
		}
		if !old.Inputs.DeepEquals(r.Inputs) {
			changed = append(changed, r.Name+" "+strings.ReplaceAll(inputDiff(old.Inputs, r.Inputs), "\n", ";"))
		}
	}
	sort.Strings(changed)
	expect(t, "changed", strings.Join(changed, " | "),
		"alarm-relay-team-overflow   visibilityTimeoutSeconds: 182 → 210 | alarm-relay-team-overflow-mapping   maximumBatchingWindowInSeconds: 2 → 30")
}

// TestOverflowRefusesAReservationItCannotRunIn: a reserved concurrency under the mapping's maximum
// concurrency would throttle the digests until their messages dead-letter untried.
func TestOverflowRefusesAReservationItCannotRunIn(t *testing.T) {
	_, _, err := deploy(t, devConfigWith(map[string]string{"reservedConcurrency": "1"}), []string{"webhookUrl"}, artifact)
	if err == nil || !strings.Contains(err.Error(), "reservedConcurrency: 1") {
		t.Fatalf("reservedConcurrency 1 with an overflow queue: %v; want it refused, naming the key", err)
	}
	if _, _, err := deploy(t, devConfigWith(map[string]string{"reservedConcurrency": "3"}), []string{"webhookUrl"}, artifact); err != nil {
		t.Fatalf("reservedConcurrency 3: %v", err)
	}
}
