package alarm

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNoRecords is returned for an event that carries no SNS records: there is nothing to relay, and
// posting an empty message would hide whatever sent it.
var ErrNoRecords = errors.New("SNS event has no records")

// cloudWatchTime is the layout of CloudWatch's timestamps ("2022-09-25T18:50:37.811+0000").
const cloudWatchTime = "2006-01-02T15:04:05.000-0700"

// Parse turns every record of an SNS event into a notification. It fails, naming the record, when
// the event has no records or a record has no Sns entity: nothing should be posted for such an event.
func Parse(ev Event) ([]Notification, error) {
	if len(ev.Records) == 0 {
		return nil, ErrNoRecords
	}
	out := make([]Notification, 0, len(ev.Records))
	for i, rec := range ev.Records {
		if rec.SNS == nil {
			return nil, fmt.Errorf("record %d of %d has no Sns entity (event source %q): not an SNS event", i+1, len(ev.Records), rec.EventSource)
		}
		out = append(out, ParseMessage(rec.SNS.MessageID, rec.SNS.Subject, rec.SNS.Message, rec.SNS.Timestamp))
	}
	return out, nil
}

// ParseMessage reads one SNS message. A CloudWatch alarm notification becomes an Alarm; anything
// else (plain text, other JSON, a malformed alarm) is kept as text so that it is still delivered.
func ParseMessage(id, subject, message string, published time.Time) Notification {
	n := Notification{MessageID: id, Subject: subject, Published: published}
	if a, ok := parseAlarm(message); ok {
		n.Alarm = a
	} else {
		n.Text = message
	}
	return n
}

func parseAlarm(message string) (*Alarm, bool) {
	trimmed := strings.TrimSpace(message)
	if !strings.HasPrefix(trimmed, "{") {
		return nil, false
	}
	var p payload
	if err := json.Unmarshal([]byte(trimmed), &p); err != nil {
		return nil, false
	}
	if p.AlarmName == "" || p.NewStateValue == "" {
		return nil, false
	}
	a := &Alarm{
		Name:          p.AlarmName,
		Description:   p.AlarmDescription,
		ARN:           p.AlarmARN,
		AccountID:     p.AWSAccountID,
		RegionName:    p.Region,
		State:         State(p.NewStateValue),
		PreviousState: State(p.OldStateValue),
		Reason:        p.NewStateReason,
	}
	a.ChangedAt = parseTime(p.StateChangeTime)
	a.ConfigUpdatedAt = parseTime(p.ConfigUpdated)
	if arn, ok := ParseARN(p.AlarmARN); ok {
		a.Partition, a.Region = arn.Partition, arn.Region
		if a.AccountID == "" {
			a.AccountID = arn.Account
		}
		a.ConsoleURL = consoleURL(arn.Partition, arn.Region, a.Name)
	}
	describe(a, &p)
	return a, true
}

// parseTime reads CloudWatch's timestamp layout, or RFC 3339; zero when it is neither.
func parseTime(s string) time.Time {
	if t, err := time.Parse(cloudWatchTime, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// ARN is a CloudWatch alarm's ARN, split.
type ARN struct {
	Partition, Region, Account, Name string
}

// ParseARN splits "arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>"; the name itself
// may contain colons, so only the first six separate fields. Partition and region must be there.
func ParseARN(s string) (ARN, bool) {
	f := strings.SplitN(s, ":", 7)
	if len(f) != 7 || f[0] != "arn" || f[2] != "cloudwatch" || f[5] != "alarm" || f[1] == "" || f[3] == "" {
		return ARN{}, false
	}
	return ARN{Partition: f[1], Region: f[3], Account: f[4], Name: f[6]}, true
}

// consoleDomains maps an AWS partition to its console domain.
var consoleDomains = map[string]string{
	"aws":        "console.aws.amazon.com",
	"aws-cn":     "console.amazonaws.cn",
	"aws-us-gov": "console.amazonaws-us-gov.com",
}

// consoleURL links to the alarm the way AWS's own alarm e-mails do.
func consoleURL(partition, region, name string) string {
	domain, ok := consoleDomains[partition]
	if !ok || !ValidRegion(region) {
		return ""
	}
	return "https://" + region + "." + domain + "/cloudwatch/deeplink.js?region=" + region +
		"#alarmsV2:alarm/" + encodeURIComponent(name)
}

// ValidRegion tells whether r can be a region code (lower-case letters, digits and dashes), safe
// to put in a host name.
func ValidRegion(r string) bool {
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return r != ""
}

// encodeURIComponent escapes s like JavaScript's function of that name (space becomes %20, and
// A-Z a-z 0-9 - _ . ! ~ * ' ( ) stay as they are), which is what the CloudWatch console expects.
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
