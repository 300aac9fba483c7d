package settings

// A webhook destination gets an overflow queue: what the webhook pushes back on during an alarm
// storm waits there, and Lambda's SQS event source mapping hands it back to the relay in batches,
// each posted as a digest. Its one setting is the batching window; the defaults need no tuning.

// Overflow queue settings.
const (
	// DefaultOverflowWindowSeconds is how long the event source mapping gathers a batch: long
	// enough that a storm's changes share a digest, short enough that the first digest follows
	// the first push-back within seconds.
	DefaultOverflowWindowSeconds = 2
	// MaxOverflowWindowSeconds is Lambda's maximum MaximumBatchingWindowInSeconds.
	MaxOverflowWindowSeconds = 300
	// OverflowBatchSize is how many messages one batch (one digest post, as a rule) holds: what a
	// Teams card's 28 KB holds as lines; a batch that needs more is posted in more digests.
	OverflowBatchSize = 50
	// OverflowMaxConcurrency is the mapping's ScalingConfig.MaximumConcurrency: the least Lambda
	// allows. A webhook takes about one post a second, so more would only meet more 429s.
	OverflowMaxConcurrency = 2
	// OverflowMaxReceives is how often a message is tried before it goes to the dead-letter queue
	// (AWS advises at least 5, so that throttled invocations do not dead-letter it early).
	OverflowMaxReceives = 5

	overflowWindowField = "overflowWindowSeconds"
)

// Overflow tells whether the destination has an overflow queue: every destination does. A
// webhook's batches become digest posts; a Slack app's, shared digest roots edited in place.
func (d Destination) Overflow() bool { return true }

// OverflowWindow is the batching window of the destination's overflow queue, in seconds.
func (d Destination) OverflowWindow() int {
	if d.OverflowWindowSeconds == 0 {
		return DefaultOverflowWindowSeconds
	}
	return d.OverflowWindowSeconds
}

// overflowWindow reads a destination's overflowWindowSeconds; 0 when unset or wrong (then a
// problem names it).
func (r *reader) overflowWindow(prefix string, o *entry, d Destination) int {
	w := o.whole(overflowWindowField, "seconds such as 5")
	switch {
	case w == nil:
		return 0
	case *w < 1 || *w > MaxOverflowWindowSeconds:
		// Lambda refuses a window under 1 s for a batch size over 10, and over 300 s at all.
		r.fail(prefix+overflowWindowField, "%d must be between 1 and %d seconds (the default, %d, needs no tuning): how long the overflow queue gathers alarm changes into one digest",
			*w, MaxOverflowWindowSeconds, DefaultOverflowWindowSeconds)
		return 0
	}
	return *w
}
