package replay

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/alarm-relay/alarm-relay/function/internal/awsenv"
)

// NewClient builds the SQS client from the environment: AWS_REGION and the credentials in
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (see awsenv), and
// AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL to point it elsewhere (tests use moto_server).
func NewClient(getenv func(string) string) (*sqs.Client, error) {
	env, err := awsenv.Load(getenv)
	if err != nil && getenv("AWS_REGION")+getenv("AWS_DEFAULT_REGION") != "" {
		// The region is there, so the credentials are not. A profile or SSO login is not read
		// here (see awsenv); the AWS CLI exports it.
		return nil, fmt.Errorf(`%w; with a profile or SSO login run: eval "$(aws configure export-credentials --format env)"`, err)
	}
	if err != nil {
		return nil, err
	}
	opts := sqs.Options{Region: env.Region, Credentials: env.Credentials}
	if endpoint := awsenv.Endpoint(getenv, "SQS"); endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return sqs.New(opts), nil
}

// CheckQueueURL rejects what cannot be a queue URL before any AWS call, naming the expected form.
func CheckQueueURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("queue URL %q is not an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-dead-letters-1a2b3c4 (pulumi stack output deadLetterQueueUrl)", raw)
	}
	if strings.Count(strings.Trim(u.Path, "/"), "/") != 1 {
		return fmt.Errorf("queue URL %q must end in /ACCOUNT/QUEUE_NAME (pulumi stack output deadLetterQueueUrl)", raw)
	}
	return nil
}
