package stormtest

import (
	"encoding/xml"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CloudWatch answers DescribeAlarms (the query protocol, as the relay's cwalarms asks) with the
// states the storm driver sets as its alarms change, as CloudWatch would know them. moto's
// CloudWatch does the same call, but at the storm's pace (a SetAlarmState per change) it would be
// the slowest part of the harness.
type CloudWatch struct {
	mu     sync.Mutex
	alarms map[string]cwAlarm
	Calls  int
}

type cwAlarm struct {
	state string
	since time.Time
}

// NewCloudWatch knows no alarms.
func NewCloudWatch() *CloudWatch { return &CloudWatch{alarms: map[string]cwAlarm{}} }

// Set records c as its alarm's current state.
func (c *CloudWatch) Set(ch Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.alarms[ch.Alarm]; !ok || ch.At.After(old.since) {
		c.alarms[ch.Alarm] = cwAlarm{state: ch.State, since: ch.At}
	}
}

type cwMember struct {
	Name         string `xml:"AlarmName"`
	ARN          string `xml:"AlarmArn"`
	State        string `xml:"StateValue"`
	Reason       string `xml:"StateReason"`
	Transitioned string `xml:"StateTransitionedTimestamp"`
}

func (c *CloudWatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeAlarms" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("<ErrorResponse><Error><Code>InvalidAction</Code><Message>the storm harness answers DescribeAlarms only</Message></Error></ErrorResponse>"))
		return
	}
	c.mu.Lock()
	c.Calls++
	var members []cwMember
	for key, values := range r.Form {
		if !strings.HasPrefix(key, "AlarmNames.member.") {
			continue
		}
		name := values[0]
		if a, ok := c.alarms[name]; ok {
			members = append(members, cwMember{Name: name, ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + name, State: a.state,
				Reason: "storm", Transitioned: a.since.UTC().Format(time.RFC3339Nano)})
		}
	}
	c.mu.Unlock()
	var out struct {
		XMLName xml.Name   `xml:"DescribeAlarmsResponse"`
		Metric  []cwMember `xml:"DescribeAlarmsResult>MetricAlarms>member"`
	}
	out.Metric = members
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(out)
}
