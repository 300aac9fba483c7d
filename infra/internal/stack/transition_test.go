package stack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// A stack configuration of the transition matrix: overrides of devConfig ("" removes a key).
type shape struct {
	name     string
	override map[string]string
	secret   string
}

const (
	teamHook  = `"webhook": "https://hooks.slack.com/services/T0/B0/teamSECRET"`
	opsHook   = `"webhook": "https://contoso.webhook.office.com/webhookb2/opsSECRET", "minimumState": "ALARM"`
	oncallApp = `"slackToken": "xoxb-1-SECRET", "slackChannel": "C0123ABCDEF"`
)

// shapes are configurations a stack moves between with `pulumi up`: the single-alarm keys and the
// alarms list, the single webhook and destinations, alarms and destinations added and removed,
// the API renamed.
var shapes = []shape{
	{"single alarm, single webhook", nil, "webhookUrl"},
	{"alarms: latency", map[string]string{"alarms": `[{"kind": "latency"}]`}, "webhookUrl"},
	{"alarms: latency, errorRate", map[string]string{"alarms": `[{"kind": "latency"}, {"kind": "errorRate"}]`}, "webhookUrl"},
	{"alarms: errorRate", map[string]string{"alarms": `[{"kind": "errorRate"}]`}, "webhookUrl"},
	{"alarms: errorRate named like the single alarm", map[string]string{"alarms": `[{"kind": "errorRate", "name": "orders-api prod latency"}]`}, "webhookUrl"},
	{"alarms: p99 latency", map[string]string{"alarms": `[{"kind": "latency", "statistic": "p99"}]`}, "webhookUrl"},
	{"alarms: API in the entry", map[string]string{"apiName": "", "alarms": `[{"kind": "latency", "apiName": "orders-api"}]`}, "webhookUrl"},
	{"alarms: Korean name", map[string]string{"alarms": `[{"kind": "latency", "name": "주문 API 지연"}, {"kind": "errorRate", "name": "주문 API 오류율"}]`}, "webhookUrl"},
	{"API renamed", map[string]string{"apiName": "billing-api"}, "webhookUrl"},
	{"API renamed, alarms", map[string]string{"apiName": "billing-api", "alarms": `[{"kind": "latency"}, {"kind": "errorRate"}]`}, "webhookUrl"},
	{"destinations: team", map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `}]`}, "destinations"},
	{"destinations: team, ops", map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `}, {"name": "ops", ` + opsHook + `}]`}, "destinations"},
	{"destinations: ops", map[string]string{"webhookUrl": "", "destinations": `[{"name": "ops", ` + opsHook + `}]`}, "destinations"},
	{"alarms and destinations", map[string]string{"webhookUrl": "", "alarms": `[{"kind": "latency"}, {"kind": "errorRate"}]`,
		"destinations": `[{"name": "team", ` + teamHook + `, "alarms": ["orders-api-prod-5xx-error-rate"]}, {"name": "ops", ` + opsHook + `}]`}, "destinations"},
	// Slack apps and reminders come and go without moving anything else.
	{"single webhook, reminders", map[string]string{"remindEveryMinutes": "30"}, "webhookUrl"},
	{"destinations: team, oncall (slack app)", map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `}, {"name": "oncall", ` + oncallApp + `}]`}, "destinations"},
	{"destinations: oncall (slack app)", map[string]string{"webhookUrl": "", "destinations": `[{"name": "oncall", ` + oncallApp + `}]`}, "destinations"},
	{"destinations: oncall as a webhook", map[string]string{"webhookUrl": "", "destinations": `[{"name": "oncall", ` + teamHook + `}]`}, "destinations"},
	{"destinations: team, oncall, reminders", map[string]string{"webhookUrl": "", "remindEveryMinutes": "60",
		"destinations": `[{"name": "team", ` + teamHook + `}, {"name": "oncall", ` + oncallApp + `}]`}, "destinations"},
	{"alarms and destinations, oncall reminded", map[string]string{"webhookUrl": "", "alarms": `[{"kind": "latency"}, {"kind": "errorRate"}]`,
		"destinations": `[{"name": "team", ` + teamHook + `, "alarms": ["orders-api-prod-5xx-error-rate"]}, {"name": "oncall", ` + oncallApp + `, "remindEveryMinutes": 15}]`}, "destinations"},
	// Options, reordered and renamed entries, and the API by id: each touches only what it is about.
	{"encryptTopic", map[string]string{"encryptTopic": "true"}, "webhookUrl"},
	{"trend off", map[string]string{"trend": "false"}, "webhookUrl"},
	{"ko, UTC", map[string]string{"language": "ko", "timezone": "UTC"}, "webhookUrl"},
	{"destinations: ops, team (reordered)", map[string]string{"webhookUrl": "", "destinations": `[{"name": "ops", ` + opsHook + `}, {"name": "team", ` + teamHook + `}]`}, "destinations"},
	{"destinations: team renamed squad", map[string]string{"webhookUrl": "", "destinations": `[{"name": "squad", ` + teamHook + `}, {"name": "ops", ` + opsHook + `}]`}, "destinations"},
	{"destinations: team, ops, ko", map[string]string{"webhookUrl": "", "language": "ko", "destinations": `[{"name": "team", ` + teamHook + `}, {"name": "ops", ` + opsHook + `}]`}, "destinations"},
	{"alarms: errorRate, latency (reordered)", map[string]string{"alarms": `[{"kind": "errorRate"}, {"kind": "latency"}]`}, "webhookUrl"},
	{"alarms: latency named", map[string]string{"alarms": `[{"kind": "latency", "name": "orders latency"}]`}, "webhookUrl"},
	{"apiId", map[string]string{"apiName": "", "apiId": "a1b2c3"}, "webhookUrl"},
	{"no stage", map[string]string{"apiStage": ""}, "webhookUrl"},
	// The overflow's batching window, tuned and back: only that destination's overflow changes.
	{"destinations: team (window 20), ops", map[string]string{"webhookUrl": "", "destinations": `[{"name": "team", ` + teamHook + `, "overflowWindowSeconds": 20}, {"name": "ops", ` + opsHook + `}]`}, "destinations"},
	{"oncall app reminded every 5", map[string]string{"webhookUrl": "", "remindEveryMinutes": "5", "destinations": `[{"name": "oncall", ` + oncallApp + `}]`}, "destinations"},
	// Maintenance windows add schedules and change the relay's environment, nothing else.
	{"single webhook, sunday window", map[string]string{"maintenanceWindows": sundayWindow}, "webhookUrl"},
	{"destinations: team, oncall, sunday window, ops loud", map[string]string{"webhookUrl": "", "maintenanceWindows": sundayWindow,
		"destinations": `[{"name": "team", ` + teamHook + `}, {"name": "oncall", ` + oncallApp + `}, {"name": "ops", ` + opsHook + `, "maintenanceWindows": []}]`}, "destinations"},
}

const sundayWindow = `[{"name": "sunday-deploy", "days": ["Sun"], "start": "02:00", "durationMinutes": 120, "timezone": "Asia/Seoul"}]`

// declared is one resource of a deployment, as the transition check sees it.
type declared struct {
	id       string // type and logical name: the URN, as every resource has the component as parent
	physical string // the AWS name the program chose; "" where AWS or Pulumi names it
	aliases  []string
	inputs   resource.PropertyMap
	owner    string // what the resource belongs to: "alarm <name>", "destination <name>", "topic", "shared"
}

// deployment is one shape, deployed under the mocks.
type deployment struct {
	shape     shape
	resources map[string]declared // by id
	owners    map[string]string   // owner → its definition as settings read it
}

func deployShape(t *testing.T, sh shape) deployment {
	t.Helper()
	return deployShapeAs(t, project, stackName, sh)
}

// deployShapeAs is deployShape for another project and stack.
func deployShapeAs(t *testing.T, project, stackName string, sh shape) deployment {
	t.Helper()
	m, _, err := deployAs(t, project, stackName, devConfigWith(sh.override), []string{sh.secret}, artifact)
	if err != nil {
		t.Fatalf("%s: %v", sh.name, err)
	}
	var s settings.Settings
	if err := pulumi.RunErr(func(ctx *pulumi.Context) (err error) {
		s, err = settings.Load(ctx) // the same environment deploy set
		return err
	}, pulumi.WithMocks(project, stackName, &mocks{})); err != nil {
		t.Fatal(err)
	}

	// The topic and its key depend on encryptTopic: turning it on or off sets the topic's key.
	d := deployment{shape: sh, resources: map[string]declared{}, owners: map[string]string{"shared": "shared", "topic": fmt.Sprint("encryptTopic ", s.EncryptTopic)}}
	alarmOwner := map[string]string{} // CloudWatch name → owner
	for _, a := range s.Alarms {
		key := "alarm " + a.Name
		alarmOwner[a.Name] = key
		a.ID, a.Shorthand, a.FormerIDs, a.FormerShorthand, a.APIKey = "", false, nil, false, "" // how the program names it, not what it is
		d.owners[key] = fmt.Sprintf("%+v", a)
	}
	relayOwner := map[string]string{} // logical name → owner
	for _, dest := range s.Destinations {
		key := "destination " + dest.Name
		prefix := "alarm-relay-"
		if !dest.Shorthand {
			prefix += dest.Name + "-"
		}
		for _, part := range []string{"webhook", "slack-token", "dead-letters", "logs", "role", "policy", "function", "async", "sns-invoke", "subscription",
			"relay-errors", "dead-letters-waiting", "reminders", "reminders-invoke", "reminders-target",
			"windows-role", "windows-policy", "window-sunday-deploy", "overflow", "overflow-policy", "overflow-mapping"} {
			relayOwner[prefix+part] = key
		}
		dest.Webhook, dest.SlackToken = pulumi.StringOutput{}, pulumi.StringOutput{}
		d.owners[key] = fmt.Sprintf("%+v", dest)
	}

	// The program's component is the parent it always was: the URN of every resource is then
	// its type and name under that parent, which is what the id below stands for.
	component := resource.NewURN(tokens.QName(stackName), tokens.PackageName(project), "", ComponentType, "alarm-relay")
	for _, r := range m.resources {
		if r.TypeToken == ComponentType {
			if r.Name != "alarm-relay" || r.RegisterRPC.GetParent() != "" && !strings.HasSuffix(r.RegisterRPC.GetParent(), "pulumi:pulumi:Stack::"+project+"-"+stackName) {
				t.Fatalf("%s: the component is %s under %q, not alarm-relay under the stack: every URN would change", sh.name, r.Name, r.RegisterRPC.GetParent())
			}
			continue
		}
		if parent := resource.URN(r.RegisterRPC.GetParent()); parent != component {
			t.Errorf("%s: %s has parent %s, not %s: its URN would change", sh.name, r.Name, parent, component)
		}
		res := declared{id: r.TypeToken + "::" + r.Name, inputs: r.Inputs, owner: "shared"}
		if v, ok := r.Inputs["name"]; ok && v.IsString() {
			res.physical = r.TypeToken + " " + v.StringValue()
		}
		for _, a := range r.RegisterRPC.GetAliases() {
			spec := a.GetSpec()
			if a.GetUrn() != "" || spec == nil || spec.GetType() != "" || spec.GetParentUrn() != "" || spec.GetNoParent() || spec.GetStack() != "" || spec.GetProject() != "" {
				t.Fatalf("%s: %s has an alias this test cannot resolve: %v", sh.name, r.Name, a)
			}
			res.aliases = append(res.aliases, r.TypeToken+"::"+spec.GetName())
		}
		if owner, ok := relayOwner[r.Name]; ok {
			res.owner = owner
		} else if r.Name == "alarm-relay-topic" || r.TypeToken == "aws:kms/key:Key" {
			res.owner = "topic"
		} else if r.TypeToken == "aws:cloudwatch/metricAlarm:MetricAlarm" {
			res.owner = alarmOwner[r.Inputs["name"].StringValue()]
			if res.owner == "" {
				t.Fatalf("%s: alarm %s belongs to nothing the settings declare", sh.name, r.Name)
			}
		}
		if _, dup := d.resources[res.id]; dup {
			t.Errorf("%s: two resources are %s: the engine refuses a duplicate URN", sh.name, res.id)
		}
		for _, other := range d.resources {
			if res.physical != "" && other.physical == res.physical {
				t.Errorf("%s: %s and %s are both %s", sh.name, other.id, res.id, res.physical)
			}
		}
		d.resources[res.id] = res
	}
	return d
}

// TestTransitions is the guard for every rename: between any two configurations of the matrix,
// (1) a resource whose AWS name stays keeps its URN or aliases the old one — Pulumi would
// otherwise create the "new" one (overwriting the live object) and then delete the old one
// (deleting it); (2) an alias never points at a resource that still exists, nor two at one;
// (3) resources unrelated to the change keep identical inputs, so the update touches nothing else.
func TestTransitions(t *testing.T) {
	var deployed []deployment
	for _, sh := range shapes {
		deployed = append(deployed, deployShape(t, sh))
	}
	checkTransitions(t, deployed)
}

// TestTransitionsOfRenamedStacks: the matrix again for stacks whose names changed with issue 18 —
// a project AWS reserves (its parameters under /alarm-relay/projects/) and a stack name with a '-'
// (its functions, log groups and table with a hash) — and the names they now get.
func TestTransitionsOfRenamedStacks(t *testing.T) {
	for _, tt := range []struct{ project, stack, parameters, table string }{
		{"aws-monitoring", "dev", "/alarm-relay/projects/aws-monitoring/dev/", "aws-monitoring-dev-incidents"},
		{"alarm", "relay-dev", "/alarm/relay-dev/", "alarm-relay-dev-" + settings.ShortHash("alarm", "relay-dev", "") + "-incidents"},
	} {
		t.Run(tt.project+"/"+tt.stack, func(t *testing.T) {
			var deployed []deployment
			for _, sh := range shapes {
				d := deployShapeAs(t, tt.project, tt.stack, sh)
				for _, r := range d.resources {
					name := strings.TrimPrefix(r.physical, r.id[:strings.Index(r.id, "::")]+" ")
					switch {
					case strings.HasPrefix(r.id, "aws:ssm/parameter:Parameter::") && !strings.HasPrefix(name, tt.parameters):
						t.Errorf("%s: parameter %s is not under %s", sh.name, name, tt.parameters)
					case strings.HasPrefix(r.id, "aws:dynamodb/table:Table::") && name != tt.table:
						t.Errorf("%s: table %s, want %s", sh.name, name, tt.table)
					}
				}
				deployed = append(deployed, d)
			}
			checkTransitions(t, deployed)
		})
	}
}

// checkTransitions checks every pair of deployments of one stack (see TestTransitions).
func checkTransitions(t *testing.T, deployed []deployment) {
	t.Helper()
	for _, to := range deployed {
		claimed := map[string]string{}
		for _, r := range to.resources {
			for _, alias := range r.aliases {
				if _, exists := to.resources[alias]; exists {
					t.Errorf("%s: %s aliases %s, which is declared too", to.shape.name, r.id, alias)
				}
				if other, dup := claimed[alias]; dup {
					t.Errorf("%s: %s and %s both alias %s", to.shape.name, other, r.id, alias)
				}
				claimed[alias] = r.id
			}
		}
	}
	pairs := 0
	for _, from := range deployed {
		byPhysical := map[string]declared{}
		for _, r := range from.resources {
			if r.physical != "" {
				byPhysical[r.physical] = r
			}
		}
		for _, to := range deployed {
			if from.shape.name == to.shape.name {
				continue
			}
			pairs++
			step := from.shape.name + " → " + to.shape.name
			for _, r := range to.resources {
				// (1) same AWS name, same resource.
				if old, ok := byPhysical[r.physical]; ok && r.physical != "" && old.id != r.id && !contains(r.aliases, old.id) {
					t.Errorf("%s: %s moves from %s to %s without an alias: the update would delete it", step, r.physical, old.id, r.id)
				}
				// (3) what the change does not touch stays as it was.
				old, ok := from.resources[r.id]
				for _, alias := range r.aliases {
					if !ok {
						old, ok = from.resources[alias]
					}
				}
				if !ok || from.owners[old.owner] == "" {
					continue
				}
				before, after := old.inputs, r.inputs
				if from.owners[old.owner] != to.owners[r.owner] {
					if r.owner != "topic" {
						continue
					}
					// encryptTopic turned on or off: the topic's key changes (in place), nothing else.
					before, after = without(before, "kmsMasterKeyId"), without(after, "kmsMasterKeyId")
				}
				if !before.DeepEquals(after) {
					t.Errorf("%s: %s (%s, unchanged) gets other inputs:\n%s", step, r.id, r.owner, inputDiff(before, after))
				}
			}
		}
	}
	expect(t, "pairs checked", pairs, len(shapes)*(len(shapes)-1))
}

// TestTransitionsFindAMissingAlias shows what the guard is for: the alarm of "alarms: latency" is
// the single alarm under another URN — the same alarm, so the alias changes nothing of it.
func TestTransitionsFindAMissingAlias(t *testing.T) {
	single := deployShape(t, shapes[0])
	list := deployShape(t, shapes[1])
	moved := 0
	for _, r := range list.resources {
		for _, old := range single.resources {
			if r.physical != "" && r.physical == old.physical && r.id != old.id {
				moved++
				if !contains(r.aliases, old.id) {
					t.Errorf("%s moved without an alias", r.physical)
				}
				if list.owners[r.owner] != single.owners[old.owner] || !r.inputs.DeepEquals(old.inputs) {
					t.Errorf("the single alarm and {kind: latency} differ; the alias would change the alarm:\n%s", inputDiff(old.inputs, r.inputs))
				}
			}
		}
	}
	expect(t, "resources that keep their AWS name under another URN", moved, 1)
}

// without is props without key.
func without(props resource.PropertyMap, key resource.PropertyKey) resource.PropertyMap {
	out := props.Copy()
	delete(out, key)
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// inputDiff lists the top-level inputs that differ.
func inputDiff(a, b resource.PropertyMap) string {
	var lines []string
	for k, v := range b {
		if old, ok := a[k]; !ok || !old.DeepEquals(v) {
			before, _ := json.Marshal(plain(a[k]))
			after, _ := json.Marshal(plain(v))
			lines = append(lines, fmt.Sprintf("  %s: %s → %s", k, before, after))
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s: removed", k))
		}
	}
	return strings.Join(lines, "\n")
}
