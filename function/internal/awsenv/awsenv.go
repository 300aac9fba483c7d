// Package awsenv reads what Lambda puts in a function's environment for AWS calls: the region and
// the role's credentials. The relay builds its small AWS clients (awsapi's signed calls to SSM,
// DynamoDB and CloudWatch, trend's CloudWatch call, replay's SQS) from it rather than from the
// SDK's config package, whose shared-config, SSO and STS clients would add 2 MB to every cold
// start for credential sources a Lambda function never uses.
package awsenv

import (
	"errors"

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
