package relayconfig

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReminderInput(t *testing.T) {
	arns := []string{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:주문 <지연> & \"x\""}
	got, err := ReminderInput(60, arns)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)","arn:aws:cloudwatch:us-east-1:123456789012:alarm:주문 \u003c지연\u003e \u0026 \"x\""]}`
	if got != want {
		t.Errorf("ReminderInput =\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []struct {
		every int
		arns  []string
		err   string
	}{
		{0, arns, "everyMinutes is 0; use 5 to 1440"},
		{MinRemindMinutes - 1, arns, "everyMinutes is 4; use 5 to 1440"},
		{MaxRemindMinutes + 1, arns, "everyMinutes is 1441"},
		{7 * 24 * 60, arns, "everyMinutes is 10080"},
		{5, nil, "alarmArns is empty"},
	} {
		if _, err := ReminderInput(bad.every, bad.arns); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("ReminderInput(%d, %d ARNs) = %v, want %q", bad.every, len(bad.arns), err, bad.err)
		}
	}
}

// TestReminderRoundTrip: what the stack's schedule sends, the relay reads back unchanged.
func TestReminderRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		every int
		arns  []string
	}{
		{MinRemindMinutes, []string{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"}},
		{60, []string{"arn:aws-us-gov:cloudwatch:us-gov-west-1:1:alarm:a:b:c", "arn:aws:cloudwatch:ap-northeast-2:1:alarm:주문 <지연> & \"x\""}},
		{MaxRemindMinutes, []string{"arn:aws:cloudwatch:us-east-1:1:alarm:y"}},
	} {
		input, err := ReminderInput(tt.every, tt.arns)
		if err != nil {
			t.Fatal(err)
		}
		e, isIt, err := ParseReminderEvent([]byte(input))
		if !isIt || err != nil || e.Every() != time.Duration(tt.every)*time.Minute || !reflect.DeepEqual(e.AlarmARNs, tt.arns) {
			t.Errorf("ParseReminderEvent(%s) = %+v, %v, %v", input, e, isIt, err)
		}
	}
}

func TestParseReminderEvent(t *testing.T) {
	arn := `"arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"`
	tests := []struct {
		raw    string
		isIt   bool
		errHas string
	}{
		{`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":[` + arn + `]}`, true, ""},
		{`{"Records":[{"Sns":{}}]}`, false, ""},
		{`{"version":"0","source":"aws.events","detail-type":"Scheduled Event"}`, false, ""},
		{`[1,2]`, false, ""},
		{`{"alarmRelay":"remind","everyMinutes":0,"alarmArns":[` + arn + `]}`, true, "everyMinutes is 0; use 5 to 1440"},
		{`{"alarmRelay":"remind","everyMinutes":10080,"alarmArns":[` + arn + `]}`, true, "everyMinutes is 10080; use 5 to 1440"},
		{`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":[]}`, true, "alarmArns is empty"},
		{`{"alarmRelay":"nag","everyMinutes":60,"alarmArns":[` + arn + `]}`, true, `alarmRelay is "nag"`},
		{`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["not-an-arn"]}`, true, `alarmArns: "not-an-arn" is not a CloudWatch alarm ARN`},
		{`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":[` + arn + `,"arn:aws:cloudwatch:us-east-1:1:alarm:"]}`, true, `is not a CloudWatch alarm ARN`},
		{`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:sns:us-east-1:1:alarm:x"]}`, true, `is not a CloudWatch alarm ARN`},
		{`{"alarmRelay":"remind","everyMinute":60,"alarmArns":[` + arn + `]}`, true, `unknown field "everyMinute"`},
	}
	for _, tt := range tests {
		e, isIt, err := ParseReminderEvent([]byte(tt.raw))
		if isIt != tt.isIt || (tt.errHas == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("%s: %v, %v; want %v, %q", tt.raw, isIt, err, tt.isIt, tt.errHas)
		}
		if err == nil && isIt && (e.Every() != time.Hour || len(e.AlarmARNs) != 1) {
			t.Errorf("%s: %+v", tt.raw, e)
		}
	}
}

// FuzzParseReminderEvent: any input is a reminder or not, with an error or a checked event; never
// a panic, and an accepted event is always usable.
func FuzzParseReminderEvent(f *testing.F) {
	f.Add([]byte(`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:1:alarm:x"]}`))
	f.Add([]byte(`{"Records":[]}`))
	f.Add([]byte(`{"alarmRelay":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, isIt, err := ParseReminderEvent(raw)
		if !isIt && err != nil {
			t.Fatalf("not a reminder, yet an error: %v", err)
		}
		if isIt && err == nil && (e.Every() < time.Minute || len(e.AlarmARNs) == 0 || e.Action != actionRemind) {
			t.Fatalf("accepted %+v", e)
		}
	})
}
