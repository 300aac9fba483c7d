package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// PostOnce posts a message that belongs to no incident but must not be posted twice for one
// occasion, however often its event is delivered (EventBridge Scheduler delivers at least once,
// and Lambda retries a failed invocation whole): a maintenance window's summary, keyed by the
// window, with at its occurrence's end. The post is remembered in the incident table under key
// (no alarm ARN, so no incident's), closed, so that the table's TTL removes it; a delivery that
// finds it remembered posts nothing and returns posted false. A post whose answer was lost is not
// remembered, so a retry may still show it twice: at least once, as everywhere else.
func (x *Incidents) PostOnce(ctx context.Context, key string, at time.Time, payload []byte) (posted bool, err error) {
	lock, inc, err := x.store.Lock(ctx, incident.Key{AlarmARN: key, Destination: x.destination})
	if err != nil {
		return false, err
	}
	if inc.RootTS != "" && inc.LastChange.Equal(at) {
		return false, lock.Release(ctx)
	}
	postCtx := ctx
	if deadline, ok := ctx.Deadline(); ok { // keep time to remember the post, as Apply does
		var cancel context.CancelFunc
		postCtx, cancel = context.WithDeadline(ctx, deadline.Add(-x.CommitReserve))
		defer cancel()
	}
	p, err := x.slack.PostMessage(postCtx, slackapi.Message{Channel: x.channel, Payload: payload})
	if err != nil {
		return false, errors.Join(err, lock.Release(ctx))
	}
	if p.Channel == "" {
		p.Channel = x.channel
	}
	if err := lock.Commit(ctx, incident.Incident{Channel: p.Channel, RootTS: p.TS, LastChange: at, Closed: true, ClosedAt: x.now()}); err != nil {
		return true, fmt.Errorf("posted but not remembered: %w", err)
	}
	return true, nil
}
