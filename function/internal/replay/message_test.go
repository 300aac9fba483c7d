package replay

import (
	"os"
	"strings"
	"testing"
)

func readFixture(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

const reminderTick = `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"]}`

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body           string
		shape                Shape
		condition, lastError string
		errHas               string
	}{
		{name: "on-failure record", body: readFixture(t, "testdata/on-failure-record.json"), shape: OnFailureRecord, condition: "RetriesExhausted",
			lastError: `NotDeliveredError: 1 of 1 notifications not delivered: "orders-api latency (alarm-relay/dev)": slack answered HTTP 404: no_service`},
		{name: "event too old", body: readFixture(t, "testdata/event-age-exceeded.json"), shape: OnFailureRecord, condition: "EventAgeExceeded"},
		{name: "DeadLetterConfig SNS event", body: readFixture(t, "../../testdata/latency-alarm.json"), shape: SNSEvent},
		{name: "empty", body: " \n", errHas: "the message body is empty"},
		{name: "text", body: "hello", errHas: "is not a JSON object"},
		{name: "array", body: `[{"Records":[]}]`, errHas: "is not a JSON object"},
		{name: "other JSON", body: `{"detail-type":"CloudWatch Alarm State Change"}`, errHas: "neither a Lambda on-failure record (no requestPayload), an SNS event (no Records) nor a reminder tick (no alarmRelay)"},
		{name: "record without payload", body: `{"requestContext":{"condition":"RetriesExhausted"},"responsePayload":{"errorType":"X"}}`, errHas: "carries no requestPayload"},
		{name: "record with null payload", body: `{"requestContext":{},"requestPayload":null}`, errHas: "carries no requestPayload"},
		{name: "record with a non-SNS payload", body: `{"requestContext":{},"requestPayload":"hello"}`, errHas: "requestPayload: not an SNS event"},
		{name: "record with no records", body: `{"requestContext":{},"requestPayload":{"Records":[]}}`, errHas: "requestPayload: an SNS event without records"},
		{name: "SNS event without records", body: `{"Records":[]}`, errHas: "an SNS event without records"},
		{name: "SNS event of the wrong type", body: `{"Records":{"Sns":1}}`, errHas: "not an SNS event"},
		{name: "DeadLetterConfig reminder tick", body: reminderTick, shape: ReminderTick},
		{name: "on-failure record of a reminder tick", body: `{"requestContext":{"condition":"RetriesExhausted"},"requestPayload":` + reminderTick + `}`, shape: OnFailureRecord, condition: "RetriesExhausted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Decode(tt.body)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v, want %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Shape != tt.shape || l.Condition != tt.condition || l.LastError != tt.lastError {
				t.Errorf("got shape %q condition %q last error %q; want %q %q %q", l.Shape, l.Condition, l.LastError, tt.shape, tt.condition, tt.lastError)
			}
			if strings.Contains(tt.body, "alarmRelay") {
				if string(l.Reminder) != reminderTick || len(l.Event.Records) != 0 {
					t.Errorf("reminder %s, event %+v; want the tick itself", l.Reminder, l.Event)
				}
				return
			}
			if len(l.Event.Records) != 1 || l.Event.Records[0].SNS == nil || l.Event.Records[0].SNS.MessageID != "5f1c3a4e-6b1d-5a0e-9b3e-2f2d8a8c1d01" {
				t.Errorf("event = %+v, want the latency alarm's one SNS record", l.Event)
			}
		})
	}
}

// FuzzDecode: any body decodes or is refused with an error, never a panic, and a decoded letter
// always has records to relay.
func FuzzDecode(f *testing.F) {
	f.Add(readFixture(f, "testdata/on-failure-record.json"))
	f.Add(readFixture(f, "../../testdata/latency-alarm.json"))
	f.Add(`{"requestContext":{},"requestPayload":{"Records":[{}]}}`)
	f.Add(`{"Records":[null]}`)
	f.Fuzz(func(t *testing.T, body string) {
		l, err := Decode(body)
		if err == nil && len(l.Event.Records) == 0 && l.Reminder == nil {
			t.Errorf("decoded a letter with neither records nor a reminder from %q", body)
		}
	})
}
