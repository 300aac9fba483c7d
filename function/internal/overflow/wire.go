package overflow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
)

// Handler is the function's handler for a webhook relay with an overflow queue: SQS batches
// become digests, SNS events are relayed directly unless the webhook pushes back or others wait,
// and anything else (reminders) goes to the relay. It makes the relay's own posts give up at the
// first 429 (FailFast); a digest waits out Retry-After and is made again (see Overflow.post).
func Handler(r *relay.Relay, queue Queue) (func(context.Context, json.RawMessage) (any, error), error) {
	dest, _ := r.Destination().(*relay.Webhook)
	var hook *deliver.Webhook
	if dest != nil {
		hook, _ = dest.Poster.(*deliver.Webhook)
	}
	if hook == nil {
		return nil, fmt.Errorf("the overflow queue serves webhook destinations only, not messenger %s", r.Messenger())
	}
	direct := *hook
	direct.Judge = FailFast(hook.Judge)
	dest.Poster = &direct
	r.SetPushBack(Throttled)
	// A digest stops at a push-back too: it is made again (with the alarms' states of then)
	// before each try, so that what lands is never older than what landed before it.
	o := New(queue, &direct, r.Messenger(), r.Options(), r.Log())
	o.current = r.Alarms()
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		if IsSQSEvent(raw) {
			return o.HandleSQS(ctx, raw)
		}
		return nil, o.HandleSNS(ctx, raw, r.Handle, r.HandleJSON)
	}, nil
}
