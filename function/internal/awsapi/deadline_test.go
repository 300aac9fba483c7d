package awsapi

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// silent is a loopback server that accepts connections, reads nothing and never answers: a
// DynamoDB or CloudWatch endpoint that hangs. It counts the connections it took.
func silent(t *testing.T) (endpoint string, accepted *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = &atomic.Int32{}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String(), accepted
}

// An endpoint that never answers must not take the call to the context's deadline (Lambda's
// "Task timed out"): every attempt ends Reserve before it, and the error says what happened.
func TestSilentEndpointEndsBeforeTheDeadline(t *testing.T) {
	tests := []struct {
		name     string
		timeout  time.Duration // one attempt's cap
		deadline time.Duration
		calls    func(c *Client, ctx context.Context) error
		want     []string
		attempts int32 // at least
	}{
		{"DynamoDB, one attempt longer than the time left", 5 * time.Second, 1200 * time.Millisecond,
			func(c *Client, ctx context.Context) error {
				return c.JSON(ctx, "DynamoDB_20120810.GetItem", map[string]string{"TableName": "t"}, &struct{}{})
			},
			[]string{"GetItem http://127.0.0.1:", "no answer within", "ending 500ms before the deadline"}, 1},
		{"CloudWatch, short attempts retried until the reserve", 250 * time.Millisecond, 1500 * time.Millisecond,
			func(c *Client, ctx context.Context) error {
				return c.Query(ctx, url.Values{"Action": {"DescribeAlarms"}}, &struct{}{})
			},
			// The last attempt may be cut shorter by the reserve, so its limit is not always 250ms.
			[]string{"DescribeAlarms http://127.0.0.1:", "no answer within", "(the attempt's limit"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint, accepted := silent(t)
			c := client(t, endpoint)
			c.sleep = nil // real waits: the deadline is real
			c.Timeout, c.Attempts = tt.timeout, 10
			ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
			defer cancel()
			deadline, _ := ctx.Deadline()
			err := tt.calls(c, ctx)
			returned := time.Now()
			if err == nil {
				t.Fatal("a server that never answers answered")
			}
			if left := deadline.Sub(returned); left < c.Reserve/2 {
				t.Errorf("returned %s before the deadline; want at least about the reserve of %s left: %v", left, c.Reserve, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to say %q", err, w)
				}
			}
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				t.Errorf("the caller's context ended (%v) before the call returned %v", ctx.Err(), err)
			}
			if accepted.Load() < tt.attempts {
				t.Errorf("%d attempts reached the server, want at least %d", accepted.Load(), tt.attempts)
			}
		})
	}
}

// With less time left than the reserve, no call is made: the caller gets an error at once.
func TestNoCallInsideTheReserve(t *testing.T) {
	endpoint, accepted := silent(t)
	c := client(t, endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), c.Reserve/2)
	defer cancel()
	err := c.JSON(ctx, "DynamoDB_20120810.PutItem", map[string]string{}, nil)
	if err == nil || !strings.Contains(err.Error(), "PutItem: not called") || !strings.Contains(err.Error(), "kept to report the failure") {
		t.Errorf("err = %v", err)
	}
	if ctx.Err() != nil || accepted.Load() != 0 {
		t.Errorf("the call waited for the deadline (%v) or reached the server (%d connections)", ctx.Err(), accepted.Load())
	}
}
