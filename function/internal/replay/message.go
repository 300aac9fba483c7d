package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// Shape is where a dead letter came from.
type Shape string

const (
	// OnFailureRecord is what Lambda's asynchronous on-failure destination writes (the stack
	// configures this): an invocation record whose requestPayload is the SNS event.
	OnFailureRecord Shape = "on-failure record"
	// SNSEvent is the event itself, as a function's DeadLetterConfig queue receives it.
	SNSEvent Shape = "SNS event"
	// ReminderTick is the reminder schedule's event ({"alarmRelay":"remind",…}) itself.
	ReminderTick Shape = "reminder tick"
)

// Letter is one dead letter, decoded.
type Letter struct {
	Shape Shape
	Event alarm.Event
	// Reminder is the reminder schedule's event, when the failed invocation was a reminder tick
	// (Event is then empty). Replaying it reminds about the alarms still in ALARM now.
	Reminder json.RawMessage
	// LastError is why the last invocation failed, when the record says (on-failure records carry
	// the function's error; DeadLetterConfig messages carry it as the ErrorMessage attribute).
	LastError string
	// Condition is why Lambda gave up: RetriesExhausted or EventAgeExceeded (on-failure records).
	Condition string
}

// invocationRecord is the on-failure destination's record. Only what the replay needs is decoded.
type invocationRecord struct {
	RequestContext *struct {
		Condition string `json:"condition"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
	Records         json.RawMessage `json:"Records"`
	Reminder        *string         `json:"alarmRelay"`
}

// isReminder tells the reminder schedule's event by its marker; the relay checks the rest.
func isReminder(payload []byte) bool {
	var probe struct {
		Kind *string `json:"alarmRelay"`
	}
	return json.Unmarshal(payload, &probe) == nil && probe.Kind != nil
}

// Decode reads a dead-letter message body: an on-failure invocation record or a plain SNS event.
// Its errors say why the body is neither; it never returns part of the body (an alarm message is
// not secret, but it can be long).
func Decode(body string) (Letter, error) {
	trimmed := bytes.TrimSpace([]byte(body))
	if len(trimmed) == 0 {
		return Letter{}, errors.New("the message body is empty")
	}
	var rec invocationRecord
	if err := json.Unmarshal(trimmed, &rec); err != nil {
		return Letter{}, fmt.Errorf("the message body is not a JSON object: %w", err)
	}
	switch {
	case rec.RequestContext != nil || rec.RequestPayload != nil:
		return decodeRecord(rec)
	case rec.Reminder != nil:
		return Letter{Shape: ReminderTick, Reminder: trimmed}, nil
	case rec.Records != nil:
		ev, err := decodeEvent(trimmed)
		if err != nil {
			return Letter{}, err
		}
		return Letter{Shape: SNSEvent, Event: ev}, nil
	}
	return Letter{}, errors.New("the message is neither a Lambda on-failure record (no requestPayload), an SNS event (no Records) nor a reminder tick (no alarmRelay)")
}

func decodeRecord(rec invocationRecord) (Letter, error) {
	l := Letter{Shape: OnFailureRecord, LastError: lastError(rec.ResponsePayload)}
	if rec.RequestContext != nil {
		l.Condition = rec.RequestContext.Condition
	}
	if len(bytes.TrimSpace(rec.RequestPayload)) == 0 || string(bytes.TrimSpace(rec.RequestPayload)) == "null" {
		return Letter{}, errors.New("the on-failure record carries no requestPayload")
	}
	if isReminder(rec.RequestPayload) {
		l.Reminder = bytes.TrimSpace(rec.RequestPayload)
		return l, nil
	}
	ev, err := decodeEvent(rec.RequestPayload)
	if err != nil {
		return Letter{}, fmt.Errorf("the on-failure record's requestPayload: %w", err)
	}
	l.Event = ev
	return l, nil
}

func decodeEvent(data []byte) (alarm.Event, error) {
	var ev alarm.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return alarm.Event{}, fmt.Errorf("not an SNS event: %w", err)
	}
	if len(ev.Records) == 0 {
		return alarm.Event{}, errors.New("an SNS event without records")
	}
	return ev, nil
}

// lastError is the function error in an on-failure record's responsePayload
// ({"errorType": ..., "errorMessage": ...}), "" when there is none.
func lastError(payload json.RawMessage) string {
	var resp struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &resp) != nil {
		return ""
	}
	switch {
	case resp.ErrorType != "" && resp.ErrorMessage != "":
		return resp.ErrorType + ": " + resp.ErrorMessage
	default:
		return resp.ErrorType + resp.ErrorMessage
	}
}
