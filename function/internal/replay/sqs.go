package replay

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/function/internal/awsenv"
)

// Client is the dead-letter queue's SQS client: the three calls a replay makes, in SQS's JSON
// protocol through awsapi. The SDK's SQS client would link its packages, and their
// initialisation, into the Lambda bootstrap, whose every cold start would pay for a command that
// only runs locally.
type Client struct {
	api *awsapi.Client
}

// NewClient builds the SQS client from the environment: AWS_REGION and the credentials in
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (see awsenv), and
// AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL to point it elsewhere (tests use moto_server).
func NewClient(getenv func(string) string) (*Client, error) {
	if _, err := awsenv.Load(getenv); err != nil && getenv("AWS_REGION")+getenv("AWS_DEFAULT_REGION") != "" {
		// The region is there, so the credentials are not. A profile or SSO login is not read
		// here (see awsenv); the AWS CLI exports it.
		return nil, fmt.Errorf(`%w; with a profile or SSO login run: eval "$(aws configure export-credentials --format env)"`, err)
	}
	api, err := awsapi.NewFromEnv(getenv, "sqs", "SQS", "sqs", &http.Client{})
	if err != nil {
		return nil, err
	}
	return &Client{api: api}, nil
}

// Message is a received message: what a replay reads of it.
type Message struct {
	MessageID         string `json:"MessageId"`
	ReceiptHandle     string
	Body              string
	MessageAttributes map[string]MessageAttribute // a DeadLetterConfig queue's ErrorMessage, RequestID...
}

// MessageAttribute is a message attribute's value; Lambda's are strings.
type MessageAttribute struct {
	DataType    string
	StringValue string
}

// Receive asks for up to 10 messages with every attribute, long-polling for a second (which asks
// every SQS server: an empty answer means empty), and hides them for visibility.
func (c *Client) Receive(ctx context.Context, queueURL string, visibility time.Duration) ([]Message, error) {
	in := map[string]any{
		"QueueUrl":                    queueURL,
		"MaxNumberOfMessages":         10,
		"WaitTimeSeconds":             1,
		"MessageAttributeNames":       []string{"All"},
		"MessageSystemAttributeNames": []string{"ApproximateReceiveCount"},
	}
	if s := int(visibility / time.Second); s != 0 {
		in["VisibilityTimeout"] = s
	}
	var out struct{ Messages []Message }
	if err := c.api.JSON(ctx, "AmazonSQS.ReceiveMessage", in, &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Delete removes a received message from the queue.
func (c *Client) Delete(ctx context.Context, queueURL, receiptHandle string) error {
	return c.api.JSON(ctx, "AmazonSQS.DeleteMessage", map[string]any{"QueueUrl": queueURL, "ReceiptHandle": receiptHandle}, nil)
}

// ChangeVisibility makes a received message visible again after visibility (0: at once).
func (c *Client) ChangeVisibility(ctx context.Context, queueURL, receiptHandle string, visibility time.Duration) error {
	return c.api.JSON(ctx, "AmazonSQS.ChangeMessageVisibility",
		map[string]any{"QueueUrl": queueURL, "ReceiptHandle": receiptHandle, "VisibilityTimeout": int(visibility / time.Second)}, nil)
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
