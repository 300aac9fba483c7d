package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/replay"
	"github.com/alarm-relay/alarm-relay/function/internal/wiring"
)

// replayDeadLetters delivers the queue's messages with the relay the settings describe, prints the
// summary, and succeeds only when nothing is left in the queue.
func replayDeadLetters(ctx context.Context, queueURL string, getenv func(string) string, s wiring.Settings, timeout time.Duration, stdout, stderr io.Writer, log *slog.Logger) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bootstrap: -replay-dead-letters: %v\n", err)
		return exitUsageError
	}
	if err := replay.CheckQueueURL(queueURL); err != nil {
		return fail(err)
	}
	r, err := wiring.NewRelay(ctx, getenv, s, log)
	if err != nil {
		return fail(err)
	}
	queue, err := replay.NewClient(getenv)
	if err != nil {
		return fail(err)
	}
	// A dead-lettered reminder tick reminds about what is still in ALARM now.
	summary, err := replay.Run(ctx, queue, queueURL, r.Handle, log, replay.Options{Timeout: timeout, Remind: r.HandleJSON})
	fmt.Fprintf(stdout, "dead-letter queue %s: %s\n", queueURL, summary)
	if err != nil {
		fmt.Fprintf(stderr, "bootstrap: %v\n", err)
		return exitNotSent
	}
	if summary.Left() > 0 {
		return exitNotSent
	}
	return exitOK
}
