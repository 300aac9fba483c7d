package build

import (
	"context"
	"testing"
	"time"
)

// TestExclusiveWaitsForTheBuildInProgress: while one build holds the lock (flock locks per open
// file, so a goroutine stands in for another test binary), another does not start; it gives up
// when its context ends, and runs once the first is done.
func TestExclusiveWaitsForTheBuildInProgress(t *testing.T) {
	held := make(chan struct{})
	release := make(chan struct{})
	go Exclusive(context.Background(), func() error { close(held); <-release; return nil })
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	ran := false
	err := Exclusive(ctx, func() error { ran = true; return nil })
	if err == nil || ran {
		t.Errorf("Exclusive = %v (ran %v), want it to give up waiting", err, ran)
	}
	close(release)
	if err := Exclusive(context.Background(), func() error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("after the first build: Exclusive = %v (ran %v), want it to run", err, ran)
	}
}
