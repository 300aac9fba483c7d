// Package overflow keeps an alarm storm readable and nothing lost: a notification the destination
// pushes back on (HTTP 429, Slack's ratelimited, a connector's "HTTP error 429") — or any, while
// others already wait — goes into the destination's overflow queue (SQS) instead of waiting out
// the rate limit. Lambda's SQS event source mapping hands the queue back in batches (its batching
// window, batch size and maximum concurrency do the pacing); each batch becomes digest posts (a
// webhook: Handler) or lines of shared digest roots edited in place (a Slack app: SlackAppHandler),
// one line per alarm at its newest state, and what could not be shown is reported as a partial
// batch failure, to come back later and at last to the dead-letter queue.
package overflow

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
)

// Queue is the overflow queue's SQS calls the relay makes: SendMessage, and GetQueueAttributes to
// learn whether others wait. *SQS is the real one.
type Queue interface {
	Send(ctx context.Context, body string) error
	Waiting(ctx context.Context) (int, error)
}

// SQS is the overflow queue through awsapi's signed calls (the SDK's SQS client would add its
// weight to every cold start).
type SQS struct {
	api *awsapi.Client
	url string
}

// NewSQS is the queue at queueURL, with AWS_REGION, the credentials and AWS_ENDPOINT_URL_SQS (or
// AWS_ENDPOINT_URL) from the environment, as Lambda and the tests set them.
func NewSQS(getenv func(string) string, queueURL string, client *http.Client) (*SQS, error) {
	api, err := awsapi.SQS.NewFromEnv(getenv, client)
	if err != nil {
		return nil, fmt.Errorf("overflow queue: %w", err)
	}
	return &SQS{api: api, url: queueURL}, nil
}

// Send puts one message on the queue; it returns only once SQS has it.
func (q *SQS) Send(ctx context.Context, body string) error {
	var out struct {
		MessageID string `json:"MessageId"`
	}
	if err := q.api.JSON(ctx, "AmazonSQS.SendMessage", map[string]any{"QueueUrl": q.url, "MessageBody": body}, &out); err != nil {
		return fmt.Errorf("overflow queue: %w", err)
	}
	if out.MessageID == "" {
		return fmt.Errorf("overflow queue: SendMessage answered without a MessageId: the message may not be there")
	}
	return nil
}

// Waiting is how many messages the queue holds, visible, in flight (a digest being posted) or
// delayed: approximate, as SQS counts them.
func (q *SQS) Waiting(ctx context.Context) (int, error) {
	names := []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}
	var out struct{ Attributes map[string]string }
	if err := q.api.JSON(ctx, "AmazonSQS.GetQueueAttributes", map[string]any{"QueueUrl": q.url, "AttributeNames": names}, &out); err != nil {
		return 0, fmt.Errorf("overflow queue: %w", err)
	}
	total := 0
	for _, name := range names {
		if v, ok := out.Attributes[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0, fmt.Errorf("overflow queue: GetQueueAttributes: %s is %q, not a number", name, v)
			}
			total += n
		}
	}
	return total, nil
}
