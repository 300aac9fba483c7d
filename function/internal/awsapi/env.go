package awsapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Service describes one AWS service the relay calls: enough to sign for it, find its endpoint
// and speak its protocol.
type Service struct {
	Name        string // signing name, e.g. "dynamodb", "monitoring"
	EnvName     string // its part of AWS_ENDPOINT_URL_<EnvName>, which points it elsewhere, as in the AWS SDKs
	Host        string // the first label of its endpoint: <Host>.<region>.<the partition's DNS suffix>
	JSONVersion string // the JSON protocol's version (application/x-amz-json-<v>); "" for the query protocol
}

// The services the relay calls.
var (
	CloudWatch = Service{Name: "monitoring", EnvName: "CLOUDWATCH", Host: "monitoring"} // query protocol
	DynamoDB   = Service{Name: "dynamodb", EnvName: "DYNAMODB", Host: "dynamodb", JSONVersion: "1.0"}
	SQS        = Service{Name: "sqs", EnvName: "SQS", Host: "sqs", JSONVersion: "1.0"}
	SSM        = Service{Name: "ssm", EnvName: "SSM", Host: "ssm", JSONVersion: "1.1"}
)

// NewFromEnv builds a client of s from what Lambda sets (LoadEnv): the function's region, its
// endpoint there, or the one AWS_ENDPOINT_URL_<EnvName> or AWS_ENDPOINT_URL names.
func (s Service) NewFromEnv(getenv func(string) string, client *http.Client) (*Client, error) {
	env, err := LoadEnv(getenv)
	if err != nil {
		return nil, err
	}
	endpoint := s.EndpointOverride(getenv)
	if endpoint == "" {
		if endpoint, err = s.Endpoint(env.Region, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q for %s is not an http(s) URL", endpoint, s.Name)
	}
	return s.New(endpoint, env.Region, env.Credentials, client), nil
}

// EndpointOverride is the endpoint override for s (AWS_ENDPOINT_URL_<EnvName>, then
// AWS_ENDPOINT_URL), as the AWS SDKs read it; "" means the service's own endpoint.
func (s Service) EndpointOverride(getenv func(string) string) string {
	if e := getenv("AWS_ENDPOINT_URL_" + s.EnvName); e != "" {
		return e
	}
	return getenv("AWS_ENDPOINT_URL")
}

// Endpoint is s's own endpoint in region, https://<Host>.<region>.<DNS suffix>; partition ""
// means the one region belongs to (see DNSSuffix).
func (s Service) Endpoint(region, partition string) (string, error) {
	suffix, err := DNSSuffix(region, partition)
	if err != nil {
		return "", err
	}
	return "https://" + s.Host + "." + region + "." + suffix, nil
}

// Env is a region and its credentials.
type Env struct {
	Region      string
	Credentials aws.CredentialsProvider
}

// LoadEnv reads AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, naming what is missing.
func LoadEnv(getenv func(string) string) (Env, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return Env{}, errors.New("AWS_REGION is not set")
	}
	creds, err := EnvCredentials(getenv)
	if err != nil {
		return Env{}, err
	}
	return Env{Region: region, Credentials: creds}, nil
}

// EnvCredentials reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN alone, for
// a client that takes its region from elsewhere (the dead-letter queue's URL).
func EnvCredentials(getenv func(string) string) (aws.CredentialsProvider, error) {
	key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return nil, errors.New("AWS credentials are not set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	return aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))), nil
}

// dnsSuffixes are the AWS partitions' DNS suffixes (the SDK's partitions.json): a service lives at
// <host>.<region>.<suffix>, and aws-cn, aws-eusc or an ISO partition is not under amazonaws.com.
var dnsSuffixes = map[string]string{
	"aws":        "amazonaws.com",
	"aws-cn":     "amazonaws.com.cn",
	"aws-us-gov": "amazonaws.com",
	"aws-eusc":   "amazonaws.eu",
	"aws-iso":    "c2s.ic.gov",
	"aws-iso-b":  "sc2s.sgov.gov",
	"aws-iso-e":  "cloud.adc-e.uk",
	"aws-iso-f":  "csp.hci.ic.gov",
}

// regionPartitions tells the partition from a region's prefix (the SDK's region patterns; the
// first match wins, anything else is aws).
var regionPartitions = []struct{ prefix, partition string }{
	{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"eusc-", "aws-eusc"}, {"us-isob-", "aws-iso-b"},
	{"us-isof-", "aws-iso-f"}, {"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"},
}

// DNSSuffix is the domain of partition's endpoints; partition "" means the one region belongs to
// (an alarm's ARN names its partition; the function's own region does not).
func DNSSuffix(region, partition string) (string, error) {
	if partition == "" {
		partition = "aws"
		for _, p := range regionPartitions {
			if strings.HasPrefix(region, p.prefix) {
				partition = p.partition
				break
			}
		}
	}
	suffix, ok := dnsSuffixes[partition]
	if !ok {
		return "", fmt.Errorf("unknown AWS partition %q", partition)
	}
	return suffix, nil
}
