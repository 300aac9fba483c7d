package stack

import (
	"encoding/json"
	"fmt"
	"strings"
)

// AssumeRolePolicy lets Lambda, and nothing else, assume the relay's role.
const AssumeRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["sts:AssumeRole"]}]}`

// policyDocument is an IAM policy document.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    []string       `json:"Action"`
	Resource  any            `json:"Resource"`
	// Condition is operator → condition key → value: {"StringEquals": {"aws:SourceAccount": "…"}}.
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Grants are the resources one relay works with.
type Grants struct {
	Parameter string // its secret's SSM parameter: the webhook URL, or a Slack app's bot token
	SlackApp  bool   // the parameter holds a Slack bot token; the relay keeps incidents in StateTable
	LogGroup  string
	Queue     string // its dead-letter queue
	Trend     bool
	// StateTable is the incident table (slack-app destinations only).
	StateTable string
	// Alarms are the alarms its reminders describe; none without reminders.
	Alarms []string
}

// RolePolicyLimit is IAM's limit on the inline policies of one role, in characters without
// whitespace.
const RolePolicyLimit = 10240

// RolePolicy grants exactly what the relay does: read its one parameter, write its own log group,
// send failed events to its own dead-letter queue and, with the trend on, read metric data. A
// Slack app relay also reads and writes its incidents (GetItem, UpdateItem, DeleteItem: what
// package incident calls, nothing more); with reminders it may describe its alarms (as patterns,
// see resourcePattern). No wildcard actions.
func RolePolicy(g Grants) (string, error) {
	read := "ReadWebhookParameter"
	if g.SlackApp {
		read = "ReadSlackToken"
	}
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: read, Effect: "Allow", Action: []string{"ssm:GetParameter"}, Resource: []string{g.Parameter}},
		{Sid: "WriteOwnLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{g.LogGroup + ":*"}},
		{Sid: "DeadLetterFailedAlerts", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{g.Queue}},
	}}
	if g.Trend {
		// GetMetricData has no resource-level permissions: "*" is the only resource it takes.
		doc.Statement = append(doc.Statement, policyStatement{Sid: "ReadAlarmTrend", Effect: "Allow", Action: []string{"cloudwatch:GetMetricData"}, Resource: []string{"*"}})
	}
	if g.SlackApp {
		doc.Statement = append(doc.Statement, policyStatement{Sid: "KeepIncidents", Effect: "Allow",
			Action: []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, Resource: []string{g.StateTable}})
	}
	if len(g.Alarms) > 0 {
		// DescribeAlarms takes alarm ARNs as resources: for reminders and window ends the relay
		// sees only the alarms it reminds of (its overflow policy grants digests alarm:*).
		patterns := make([]string, len(g.Alarms))
		for i, arn := range g.Alarms {
			patterns[i] = resourcePattern(arn)
		}
		doc.Statement = append(doc.Statement, policyStatement{Sid: "DescribeOwnAlarms", Effect: "Allow",
			Action: []string{"cloudwatch:DescribeAlarms"}, Resource: patterns})
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("role policy: %w", err)
	}
	if n := len(strings.Join(strings.Fields(string(out)), "")); n > RolePolicyLimit {
		return "", fmt.Errorf("role policy: %d characters; IAM takes %d per role: the reminders list %d alarms, list fewer in the destination's alarms", n, RolePolicyLimit, len(g.Alarms))
	}
	return string(out), nil
}

// resourcePattern writes an ARN as an IAM resource that matches it. In a Resource, * and ? are
// wildcards and ${...} a policy variable, so an alarm named "checkout * latency" would grant on
// every alarm that fits the pattern: they are written ${*}, ${?} and ${$}. And PutRolePolicy takes
// only tab, line breaks and U+0020 to U+00FF, so each run of other characters (Korean, emoji)
// becomes *: the pattern then matches the alarm, and only alarms whose names differ from it in
// those characters alone — the stack's " (project/stack)" ending stays literal.
func resourcePattern(arn string) string {
	var b strings.Builder
	wild := false // the last character written is a * that stands for characters IAM refuses
	for _, r := range arn {
		if r > 0xFF {
			if !wild {
				b.WriteByte('*')
				wild = true
			}
			continue
		}
		wild = false
		switch r {
		case '*', '?', '$':
			b.WriteString("${" + string(r) + "}")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TopicKeyPolicy lets the account administer the key and CloudWatch publish to the topic with it,
// for this account's alarms only: without aws:SourceAccount the CloudWatch service could use the
// key on behalf of any account's alarm (the confused deputy).
func TopicKeyPolicy(partition, account string) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "AccountAdministers", Effect: "Allow", Principal: map[string]any{"AWS": "arn:" + partition + ":iam::" + account + ":root"}, Action: []string{"kms:*"}, Resource: "*"},
		{Sid: "CloudWatchPublishes", Effect: "Allow", Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"}, Action: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: "*",
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": account}}},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("topic key policy: %w", err)
	}
	return string(out), nil
}
