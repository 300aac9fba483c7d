// Package stormtest is the harness of the alarm-storm tests and benchmark: CloudWatch alarm SNS
// events by the hundred, a webhook that takes one post per second like Slack's (and reads back
// what chat shows), and a poller that hands an SQS queue to the function the way Lambda's SQS
// event source mapping does. Test and benchmark code only: the function never imports it.
package stormtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Change is one alarm state change.
type Change struct {
	Alarm     string // alarm name
	State     string // ALARM, OK, INSUFFICIENT_DATA
	Previous  string
	At        time.Time // StateChangeTime
	MessageID string    // the SNS message id; one per change
}

// cloudWatchTime is CloudWatch's timestamp layout.
const cloudWatchTime = "2006-01-02T15:04:05.000-0700"

// Event is the SNS event Lambda delivers for c: a CloudWatch alarm notification on an API
// Gateway latency alarm, as in function/testdata/latency-alarm.json.
func Event(c Change) []byte {
	ev := map[string]any{"Records": []any{Record(c)}}
	data, err := json.Marshal(ev)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return data
}

// Record is c's SNS record.
func Record(c Change) map[string]any {
	arn := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + c.Alarm
	observed := "412.53"
	if c.State == "OK" {
		observed = "187.20"
	}
	message := map[string]any{
		"AlarmName":                          c.Alarm,
		"AlarmDescription":                   "Storm test alarm.",
		"AWSAccountId":                       "123456789012",
		"AlarmConfigurationUpdatedTimestamp": "2026-11-01T08:00:00.000+0000",
		"NewStateValue":                      c.State,
		"NewStateReason":                     fmt.Sprintf("Threshold Crossed: 1 out of the last 1 datapoints [%s (20/11/26 09:10:00)] was greater than the threshold (300.0).", observed),
		"StateChangeTime":                    c.At.UTC().Format(cloudWatchTime),
		"Region":                             "US East (N. Virginia)",
		"AlarmArn":                           arn,
		"OldStateValue":                      c.Previous,
		"Trigger": map[string]any{
			"MetricName": "Latency", "Namespace": "AWS/ApiGateway", "StatisticType": "Statistic", "Statistic": "AVERAGE", "Unit": nil,
			"Dimensions": []any{map[string]string{"value": "orders-api", "name": "ApiName"}, map[string]string{"value": "prod", "name": "Stage"}},
			"Period":     60, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 300.0, "TreatMissingData": "notBreaching",
		},
	}
	body, err := json.Marshal(message)
	if err != nil {
		panic(err)
	}
	return map[string]any{
		"EventSource":          "aws:sns",
		"EventVersion":         "1.0",
		"EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:alarms:sub",
		"Sns": map[string]any{
			"Type":              "Notification",
			"MessageId":         c.MessageID,
			"TopicArn":          "arn:aws:sns:us-east-1:123456789012:alarms",
			"Subject":           fmt.Sprintf("%s: %q in US East (N. Virginia)", c.State, c.Alarm),
			"Message":           string(body),
			"Timestamp":         c.At.UTC().Format(time.RFC3339Nano),
			"MessageAttributes": map[string]any{},
		},
	}
}

// Storm is n changes of alarms named "storm NNNN (alarm-relay/bench)": most alarms go to ALARM
// once, and one in ten of them goes back to OK half the storm later (so that chat must end on OK
// for it); the changes are spread evenly over spread, in the order they happen.
func Storm(n int, start time.Time, spread time.Duration) []Change {
	flips := n / 11
	alarms := n - flips
	var seq []Change
	for i := range alarms {
		seq = append(seq, Change{Alarm: AlarmName(i), State: "ALARM", Previous: "OK", MessageID: fmt.Sprintf("storm-%05d-1", i)})
	}
	for k := range flips {
		j := k * 10
		pos := min(len(seq), j+1+alarms/2+k) // after its ALARM
		seq = slices.Insert(seq, pos, Change{Alarm: AlarmName(j), State: "OK", Previous: "ALARM", MessageID: fmt.Sprintf("storm-%05d-2", j)})
	}
	step := spread / time.Duration(max(n, 1))
	for i := range seq {
		seq[i].At = start.Add(time.Duration(i) * step)
	}
	return seq
}

// Newest is each alarm's last state in changes.
func Newest(changes []Change) map[string]string {
	out := map[string]string{}
	for _, c := range changes {
		out[c.Alarm] = c.State
	}
	return out
}

// AlarmName is the i-th storm alarm's name.
func AlarmName(i int) string { return fmt.Sprintf("storm %04d (alarm-relay/bench)", i) }
