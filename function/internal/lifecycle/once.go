package lifecycle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
)

// Slack message metadata that tags every post of the relay, so that a post whose answer was lost
// can be found (conversations.history / .replies with include_all_metadata) instead of posted
// again: chat.postMessage is not idempotent.
const (
	MetadataEventType = "alarm_relay_incident"
	metaIncident      = "incident" // the alarm ARN (or SNS message) and the destination
	metaPost          = "post"     // the post's id: the same for every retry of the same post
)

// postID names one post of an incident: the same change's same kind of post gets the same id in
// every retry, in any container.
func (x *Tracker) postID(key incident.Key, change, kind string) string {
	sum := sha256.Sum256([]byte(key.AlarmARN + "\n" + key.Destination + "\n" + change + "\n" + kind))
	return hex.EncodeToString(sum[:12])
}

// once posts m at most once, whatever happens to the answer:
//   - before posting, the attempt is saved in the item (pending, with its id and time);
//   - a post whose answer was lost is looked for in the channel (or thread) since that time;
//   - once Slack accepted it, its ts is saved at once, before anything else can fail;
//   - a retry (same id) takes the post found or saved instead of posting again.
//
// Without the history scope a lost post cannot be looked for: that is logged, and it is posted
// again (two messages rather than none).
func (x *Tracker) once(ctx context.Context, lock *incident.Lock, inc *incident.Incident, m slackapi.Message, id string) (slackapi.Posted, error) {
	i := slices.IndexFunc(inc.Pending, func(p incident.Pending) bool { return p.ID == id })
	if i >= 0 {
		p := inc.Pending[i]
		ts := p.TS
		if ts == "" {
			found, err := x.find(ctx, inc.Key, p)
			if err != nil {
				return slackapi.Posted{}, err
			}
			ts = found
		}
		if ts != "" {
			inc.Pending[i].TS = ts
			return slackapi.Posted{Channel: p.Channel, TS: ts}, nil
		}
		// Not in Slack: post it now, under the same id, looked for since the first attempt (where
		// it goes now: a reply's thread may have been replaced meanwhile).
		inc.Pending[i].Channel, inc.Pending[i].ThreadTS = m.Channel, m.ThreadTS
	} else {
		inc.Pending = append(inc.Pending, incident.Pending{ID: id, At: x.now(), Channel: m.Channel, ThreadTS: m.ThreadTS})
		i = len(inc.Pending) - 1
	}
	if err := lock.Save(ctx, *inc); err != nil {
		return slackapi.Posted{}, fmt.Errorf("record the post before making it: %w", err)
	}
	m.Metadata = &slackapi.Metadata{EventType: MetadataEventType, Payload: map[string]string{metaIncident: inc.Key.AlarmARN + " " + inc.Key.Destination, metaPost: id}}
	posted, err := x.slack.PostMessage(ctx, m)
	if errors.Is(err, slackapi.ErrOutcomeUnknown) {
		found, ferr := x.find(ctx, inc.Key, inc.Pending[i])
		if ferr != nil || found == "" {
			// Still unknown (Slack's history may lag): the retry looks again before posting.
			return slackapi.Posted{}, errors.Join(err, ferr)
		}
		posted, err = slackapi.Posted{Channel: m.Channel, TS: found}, nil
	}
	if err != nil {
		if !errors.Is(err, slackapi.ErrOutcomeUnknown) {
			// Slack said no: nothing to look for later.
			inc.Pending = slices.Delete(inc.Pending, i, i+1)
			err = errors.Join(err, lock.Save(ctx, *inc))
		}
		return slackapi.Posted{}, err
	}
	if posted.Channel == "" {
		posted.Channel = m.Channel
	}
	inc.Pending[i].TS, inc.Pending[i].Channel = posted.TS, posted.Channel
	if err := lock.Save(ctx, *inc); err != nil {
		return posted, fmt.Errorf("posted (%s) but not saved: %w", posted.TS, err)
	}
	return posted, nil
}

// settlePending deals with posts left pending by an earlier attempt that this plan will not make
// again (another change came first): a root among them that is in Slack becomes one of the
// incident's other roots, so that it is updated and resolved with it instead of staying red.
func (x *Tracker) settlePending(ctx context.Context, inc *incident.Incident, planned []string) error {
	var keep []incident.Pending
	for _, p := range inc.Pending {
		if slices.Contains(planned, p.ID) {
			keep = append(keep, p)
			continue
		}
		if p.ThreadTS != "" {
			continue // a reply of another change: it is shown, nothing to update
		}
		ts := p.TS
		if ts == "" {
			found, err := x.find(ctx, inc.Key, p)
			if err != nil {
				return err
			}
			ts = found
		}
		if ts != "" && ts != inc.RootTS && !slices.Contains(inc.Roots, ts) {
			x.log().WarnContext(ctx, "a second root message exists for the incident; it is kept up to date with the first", "alarm", inc.Key.AlarmARN, "root_ts", inc.RootTS, "other_ts", ts)
			inc.Roots = append(inc.Roots, ts)
			if inc.Channel == "" {
				inc.Channel = p.Channel
			}
		}
	}
	inc.Pending = keep
	return nil
}

// find looks for a pending post in Slack; "" when it is not there. Without the history scope it
// says so in the log and reports not found.
func (x *Tracker) find(ctx context.Context, key incident.Key, p incident.Pending) (string, error) {
	ts, err := x.slack.Find(ctx, slackapi.Lookup{Channel: p.Channel, ThreadTS: p.ThreadTS, Since: p.At, EventType: MetadataEventType, PostKey: metaPost, PostID: p.ID})
	if errors.Is(err, slackapi.ErrNoHistoryScope) {
		x.log().WarnContext(ctx, "cannot look for a post whose answer was lost, so it may show twice: give the Slack app the channels:history (public channel) or groups:history (private channel) scope",
			"alarm", key.AlarmARN, "channel", p.Channel, "post_id", p.ID, "error", err.Error())
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look for a post whose answer was lost: %w", err)
	}
	return ts, nil
}
