package wiring

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/overflow"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// LambdaHandler is the function's handler: the relay's, and with OVERFLOW_QUEUE_URL (the stack
// sets it for every destination) the overflow queue's too — a notification the webhook (or the
// Slack app's channel) pushes back on waits in the queue, and the queue's SQS batches are posted
// as digests (for a Slack app: shown in shared digest roots edited in place).
func LambdaHandler(r *relay.Relay, getenv func(string) string, log *slog.Logger) (func(context.Context, json.RawMessage) (any, error), error) {
	queueURL := getenv(relayconfig.EnvOverflowQueueURL)
	if queueURL == "" {
		return func(ctx context.Context, raw json.RawMessage) (any, error) {
			if overflow.IsSQSEvent(raw) {
				err := fmt.Errorf("an SQS batch, but %s is not set: this function has no overflow queue", relayconfig.EnvOverflowQueueURL)
				log.ErrorContext(ctx, "event rejected", "error", err.Error())
				return nil, &relay.InvalidEventError{Err: err}
			}
			return nil, r.HandleJSON(ctx, raw)
		}, nil
	}
	// Each destination kind has its overflow handler (overflow.Handler refuses a kind it does not
	// serve); a webhook's queue shares the webhook's HTTP client.
	client := deliver.NewHTTPClient()
	build := overflow.Handler
	switch d := r.Destination().(type) {
	case *relay.Webhook:
		if hook, ok := d.Poster.(*deliver.Webhook); ok {
			client = hook.Client
		}
	case *relay.SlackApp:
		build = overflow.SlackAppHandler
	}
	queue, err := overflow.NewSQS(getenv, queueURL, client)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", relayconfig.EnvOverflowQueueURL, err)
	}
	handler, err := build(r, queue)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", relayconfig.EnvOverflowQueueURL, err)
	}
	return handler, nil
}
