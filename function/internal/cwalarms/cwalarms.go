// Package cwalarms asks CloudWatch (DescribeAlarms) for the current state of named alarms, so that
// a scheduled reminder can tell which are still in ALARM and since when, a window's end can sum up
// its alarms, and a digest never shows a state older than an alarm's current one. It is one
// hand-signed query-protocol call (see awsapi), asked only about the alarms it is given.
package cwalarms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
)

// Alarm is an alarm's current state.
type Alarm struct {
	Name   string
	ARN    string
	State  string    // ALARM, OK or INSUFFICIENT_DATA
	Since  time.Time // when the alarm entered State; zero when CloudWatch did not say
	Reason string
}

// Lister makes the DescribeAlarms calls.
type Lister struct {
	api *awsapi.Client
}

// NewFromEnv builds a Lister from what Lambda sets (awsapi.LoadEnv); AWS_ENDPOINT_URL_CLOUDWATCH
// or AWS_ENDPOINT_URL point it elsewhere (tests use moto_server).
func NewFromEnv(getenv func(string) string, client *http.Client) (*Lister, error) {
	api, err := awsapi.CloudWatch.NewFromEnv(getenv, client)
	if err != nil {
		return nil, fmt.Errorf("alarm states: %w", err)
	}
	return &Lister{api: api}, nil
}

// batch is how many names one DescribeAlarms call may name.
const batch = 100

// Describe returns the state of each metric alarm in arns that exists (composite alarms are not
// asked for: see describe), in the order CloudWatch returns them. ARNs must be alarms in the Lister's region.
func (l *Lister) Describe(ctx context.Context, arns []string) ([]Alarm, error) {
	names := make([]string, 0, len(arns))
	seen := map[string]bool{}
	var bad BadARNsError
	for _, arn := range arns {
		name, err := l.nameOf(arn)
		if err != nil {
			bad.ARNs, bad.Errs = append(bad.ARNs, arn), append(bad.Errs, err)
			continue
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	var out []Alarm
	for start := 0; start < len(names); start += batch {
		got, err := l.describe(ctx, names[start:min(start+batch, len(names))])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	if len(bad.ARNs) > 0 {
		return out, &bad
	}
	return out, nil
}

// BadARNsError lists the ARNs Describe could not ask about (not an alarm ARN, another region);
// the alarms it returns with it are the others'.
type BadARNsError struct {
	ARNs []string
	Errs []error
}

func (e *BadARNsError) Error() string { return errors.Join(e.Errs...).Error() }

// nameOf takes the alarm name from its ARN (alarm.ParseARN), which must be in the Lister's region.
func (l *Lister) nameOf(raw string) (string, error) {
	arn, ok := alarm.ParseARN(raw)
	if !ok || arn.Name == "" {
		return "", fmt.Errorf("%q is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)", raw)
	}
	if arn.Region != l.api.Region {
		return "", fmt.Errorf("alarm %q is in %s, not in this function's region %s", arn.Name, arn.Region, l.api.Region)
	}
	return arn.Name, nil
}

type member struct {
	Name         string `xml:"AlarmName"`
	ARN          string `xml:"AlarmArn"`
	State        string `xml:"StateValue"`
	Reason       string `xml:"StateReason"`
	Updated      string `xml:"StateUpdatedTimestamp"`
	Transitioned string `xml:"StateTransitionedTimestamp"` // the last change of state; Updated moves with the reason too
}

func (l *Lister) describe(ctx context.Context, names []string) ([]Alarm, error) {
	var alarms []Alarm
	next := ""
	for {
		form := url.Values{
			"Action":     {"DescribeAlarms"},
			"Version":    {"2010-08-01"},
			"MaxRecords": {strconv.Itoa(batch)},
			// Metric alarms only: the stack makes no other kind, and CloudWatch answers for
			// composite alarms only to a grant on "*" ("If you are using this operation to
			// retrieve composite alarms, you must be signed on with the cloudwatch:DescribeAlarms
			// permission that is scoped to *", CloudWatch API Reference, DescribeAlarms), while the
			// role grants DescribeAlarms on the reminded alarms' ARNs alone.
			"AlarmTypes.member.1": {"MetricAlarm"},
		}
		for i, n := range names {
			form.Set(fmt.Sprintf("AlarmNames.member.%d", i+1), n)
		}
		if next != "" {
			form.Set("NextToken", next)
		}
		var out struct {
			Metric    []member `xml:"DescribeAlarmsResult>MetricAlarms>member"`
			NextToken string   `xml:"DescribeAlarmsResult>NextToken"`
		}
		if err := l.api.Query(ctx, form, &out); err != nil {
			return nil, fmt.Errorf("alarm states: %w", err)
		}
		for _, m := range out.Metric {
			a := Alarm{Name: m.Name, ARN: m.ARN, State: m.State, Reason: m.Reason}
			since := m.Transitioned
			if since == "" {
				since = m.Updated
			}
			if since != "" {
				t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(since))
				if err != nil {
					return nil, fmt.Errorf("alarm states: %q's timestamp %q: %w", m.Name, since, err)
				}
				a.Since = t.UTC()
			}
			alarms = append(alarms, a)
		}
		if out.NextToken == "" {
			return alarms, nil
		}
		next = out.NextToken
	}
}
