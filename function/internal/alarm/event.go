// Package alarm turns the SNS event Lambda delivers into notifications a person can read:
// CloudWatch alarm messages become typed alarms whose condition is facts (shape, series, operator,
// threshold, unit, window), and anything else stays text. Words for them are the render package's,
// per language. Everything here is pure: no I/O, no clock.
package alarm

import (
	"github.com/aws/aws-lambda-go/events"
)

// Event is the SNS event Lambda delivers. Unlike events.SNSEvent, a record's Sns entity is a
// pointer so that a record without one is told apart from an empty message.
type Event struct {
	Records []Record `json:"Records"`
}

// Record is one SNS record of an Event.
type Record struct {
	EventSource string            `json:"EventSource"`
	SNS         *events.SNSEntity `json:"Sns"`
}

// payload is CloudWatch's alarm notification (the SNS Message). It extends aws-lambda-go's type with
// the fields that type misses: composite alarms and a trigger that can tell "no threshold" from 0.
type payload struct {
	events.CloudWatchAlarmSNSPayload
	Trigger            *trigger          `json:"Trigger"`
	AlarmRule          string            `json:"AlarmRule"`
	ConfigUpdated      string            `json:"AlarmConfigurationUpdatedTimestamp"`
	TriggeringChildren []triggeringChild `json:"TriggeringChildren"`
}

// trigger shadows Threshold (absent for anomaly detection, which is not the same as 0) and adds the
// fields aws-lambda-go's CloudWatchAlarmTrigger lacks.
type trigger struct {
	events.CloudWatchAlarmTrigger
	Threshold         *float64 `json:"Threshold"`
	ExtendedStatistic string   `json:"ExtendedStatistic"`
	DatapointsToAlarm int64    `json:"DatapointsToAlarm"`
	ThresholdMetricID string   `json:"ThresholdMetricId"`
}

// triggeringChild names an alarm whose state change made a composite alarm change state.
type triggeringChild struct {
	Arn   string `json:"Arn"`
	State struct {
		Value     string `json:"Value"`
		Timestamp string `json:"Timestamp"`
	} `json:"State"`
}
