package replay

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/internal/loopback"
)

// Client is the dead-letter queue's SQS client: the three calls a replay makes, in SQS's JSON
// protocol through awsapi. The SDK's SQS client would link its packages, and their
// initialisation, into the Lambda bootstrap, whose every cold start would pay for a command that
// only runs locally.
//
// The queue's region is the one its URL names (sqs.<region>.amazonaws.com, the legacy
// <region>.queue.amazonaws.com, a VPC endpoint's host): a queue lives where its URL says, and a
// call signed for another region only fails. AWS_REGION is used for a URL that names no region
// (a local emulator, called at the URL's own loopback host); when it names another region than
// the URL, the URL wins and the replay says so in its log (Notes).
type Client struct {
	credentials aws.CredentialsProvider
	envRegion   string // AWS_REGION or AWS_DEFAULT_REGION; "" when unset
	override    string // AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL
	http        *http.Client

	mu   sync.Mutex
	apis map[string]*awsapi.Client // by queue URL
}

// NewClient builds the SQS client from the environment: the credentials in AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (awsapi.EnvCredentials), AWS_REGION for a queue URL
// that names no region, and AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL to point it elsewhere (tests
// use moto_server).
func NewClient(getenv func(string) string) (*Client, error) {
	creds, err := awsapi.EnvCredentials(getenv)
	if err != nil {
		// A profile or SSO login is not read here: the SDK's credential chain would add 393 KB
		// and about 1 ms of start-up to the Lambda's bootstrap. The AWS CLI exports it.
		return nil, fmt.Errorf(`%w; with a profile or SSO login run: eval "$(aws configure export-credentials --format env)"`, err)
	}
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	return &Client{credentials: creds, envRegion: region, override: awsapi.SQS.EndpointOverride(getenv),
		http: &http.Client{}, apis: map[string]*awsapi.Client{}}, nil
}

// api is the signed client for the queue at queueURL: its region from the URL (else the
// environment's), its endpoint from AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL, else from the URL.
func (c *Client) api(queueURL string) (*awsapi.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if api, ok := c.apis[queueURL]; ok {
		return api, nil
	}
	region, endpoint := queueLocation(queueURL)
	if region == "" {
		region = c.envRegion
	}
	if region == "" {
		return nil, fmt.Errorf("queue URL %q names no region (sqs.<region>.amazonaws.com), and AWS_REGION is not set", queueURL)
	}
	if c.override != "" {
		endpoint = c.override
	} else if u, err := url.Parse(queueURL); endpoint == "" && err == nil && loopback.IsHost(u.Hostname()) {
		// A local emulator's queue (LocalStack, moto) is called where it is, never at AWS with its
		// URL. Another host that names no region is not sent the credentials' signature either:
		// the call goes to the region's endpoint, which rejects a foreign queue URL.
		endpoint = u.Scheme + "://" + u.Host
	}
	if endpoint == "" {
		var err error
		if endpoint, err = awsapi.SQS.Endpoint(region, ""); err != nil {
			return nil, fmt.Errorf("sqs: %w", err)
		}
	}
	if u, err := url.Parse(endpoint); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q for sqs is not an http(s) URL", endpoint)
	}
	api := awsapi.SQS.New(endpoint, region, c.credentials, c.http)
	c.apis[queueURL] = api
	return api, nil
}

// call makes one SQS call on the queue at queueURL.
func (c *Client) call(ctx context.Context, queueURL, target string, in, out any) error {
	api, err := c.api(queueURL)
	if err != nil {
		return err
	}
	return api.JSON(ctx, target, in, out)
}

// Notes says what a user may not expect of the client's choice for queueURL: a region taken
// from the URL that differs from AWS_REGION. "" when there is nothing to say.
func (c *Client) Notes(queueURL string) string {
	region, _ := queueLocation(queueURL)
	if region == "" || c.envRegion == "" || region == c.envRegion {
		return ""
	}
	return fmt.Sprintf("the queue URL names region %s and AWS_REGION is %s: calling the queue in %s, where its URL says it lives", region, c.envRegion, region)
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
	if err := c.call(ctx, queueURL, "AmazonSQS.ReceiveMessage", in, &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Delete removes a received message from the queue.
func (c *Client) Delete(ctx context.Context, queueURL, receiptHandle string) error {
	return c.call(ctx, queueURL, "AmazonSQS.DeleteMessage", map[string]any{"QueueUrl": queueURL, "ReceiptHandle": receiptHandle}, nil)
}

// ChangeVisibility makes a received message visible again after visibility (0: at once).
func (c *Client) ChangeVisibility(ctx context.Context, queueURL, receiptHandle string, visibility time.Duration) error {
	return c.call(ctx, queueURL, "AmazonSQS.ChangeMessageVisibility",
		map[string]any{"QueueUrl": queueURL, "ReceiptHandle": receiptHandle, "VisibilityTimeout": int(visibility / time.Second)}, nil)
}

// Counts are the queue's approximate message counts, which SQS keeps per queue.
type Counts struct {
	Visible    int           // ApproximateNumberOfMessages
	NotVisible int           // ApproximateNumberOfMessagesNotVisible: received and not yet deleted or released
	Delayed    int           // ApproximateNumberOfMessagesDelayed
	Visibility time.Duration // the queue's default visibility timeout
}

// Counts reads the queue's attributes (sqs:GetQueueAttributes).
func (c *Client) Counts(ctx context.Context, queueURL string) (Counts, error) {
	in := map[string]any{"QueueUrl": queueURL, "AttributeNames": []string{
		"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "VisibilityTimeout"}}
	var out struct{ Attributes map[string]string }
	if err := c.call(ctx, queueURL, "AmazonSQS.GetQueueAttributes", in, &out); err != nil {
		return Counts{}, err
	}
	var counts Counts
	for name, dst := range map[string]*int{
		"ApproximateNumberOfMessages": &counts.Visible, "ApproximateNumberOfMessagesNotVisible": &counts.NotVisible,
		"ApproximateNumberOfMessagesDelayed": &counts.Delayed,
	} {
		n, err := strconv.Atoi(out.Attributes[name])
		if err != nil || n < 0 {
			return Counts{}, fmt.Errorf("GetQueueAttributes: %s is %q, not a count", name, out.Attributes[name])
		}
		*dst = n
	}
	if s, err := strconv.Atoi(out.Attributes["VisibilityTimeout"]); err == nil && s >= 0 {
		counts.Visibility = time.Duration(s) * time.Second
	}
	return counts, nil
}

// CheckQueueURL rejects what cannot be a queue URL before any AWS call, naming the expected form.
func CheckQueueURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("queue URL %q is not an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/alarm-relay-dead-letters-1a2b3c4 (pulumi stack output deadLetterQueueUrl)", raw)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("queue URL %q has a query (?…); give the queue URL alone, ending in /ACCOUNT/QUEUE_NAME (pulumi stack output deadLetterQueueUrl)", raw)
	}
	if u.Fragment != "" {
		return fmt.Errorf("queue URL %q has a fragment (#…); give the queue URL alone, ending in /ACCOUNT/QUEUE_NAME (pulumi stack output deadLetterQueueUrl)", raw)
	}
	if strings.HasSuffix(u.Path, "/") {
		// SQS takes the last segment for the queue's name: an empty one names no queue.
		return fmt.Errorf("queue URL %q ends in /; drop it: the URL ends in /ACCOUNT/QUEUE_NAME (pulumi stack output deadLetterQueueUrl)", raw)
	}
	if strings.Count(strings.Trim(u.Path, "/"), "/") != 1 {
		return fmt.Errorf("queue URL %q must end in /ACCOUNT/QUEUE_NAME (pulumi stack output deadLetterQueueUrl)", raw)
	}
	return nil
}
