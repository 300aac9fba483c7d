package replay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// takenMeanwhile is a queue where another consumer (a second replay started at the same moment)
// takes n messages after this run read the counts and before its first receive.
type takenMeanwhile struct {
	*Client
	n     int
	taken bool
}

func (q *takenMeanwhile) Receive(ctx context.Context, queueURL string, visibility time.Duration) ([]Message, error) {
	if !q.taken {
		q.taken = true
		var got []Message
		for len(got) < q.n {
			ms, err := q.Client.Receive(ctx, queueURL, 5*time.Minute)
			if err != nil {
				return nil, err
			}
			got = append(got, ms...)
		}
		for _, m := range got[q.n:] {
			if err := q.ChangeVisibility(ctx, queueURL, m.ReceiptHandle, 0); err != nil {
				return nil, err
			}
		}
	}
	return q.Client.Receive(ctx, queueURL, visibility)
}

// Messages another consumer takes while this replay runs were visible when it started: counting
// only what was invisible then called the queue empty (exit 0) while they were in flight.
func TestReplayCountsMessagesTakenDuringTheRun(t *testing.T) {
	client, queueURL := newQueue(t)
	for range 3 {
		send(t, client, queueURL, readFixture(t, "testdata/on-failure-record.json"), nil)
	}
	handle := func(context.Context, alarm.Event) error { return nil }
	s, err := Run(context.Background(), &takenMeanwhile{Client: client, n: 2}, queueURL, handle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	var inFlight *InFlightError
	if !errors.As(err, &inFlight) || s.InFlight == 0 || s.Delivered != 1 {
		t.Errorf("err = %v, summary %s; want an InFlightError and the one visible message delivered", err, s)
	}
}
