// Package trend fetches an alarm metric's last hour from CloudWatch (one GetMetricData call) so
// that a message can show how the metric got where it is. The call goes through awsapi: the full
// CloudWatch client would add about 7 MB to a bootstrap that has to stay small for cold starts.
package trend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
)

// Window is how far back a trend looks.
const Window = time.Hour

// Fetcher makes the GetMetricData call.
type Fetcher struct {
	// Endpoint overrides CloudWatch's address (tests use moto_server); "" means the alarm's own
	// region and partition: https://monitoring.<region>.<the partition's DNS suffix>.
	Endpoint    string
	Region      string // the function's region, for alarms whose ARN names none
	Credentials aws.CredentialsProvider
	HTTP        *http.Client
	Timeout     time.Duration // the whole call; the alert never waits longer for its trend
}

// NewFromEnv builds a Fetcher from what Lambda sets (awsapi.LoadEnv); AWS_ENDPOINT_URL_CLOUDWATCH
// or AWS_ENDPOINT_URL point it elsewhere (tests use moto_server).
func NewFromEnv(getenv func(string) string, client *http.Client) (*Fetcher, error) {
	env, err := awsapi.LoadEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("trend: %w", err)
	}
	return &Fetcher{
		Endpoint:    awsapi.CloudWatch.EndpointOverride(getenv),
		Region:      env.Region,
		Credentials: env.Credentials,
		HTTP:        client,
		Timeout:     1500 * time.Millisecond,
	}, nil
}

// Fetch returns the metric's values over the hour before end, oldest first.
func (f *Fetcher) Fetch(ctx context.Context, q alarm.MetricQuery, end time.Time) ([]float64, error) {
	if q.Namespace == "" || q.Name == "" || q.Stat == "" {
		return nil, errors.New("trend: the alarm names no single metric")
	}
	period := q.Period
	if period <= 0 {
		period = 60
	}
	form := url.Values{
		"Action":    {"GetMetricData"},
		"Version":   {"2010-08-01"},
		"StartTime": {end.Add(-Window).UTC().Format(time.RFC3339)},
		"EndTime":   {end.UTC().Format(time.RFC3339)},
		"ScanBy":    {"TimestampAscending"},
	}
	const m = "MetricDataQueries.member.1."
	form.Set(m+"Id", "trend")
	form.Set(m+"ReturnData", "true")
	form.Set(m+"MetricStat.Metric.Namespace", q.Namespace)
	form.Set(m+"MetricStat.Metric.MetricName", q.Name)
	for i, d := range q.Dimensions {
		p := fmt.Sprintf(m+"MetricStat.Metric.Dimensions.member.%d.", i+1)
		form.Set(p+"Name", d.Name)
		form.Set(p+"Value", d.Value)
	}
	form.Set(m+"MetricStat.Period", strconv.FormatInt(period, 10))
	form.Set(m+"MetricStat.Stat", q.Stat)

	var out struct {
		Results []struct {
			Timestamps []string  `xml:"Timestamps>member"`
			Values     []float64 `xml:"Values>member"`
		} `xml:"GetMetricDataResult>MetricDataResults>member"`
	}
	endpoint, region, err := f.target(q)
	if err != nil {
		return nil, err
	}
	if err := f.call(ctx, endpoint, region, form, &out); err != nil {
		return nil, err
	}
	if len(out.Results) == 0 {
		return nil, errors.New("trend: GetMetricData returned no result")
	}
	r := out.Results[0]
	if len(r.Timestamps) != len(r.Values) {
		return nil, fmt.Errorf("trend: %d timestamps for %d values", len(r.Timestamps), len(r.Values))
	}
	points := make([]struct {
		at time.Time
		v  float64
	}, len(r.Values))
	for i := range r.Values {
		at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(r.Timestamps[i]))
		if err != nil {
			return nil, fmt.Errorf("trend: timestamp %q: %w", r.Timestamps[i], err)
		}
		points[i].at, points[i].v = at, r.Values[i]
	}
	sort.Slice(points, func(i, j int) bool { return points[i].at.Before(points[j].at) })
	values := make([]float64, len(points))
	for i, p := range points {
		values[i] = p.v
	}
	return values, nil
}

// target is where to ask for q's series, and the region to sign for: the override, else the
// alarm's region in its partition.
func (f *Fetcher) target(q alarm.MetricQuery) (endpoint, region string, err error) {
	region, partition := q.Region, q.Partition
	if region == "" {
		region, partition = f.Region, ""
	}
	if f.Endpoint != "" {
		return strings.TrimRight(f.Endpoint, "/"), region, nil
	}
	endpoint, err = awsapi.CloudWatch.Endpoint(region, partition)
	if err != nil {
		return "", "", fmt.Errorf("trend: %w (no CloudWatch endpoint known; set AWS_ENDPOINT_URL_CLOUDWATCH)", err)
	}
	if !alarm.ValidRegion(region) {
		return "", "", fmt.Errorf("trend: region %q is not a region name", region)
	}
	return endpoint, region, nil
}

// call makes one signed query-protocol call (awsapi) to endpoint, signed for region, and decodes
// the XML answer into out: a single attempt within Timeout, so that the alert never waits longer
// for its trend.
func (f *Fetcher) call(ctx context.Context, endpoint, region string, form url.Values, out any) error {
	api := awsapi.CloudWatch.New(endpoint, region, f.Credentials, f.HTTP)
	api.Attempts, api.Timeout = 1, f.Timeout
	if err := api.Query(ctx, form, out); err != nil {
		return fmt.Errorf("trend: %w", err)
	}
	return nil
}
