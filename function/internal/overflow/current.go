package overflow

import (
	"context"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// currentTimeout bounds the DescribeAlarms call of a batch; without an answer the digest shows
// the batch's own newest changes.
const currentTimeout = 3 * time.Second

// toCurrent leaves out, or brings up to date, each line whose alarm has changed since (CloudWatch's
// current state is another one, entered after the line's change). Two batches are posted at once
// (the mapping's maximum concurrency is 2, SQS keeps no order, and failed messages come back
// minutes later): without this, a batch holding an alarm's older change could land after the one
// holding its newer change, and chat would end on the older state.
//
// A line superseded by ALARM or OK is left out: that change has its own notification, which
// reaches this destination (every minimumState takes changes to ALARM, and to OK from ALARM) and
// is posted before or after, so showing it here too would show it twice. A line superseded by
// INSUFFICIENT_DATA shows that state instead: the destination's filter may keep that change from
// it. Made right before each post (see postOne), a digest never shows an alarm older than a digest
// that landed before it.
func (o *Overflow) toCurrent(ctx context.Context, entries []Entry) (kept []Entry, superseded []Entry) {
	if o.current == nil {
		return entries, nil
	}
	var arns []string
	seen := map[string]bool{}
	for _, e := range entries {
		if a := e.Notification.Alarm; a != nil && a.ARN != "" && !seen[a.ARN] {
			seen[a.ARN] = true
			arns = append(arns, a.ARN)
		}
	}
	if len(arns) == 0 {
		return entries, nil
	}
	cctx, cancel := context.WithTimeout(ctx, currentTimeout)
	defer cancel()
	states, err := o.current(cctx, arns)
	if err != nil {
		o.log.WarnContext(ctx, "alarms' current states unavailable; the digest shows the batch's newest changes", "error", err.Error())
		return entries, nil
	}
	byARN := map[string]int{}
	for i, s := range states {
		byARN[s.ARN] = i
	}
	for _, e := range entries {
		a := e.Notification.Alarm
		j, ok := 0, false
		if a != nil {
			j, ok = byARN[a.ARN]
		}
		if !ok {
			kept = append(kept, e)
			continue
		}
		now := states[j]
		if now.State == string(a.State) || now.Since.IsZero() || !now.Since.After(a.ChangedAt) {
			kept = append(kept, e)
			continue
		}
		attrs := []any{"alarm", a.Name, "message_id", e.Notification.MessageID, "state", string(a.State), "current_state", now.State}
		if alarm.State(now.State) != alarm.StateInsufficientData {
			o.log.InfoContext(ctx, "alarm changed since; its newer change is posted on its own, not this one", attrs...)
			superseded = append(superseded, e)
			continue
		}
		o.log.InfoContext(ctx, "alarm changed since; the digest shows its current state", attrs...)
		current := *a
		current.PreviousState, current.State, current.ChangedAt = a.State, alarm.State(now.State), now.Since
		current.Reason, current.Observed, current.ExpectedMax, current.ExpectedMin = now.Reason, nil, nil, nil
		e.Notification.Alarm = &current
		e.Folded++
		if e.Was == "" {
			e.Was = a.State
		}
		kept = append(kept, e)
	}
	return kept, superseded
}
