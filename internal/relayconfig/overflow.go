package relayconfig

// EnvOverflowQueueURL is the URL of the destination's overflow queue (SQS): with it set, a
// notification the webhook pushes back on (HTTP 429) waits there, and the queue's batches arrive
// as SQS events that the relay posts as digests. The stack sets it for webhook destinations.
const EnvOverflowQueueURL = "OVERFLOW_QUEUE_URL"
