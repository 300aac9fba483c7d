package stack

import (
	"encoding/json"
	"fmt"
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
}

// RolePolicy grants exactly what the relay does: read its one parameter, write its own log group,
// send failed events to its own dead-letter queue and, with the trend on, read metric data. No
// wildcard actions.
func RolePolicy(parameterArn, logGroupArn, queueArn string, trend bool) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "ReadWebhookParameter", Effect: "Allow", Action: []string{"ssm:GetParameter"}, Resource: []string{parameterArn}},
		{Sid: "WriteOwnLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupArn + ":*"}},
		{Sid: "DeadLetterFailedAlerts", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{queueArn}},
	}}
	if trend {
		// GetMetricData has no resource-level permissions: "*" is the only resource it takes.
		doc.Statement = append(doc.Statement, policyStatement{Sid: "ReadAlarmTrend", Effect: "Allow", Action: []string{"cloudwatch:GetMetricData"}, Resource: []string{"*"}})
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("role policy: %w", err)
	}
	return string(out), nil
}

// TopicKeyPolicy lets the account administer the key and CloudWatch publish to the topic with it.
func TopicKeyPolicy(partition, account string) (string, error) {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "AccountAdministers", Effect: "Allow", Principal: map[string]any{"AWS": "arn:" + partition + ":iam::" + account + ":root"}, Action: []string{"kms:*"}, Resource: "*"},
		{Sid: "CloudWatchPublishes", Effect: "Allow", Principal: map[string]any{"Service": "cloudwatch.amazonaws.com"}, Action: []string{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: "*"},
	}}
	out, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("topic key policy: %w", err)
	}
	return string(out), nil
}
