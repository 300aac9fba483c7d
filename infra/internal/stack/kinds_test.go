package stack

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

const alarmSet = `[
  {"kind": "latency", "apiId": "a1b2c3d4e5", "stage": "$default", "statistic": "p99", "threshold": 1200, "periodSeconds": 60, "evaluationPeriods": 5, "datapointsToAlarm": 3},
  {"kind": "errorRate"},
  {"kind": "clientErrorRate", "apiId": "a1b2c3d4e5", "threshold": 20, "treatMissingData": "ignore"},
  {"kind": "trafficSurge", "stage": "", "threshold": 3, "description": "Marketing e-mails go out on Mondays."},
  {"kind": "custom", "name": "checkout throttles", "namespace": "AWS/Lambda", "metric": "Throttles", "dimensions": {"FunctionName": "checkout"},
   "statistic": "Sum", "threshold": 1, "operator": "GreaterThanOrEqualToThreshold"}
]`

func deployWith(t *testing.T, overrides map[string]string, secret ...string) *mocks {
	t.Helper()
	m, _, err := deploy(t, devConfigWith(overrides), secret, artifact)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func query(t *testing.T, props resource.PropertyMap, id string) resource.PropertyMap {
	t.Helper()
	v, ok := props["metricQueries"]
	if !ok || !v.IsArray() {
		t.Fatalf("no metricQueries in %v", props)
	}
	for _, q := range v.ArrayValue() {
		if q.ObjectValue()["id"].StringValue() == id {
			return q.ObjectValue()
		}
	}
	t.Fatalf("no metric query %q", id)
	return nil
}

func TestAlarmKinds(t *testing.T) {
	m := deployWith(t, map[string]string{"alarms": alarmSet}, "webhookUrl")
	topicArn := "arn:aws:sns:us-east-1:123456789012:alarm-relay-topic"
	alarms := m.byType("aws:cloudwatch/metricAlarm:MetricAlarm")
	expect(t, "alarms (5 + 2 health)", len(alarms), 7)
	if _, declared := m.find("alarm-relay-latency"); declared {
		t.Error("with the alarms key the default latency alarm must not be declared")
	}
	for _, name := range []string{"a1b2c3d4e5-default-p99-latency", "orders-api-prod-5xx-error-rate", "a1b2c3d4e5-prod-4xx-error-rate", "orders-api-traffic-surge", "checkout-throttles"} {
		a := m.named(t, "alarm-relay-alarm-"+name).Inputs
		expect(t, name+" alarmActions", strings.Join(strings1(t, a, "alarmActions"), ","), topicArn)
		expect(t, name+" okActions", strings.Join(strings1(t, a, "okActions"), ","), topicArn)
		expect(t, name+" insufficientDataActions", strings.Join(strings1(t, a, "insufficientDataActions"), ","), topicArn)
		if !strings.HasSuffix(str(t, a, "name"), " (alarm-relay/dev)") || !strings.Contains(str(t, a, "alarmDescription"), "Managed by Pulumi stack alarm-relay/dev.") {
			t.Errorf("%s: name %q, description %q", name, str(t, a, "name"), str(t, a, "alarmDescription"))
		}
	}

	t.Run("latency p99 on an HTTP API", func(t *testing.T) {
		a := m.named(t, "alarm-relay-alarm-a1b2c3d4e5-default-p99-latency").Inputs
		expect(t, "name", str(t, a, "name"), "a1b2c3d4e5 $default p99 latency (alarm-relay/dev)")
		expect(t, "metric", str(t, a, "namespace")+" "+str(t, a, "metricName"), "AWS/ApiGateway Latency")
		expect(t, "extendedStatistic", str(t, a, "extendedStatistic"), "p99")
		if _, ok := a["statistic"]; ok {
			t.Error("statistic and extendedStatistic are exclusive")
		}
		dims := object(t, a, "dimensions")
		expect(t, "ApiId", str(t, dims, "ApiId"), "a1b2c3d4e5")
		expect(t, "Stage", str(t, dims, "Stage"), "$default")
		expect(t, "threshold", num(t, a, "threshold"), 1200)
		expect(t, "period", num(t, a, "period"), 60)
		expect(t, "evaluationPeriods", num(t, a, "evaluationPeriods"), 5)
		expect(t, "datapointsToAlarm", num(t, a, "datapointsToAlarm"), 3)
		expect(t, "operator", str(t, a, "comparisonOperator"), "GreaterThanThreshold")
		if !strings.HasPrefix(str(t, a, "alarmDescription"), "p99 latency of API Gateway API a1b2c3d4e5 $default is above 1200 ms for 3 of 5 periods of 60 seconds.") {
			t.Errorf("description %q", str(t, a, "alarmDescription"))
		}
	})

	t.Run("error rate on a REST API", func(t *testing.T) {
		a := m.named(t, "alarm-relay-alarm-orders-api-prod-5xx-error-rate").Inputs
		expect(t, "name", str(t, a, "name"), "orders-api prod 5XX error rate (alarm-relay/dev)")
		expect(t, "threshold", num(t, a, "threshold"), 5)
		expect(t, "operator", str(t, a, "comparisonOperator"), "GreaterThanThreshold")
		for _, key := range []string{"namespace", "metricName", "statistic", "period", "dimensions"} {
			if _, ok := a[resource.PropertyKey(key)]; ok {
				t.Errorf("metric-math alarm also sets %s", key)
			}
		}
		for id, metric := range map[string]string{"errors": "5XXError", "requests": "Count"} {
			q := query(t, a, id)
			expect(t, id+" returnData", q["returnData"].BoolValue(), false)
			mq := object(t, q, "metric")
			expect(t, id+" metric", str(t, mq, "namespace")+" "+str(t, mq, "metricName"), "AWS/ApiGateway "+metric)
			expect(t, id+" stat", str(t, mq, "stat"), "Sum")
			expect(t, id+" period", num(t, mq, "period"), 300)
			dims := object(t, mq, "dimensions")
			expect(t, id+" ApiName", str(t, dims, "ApiName"), "orders-api")
			expect(t, id+" Stage", str(t, dims, "Stage"), "prod")
		}
		rate := query(t, a, "rate")
		expect(t, "expression", str(t, rate, "expression"), "IF(requests > 0, 100 * errors / requests)")
		expect(t, "label", str(t, rate, "label"), "5XX error rate (%)")
		expect(t, "returnData", rate["returnData"].BoolValue(), true)
	})

	t.Run("client error rate on an HTTP API", func(t *testing.T) {
		a := m.named(t, "alarm-relay-alarm-a1b2c3d4e5-prod-4xx-error-rate").Inputs
		expect(t, "metric", str(t, object(t, query(t, a, "errors"), "metric"), "metricName"), "4xx")
		expect(t, "label", str(t, query(t, a, "rate"), "label"), "4XX error rate (%)")
		expect(t, "threshold", num(t, a, "threshold"), 20)
		expect(t, "treatMissingData", str(t, a, "treatMissingData"), "ignore")
	})

	t.Run("traffic surge", func(t *testing.T) {
		a := m.named(t, "alarm-relay-alarm-orders-api-traffic-surge").Inputs
		expect(t, "operator", str(t, a, "comparisonOperator"), "GreaterThanUpperThreshold")
		expect(t, "thresholdMetricId", str(t, a, "thresholdMetricId"), "band")
		if _, ok := a["threshold"]; ok {
			t.Error("an anomaly alarm has no static threshold")
		}
		requests := query(t, a, "requests")
		expect(t, "requests returnData", requests["returnData"].BoolValue(), true)
		expect(t, "requests metric", str(t, object(t, requests, "metric"), "metricName"), "Count")
		if _, ok := object(t, object(t, requests, "metric"), "dimensions")["Stage"]; ok {
			t.Error(`stage "" should watch the whole API`)
		}
		expect(t, "band", str(t, query(t, a, "band"), "expression"), "ANOMALY_DETECTION_BAND(requests, 3)")
		if !strings.HasPrefix(str(t, a, "alarmDescription"), "Marketing e-mails go out on Mondays. Requests to API Gateway API orders-api are above their expected band (3 standard deviations)") {
			t.Errorf("description %q", str(t, a, "alarmDescription"))
		}
	})

	t.Run("custom", func(t *testing.T) {
		a := m.named(t, "alarm-relay-alarm-checkout-throttles").Inputs
		expect(t, "name", str(t, a, "name"), "checkout throttles (alarm-relay/dev)")
		expect(t, "metric", str(t, a, "namespace")+" "+str(t, a, "metricName"), "AWS/Lambda Throttles")
		expect(t, "FunctionName", str(t, object(t, a, "dimensions"), "FunctionName"), "checkout")
		expect(t, "statistic", str(t, a, "statistic"), "Sum")
		expect(t, "threshold", num(t, a, "threshold"), 1)
		expect(t, "operator", str(t, a, "comparisonOperator"), "GreaterThanOrEqualToThreshold")
		if _, ok := a["unit"]; ok {
			t.Error("a custom alarm must not assume a unit")
		}
	})
}

const twoDestinations = `[
  {"name": "team", "webhook": "https://hooks.slack.com/services/T0/B0/teamSECRET", "alarms": ["orders-api-prod-5xx-error-rate"]},
  {"name": "ops", "webhook": "https://contoso.webhook.office.com/webhookb2/opsSECRET", "messenger": "teams-legacy", "timezone": "Europe/Berlin", "minimumState": "ALARM"}
]`

func TestDestinationsAreIsolated(t *testing.T) {
	m := deployWith(t, map[string]string{"alarms": `[{"kind":"latency"},{"kind":"errorRate"}]`, "destinations": twoDestinations, "webhookUrl": ""}, "destinations")
	expect(t, "functions", len(m.byType("aws:lambda/function:Function")), 2)
	expect(t, "queues", len(m.byType("aws:sqs/queue:Queue")), 4) // dead letters and overflow each
	expect(t, "permissions", len(m.byType("aws:lambda/permission:Permission")), 2)
	expect(t, "subscriptions", len(m.byType("aws:sns/topicSubscription:TopicSubscription")), 2)
	expect(t, "parameters", len(m.byType("aws:ssm/parameter:Parameter")), 2)
	expect(t, "topics (alarms + ops)", len(m.byType("aws:sns/topic:Topic")), 2)

	for _, tt := range []struct {
		dest, webhook, messenger, timezone, filter string
	}{
		{"team", "teamSECRET", "auto", "Asia/Seoul", `{"$or":[{"NewStateValue":["ALARM","OK"]},{"OldStateValue":["ALARM"]}],"AlarmName":["orders-api prod 5XX error rate (alarm-relay/dev)"]}`},
		{"ops", "opsSECRET", "teams-legacy", "Europe/Berlin", `{"$or":[{"NewStateValue":["ALARM"]},{"OldStateValue":["ALARM"]}]}`},
	} {
		t.Run(tt.dest, func(t *testing.T) {
			prefix := "alarm-relay-" + tt.dest + "-"
			fnName := settings.FunctionName(project, stackName, tt.dest)
			if !strings.HasPrefix(fnName, "alarm-relay-dev-"+tt.dest+"-") || !strings.HasSuffix(fnName, "-relay") {
				t.Errorf("function name %q does not read as project, stack and destination", fnName)
			}
			queueArn := "arn:aws:sqs:us-east-1:123456789012:" + prefix + "dead-letters"
			param := m.named(t, prefix+"webhook").Inputs
			expect(t, "parameter", str(t, param, "name"), "/alarm-relay/dev/"+tt.dest+"/webhook-url")
			if v := param["value"]; !v.IsSecret() || !strings.Contains(v.SecretValue().Element.StringValue(), tt.webhook) {
				t.Errorf("parameter value %v is not this destination's secret webhook", v)
			}
			fn := m.named(t, prefix+"function").Inputs
			expect(t, "function name", str(t, fn, "name"), fnName)
			env := object(t, object(t, fn, "environment"), "variables")
			expect(t, "WEBHOOK_PARAMETER", str(t, env, "WEBHOOK_PARAMETER"), "/alarm-relay/dev/"+tt.dest+"/webhook-url:3")
			expect(t, "MESSENGER", str(t, env, "MESSENGER"), tt.messenger)
			expect(t, "TIMEZONE", str(t, env, "TIMEZONE"), tt.timezone)
			expect(t, "log group", str(t, object(t, fn, "loggingConfig"), "logGroup"), "/aws/lambda/"+fnName)
			async := m.named(t, prefix+"async").Inputs
			expect(t, "async function", str(t, async, "functionName"), fnName)
			expect(t, "own dead-letter queue", str(t, object(t, object(t, async, "destinationConfig"), "onFailure"), "destination"), queueArn)
			expect(t, "permission", str(t, m.named(t, prefix+"sns-invoke").Inputs, "function"), fnName)
			sub := m.named(t, prefix+"subscription")
			expect(t, "endpoint", str(t, sub.Inputs, "endpoint"), "arn:aws:lambda:us-east-1:123456789012:function:"+fnName)
			expect(t, "filter", str(t, sub.Inputs, "filterPolicy"), tt.filter)
			expect(t, "filter scope", str(t, sub.Inputs, "filterPolicyScope"), "MessageBody")
			dependsOn(t, sub, prefix+"sns-invoke")
			policy := str(t, m.named(t, prefix+"policy").Inputs, "policy")
			for _, own := range []string{"parameter/alarm-relay/dev/" + tt.dest + "/webhook-url", queueArn, "/aws/lambda/" + fnName + ":*"} {
				if !strings.Contains(policy, own) {
					t.Errorf("policy lacks %s: %s", own, policy)
				}
			}
			other := map[string]string{"team": "ops", "ops": "team"}[tt.dest]
			if strings.Contains(policy, "/"+other+"/") || strings.Contains(policy, "-"+other+"-") {
				t.Errorf("policy reaches the other destination's resources: %s", policy)
			}
			expect(t, "errors alarm", str(t, object(t, m.named(t, prefix+"relay-errors").Inputs, "dimensions"), "FunctionName"), fnName)
			expect(t, "dead letters alarm", str(t, object(t, m.named(t, prefix+"dead-letters-waiting").Inputs, "dimensions"), "QueueName"), prefix+"dead-letters")
		})
	}
	for _, r := range m.resources {
		for _, plainText := range findString(resource.NewObjectProperty(r.Inputs), "SECRET", false) {
			if plainText {
				t.Errorf("%s carries a webhook in plain text", r.Name)
			}
		}
	}
}

// TestAddingADestinationTouchesOnlyItsResources: the resources of an existing destination, and
// everything shared, are the same whether or not another destination is added.
func TestAddingADestinationTouchesOnlyItsResources(t *testing.T) {
	var dests []map[string]any
	if err := json.Unmarshal([]byte(twoDestinations), &dests); err != nil {
		t.Fatal(err)
	}
	one, _ := json.Marshal(dests[:1])
	before := deployWith(t, map[string]string{"alarms": alarmSet, "destinations": string(one), "webhookUrl": ""}, "destinations")
	after := deployWith(t, map[string]string{"alarms": alarmSet, "destinations": twoDestinations, "webhookUrl": ""}, "destinations")
	added := 0
	for _, r := range after.resources {
		if strings.HasPrefix(r.Name, "alarm-relay-ops-") && r.Name != "alarm-relay-ops-topic" {
			added++
			continue
		}
		old, ok := before.find(r.Name)
		if !ok {
			t.Errorf("adding a destination also created %s", r.Name)
			continue
		}
		if !old.Inputs.DeepEquals(r.Inputs) {
			t.Errorf("adding a destination changed %s", r.Name)
		}
	}
	expect(t, "resources added for the new destination", added, 14) // 11, and the overflow queue, policy and mapping
	expect(t, "resources kept", len(after.resources)-added, len(before.resources))
}

func TestAlarmAndDestinationValidation(t *testing.T) {
	hooks := `"webhook": "https://hooks.slack.com/services/T/B/SECRET"`
	tests := []struct {
		name     string
		override map[string]string
		secret   string
		errHas   []string
	}{
		{"unknown kind", map[string]string{"alarms": `[{"kind":"latncy"}]`}, "webhookUrl", []string{`alarms[0].kind: "latncy" is not one of latency, errorRate, clientErrorRate, trafficSurge, custom`}},
		{"typo in a field", map[string]string{"alarms": `[{"kind":"latency","treshold":5}]`}, "webhookUrl", []string{`alarms[0].treshold: unknown field (did you mean threshold?); allowed: kind, name, description,`}},
		{"bad latency statistic", map[string]string{"alarms": `[{"kind":"latency","statistic":"Median"}]`}, "webhookUrl", []string{`alarms[0].statistic: "Median": latency alarms use Average or a percentile`}},
		{"statistic on an error rate", map[string]string{"alarms": `[{"kind":"errorRate","statistic":"Sum"}]`}, "webhookUrl", []string{"alarms[0].statistic: kind errorRate computes its own statistic"}},
		{"no api anywhere", map[string]string{"apiName": "", "alarms": `[{"kind":"errorRate"}]`}, "webhookUrl", []string{"alarms[0].apiName: set apiName"}},
		{"custom without dimensions", map[string]string{"alarms": `[{"kind":"custom","namespace":"AWS/Lambda","metric":"Errors","statistic":"Sum","threshold":1,"operator":"GreaterThanThreshold"}]`}, "webhookUrl", []string{"alarms[0].dimensions: missing"}},
		{"custom with bad operator and statistic", map[string]string{"alarms": `[{"kind":"custom","namespace":"N","metric":"M","dimensions":{"D":"v"},"statistic":"avg","threshold":1,"operator":">"}]`}, "webhookUrl",
			[]string{`alarms[0].statistic: "avg" is not one of Average, Sum, Minimum, Maximum, SampleCount`, `alarms[0].operator: ">" is not one of`}},
		{"duplicate alarms", map[string]string{"alarms": `[{"kind":"errorRate"},{"kind":"errorRate","threshold":9}]`}, "webhookUrl", []string{`alarms[1].name: alarms[0] and alarms[1] would both be "orders-api-prod-5xx-error-rate"`}},
		{"bad window in an entry", map[string]string{"alarms": `[{"kind":"latency","periodSeconds":45}]`}, "webhookUrl", []string{"alarms[0].periodSeconds: 45: API Gateway publishes its metrics per minute; use a multiple of 60"}},
		{"not a list", map[string]string{"alarms": `{"kind":"latency"}`}, "webhookUrl", []string{"alarms: is an object: must be a non-empty list of alarms (see docs/alarms-and-destinations.md)"}},
		{"destinations not a list", map[string]string{"webhookUrl": "", "destinations": `{"name":"a",` + hooks + `}`}, "destinations", []string{"destinations: must be a non-empty list of {name, ", "(see docs/alarms-and-destinations.md)"}},
		{"both webhook forms", map[string]string{"destinations": `[{"name":"a",` + hooks + `}]`}, "webhookUrl", []string{"webhookUrl: set webhookUrl (one destination) or destinations, not both"}},
		{"destination webhook in plain text", map[string]string{"webhookUrl": "", "destinations": `[{"name":"a",` + hooks + `}]`}, "", []string{"destinations[0].webhook: is stored in plain text: set it again with pulumi config set --secret --path 'destinations[0].webhook'"}},
		{"destination problems", map[string]string{"webhookUrl": "", "destinations": `[{"name":"Ops Team",` + hooks + `,"minimumState":"WARN","timezone":"Mars","alarms":["nope"]},{"name":"b"}]`}, "destinations",
			[]string{`destinations[0].name: "Ops Team" must be 1 to 20 lowercase letters`, `destinations[0].minimumState: "WARN" is not one of OK, INSUFFICIENT_DATA, ALARM`,
				`destinations[0].timezone: "Mars" is not an IANA time zone name`, `destinations[0].alarms[0]: unknown alarm "nope"; the stack's alarms are latency`, "destinations[1].webhook: not set"}},
		{"destination host unknown", map[string]string{"webhookUrl": "", "destinations": `[{"name":"a","webhook":"https://chat.example.com/SECRET"}]`}, "destinations",
			[]string{`destinations[0].messenger: auto: cannot tell the messenger from webhook host "chat.example.com"`}},
		{"duplicate destination", map[string]string{"webhookUrl": "", "destinations": `[{"name":"a",` + hooks + `},{"name":"a",` + hooks + `}]`}, "destinations", []string{`destinations[1].name: "a" names two destinations`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := devConfigWith(tt.override)
			var secret []string
			if tt.secret != "" {
				secret = []string{tt.secret}
			}
			expectRejected(t, cfg, secret, tt.errHas...)
		})
	}
}

func TestMessageOptions(t *testing.T) {
	t.Run("single destination", func(t *testing.T) {
		m := deployWith(t, map[string]string{"language": "ko", "mentions": "@here, S0123ABCD", "runbookUrl": "https://wiki.example.com/rb/latency"}, "webhookUrl")
		env := object(t, object(t, m.one(t, "aws:lambda/function:Function").Inputs, "environment"), "variables")
		expect(t, "LANGUAGE", str(t, env, "LANGUAGE"), "ko")
		expect(t, "MENTIONS", str(t, env, "MENTIONS"), "@here, S0123ABCD")
		if desc := str(t, m.named(t, "alarm-relay-latency").Inputs, "alarmDescription"); !strings.HasSuffix(desc, "Managed by Pulumi stack alarm-relay/dev. Runbook: https://wiki.example.com/rb/latency") {
			t.Errorf("description %q lacks the runbook", desc)
		}
	})
	t.Run("per destination", func(t *testing.T) {
		dests := `[
		  {"name": "team", "webhook": "https://hooks.slack.com/services/T/B/teamSECRET", "language": "ko", "mentions": ["@here", "S0123ABCD"]},
		  {"name": "ops", "webhook": "https://x.environment.api.powerplatform.com/p/opsSECRET", "mentions": ["oncall@contoso.com"], "trend": false}
		]`
		alarms := `[{"kind": "latency", "runbook": "https://wiki.example.com/rb/latency"}, {"kind": "errorRate"}]`
		m := deployWith(t, map[string]string{"webhookUrl": "", "destinations": dests, "alarms": alarms}, "destinations")
		team := object(t, object(t, m.named(t, "alarm-relay-team-function").Inputs, "environment"), "variables")
		expect(t, "team LANGUAGE", str(t, team, "LANGUAGE"), "ko")
		expect(t, "team MENTIONS", str(t, team, "MENTIONS"), "@here,S0123ABCD")
		expect(t, "team TREND", str(t, team, "TREND"), "on")
		ops := object(t, object(t, m.named(t, "alarm-relay-ops-function").Inputs, "environment"), "variables")
		expect(t, "ops LANGUAGE", str(t, ops, "LANGUAGE"), "en")
		expect(t, "ops MENTIONS", str(t, ops, "MENTIONS"), "oncall@contoso.com")
		expect(t, "ops TREND", str(t, ops, "TREND"), "off")
		if strings.Contains(str(t, m.named(t, "alarm-relay-ops-policy").Inputs, "policy"), "cloudwatch:") {
			t.Error("a destination without the trend may still read metrics")
		}
		if !strings.Contains(str(t, m.named(t, "alarm-relay-team-policy").Inputs, "policy"), `"cloudwatch:GetMetricData"`) {
			t.Error("the team destination cannot read its trend")
		}
		if desc := str(t, m.named(t, "alarm-relay-alarm-orders-api-prod-latency").Inputs, "alarmDescription"); !strings.HasSuffix(desc, "Runbook: https://wiki.example.com/rb/latency") {
			t.Errorf("description %q lacks the runbook", desc)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		cfg := devConfig()
		cfg["language"], cfg["mentions"], cfg["runbookUrl"] = "jp", "@everyone", "wiki/rb"
		cfg["alarms"] = `[{"kind":"latency","runbook":"javascript:alert(1)"}]`
		expectRejected(t, cfg, []string{"webhookUrl"}, `language: unknown language "jp": use en or ko`, `mentions: mention "@everyone" is not`,
			`runbookUrl: "wiki/rb" is not an http(s) URL`, `alarms[0].runbook: "javascript:alert(1)" is not an http(s) URL`)
	})
}

// TestDescriptionByteLimit: CloudWatch counts the description's bytes. A 300-character Korean
// description (about 1,200 bytes) or one of emoji is cut on a character boundary, and the stack
// and runbook ending the relay reads stays whole.
func TestDescriptionByteLimit(t *testing.T) {
	for _, text := range []string{strings.Repeat("주문 지연이 큽니다. ", 30), strings.Repeat("🔥", 300), strings.Repeat("x", 2000)} {
		a := settings.Alarm{Kind: settings.KindLatency, API: "orders-api", Statistic: "Average", Threshold: 300, PeriodSeconds: 60,
			EvaluationPeriods: 1, DatapointsToAlarm: 1, Description: text, Runbook: "https://wiki.example.com/" + strings.Repeat("r", 400)}
		got := AlarmDescription(a, project, stackName)
		tail := " Managed by Pulumi stack alarm-relay/dev. Runbook: " + a.Runbook
		if len(got) > settings.AlarmDescriptionBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, tail) || !strings.Contains(got, "…"+tail) {
			t.Errorf("%d bytes, valid %v, ends %q", len(got), utf8.ValidString(got), got[max(0, len(got)-80):])
		}
	}
	short := AlarmDescription(settings.Alarm{Kind: settings.KindLatency, API: "orders-api", Statistic: "Average", Threshold: 300, PeriodSeconds: 60,
		EvaluationPeriods: 1, DatapointsToAlarm: 1, Description: "주문 API"}, project, stackName)
	if strings.Contains(short, "…") {
		t.Errorf("a short description was cut: %q", short)
	}
}
