package stormtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SQS calls moto_server's SQS JSON API. moto does not check signatures, so the harness sends
// none (the relay's own calls are signed, through its awsapi package).
type SQS struct {
	Endpoint string
	HTTP     *http.Client
}

// Call makes one SQS call: op is e.g. "ReceiveMessage".
func (s SQS) Call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
	client := s.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// Queues creates the overflow queue and its dead-letter queue, redriving after maxReceives, and
// returns their URLs.
func (s SQS) Queues(ctx context.Context, name string, visibility time.Duration, maxReceives int) (overflow, deadLetters string, err error) {
	var dlq struct{ QueueUrl string }
	if err := s.Call(ctx, "CreateQueue", map[string]any{"QueueName": name + "-dead-letters"}, &dlq); err != nil {
		return "", "", err
	}
	var attrs struct{ Attributes map[string]string }
	if err := s.Call(ctx, "GetQueueAttributes", map[string]any{"QueueUrl": dlq.QueueUrl, "AttributeNames": []string{"QueueArn"}}, &attrs); err != nil {
		return "", "", err
	}
	redrive, _ := json.Marshal(map[string]any{"deadLetterTargetArn": attrs.Attributes["QueueArn"], "maxReceiveCount": maxReceives})
	var q struct{ QueueUrl string }
	err = s.Call(ctx, "CreateQueue", map[string]any{"QueueName": name, "Attributes": map[string]string{
		"VisibilityTimeout": fmt.Sprint(int(visibility / time.Second)), "RedrivePolicy": string(redrive)}}, &q)
	return q.QueueUrl, dlq.QueueUrl, err
}

// Count is how many messages a queue holds, visible and in flight.
func (s SQS) Count(ctx context.Context, queueURL string) (int, error) {
	var out struct{ Attributes map[string]string }
	if err := s.Call(ctx, "GetQueueAttributes", map[string]any{"QueueUrl": queueURL,
		"AttributeNames": []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}}, &out); err != nil {
		return 0, err
	}
	var a, b int
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &a)
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessagesNotVisible"], &b)
	return a + b, nil
}
