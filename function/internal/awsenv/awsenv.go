// Package awsenv reads what Lambda puts in a function's environment for AWS calls: the region and
// the role's credentials. The relay builds its small AWS clients (awsapi's signed calls to SSM,
// DynamoDB, CloudWatch and SQS) from it rather than from the SDK's config package, whose
// shared-config, SSO and STS clients would add 2 MB to every cold start for credential sources a
// Lambda function never uses.
package awsenv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Env is a region and its credentials.
type Env struct {
	Region      string
	Credentials aws.CredentialsProvider
}

// Load reads AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, naming what is missing.
func Load(getenv func(string) string) (Env, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return Env{}, errors.New("AWS_REGION is not set")
	}
	key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return Env{}, errors.New("AWS credentials are not set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	return Env{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))),
	}, nil
}

// Endpoint is the endpoint override for a service (AWS_ENDPOINT_URL_<SERVICE>, then
// AWS_ENDPOINT_URL), as the AWS SDKs read it; "" means the service's own endpoint.
func Endpoint(getenv func(string) string, service string) string {
	if e := getenv("AWS_ENDPOINT_URL_" + service); e != "" {
		return e
	}
	return getenv("AWS_ENDPOINT_URL")
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
