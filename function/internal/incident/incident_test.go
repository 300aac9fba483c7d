package incident

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

const arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api latency (alarm-relay/dev)"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// newStore makes a store with a fresh table in moto_server.
func newStore(t *testing.T, endpoint, table string) *Store {
	t.Helper()
	s, err := New(table, env(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_ENDPOINT_URL_DYNAMODB": endpoint,
	}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// rawItem reads the item as stored, to check attributes Get does not return.
func rawItem(t *testing.T, s *Store, key Key) map[string]attr {
	t.Helper()
	var out struct{ Item map[string]attr }
	if err := s.api.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]any{"TableName": s.Table, "Key": keyAttrs(key), "ConsistentRead": true}, &out); err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestStore(t *testing.T) {
	// moto evaluates conditions without a lock; DynamoDB writes atomically (see Serialized).
	endpoint := testsupport.Serialized(t, testsupport.StartMoto(t))
	ctx := context.Background()
	key := Key{AlarmARN: arn, Destination: "team"}
	opened := time.Date(2026, 11, 20, 9, 15, 42, 811e6, time.UTC)

	t.Run("a lease never outlasts the longest function run", func(t *testing.T) {
		// Issue 17, item 6: a deadline hours away (a local run given -timeout 3h) takes no lease
		// that would block the alarm for longer than Lambda could ever run.
		s := newStore(t, endpoint, "clamped-lease")
		long, cancel := context.WithTimeout(ctx, 3*time.Hour)
		defer cancel()
		before := time.Now()
		lock, _, err := s.Lock(long, key)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Release(ctx)
		until, _ := strconv.ParseInt(*rawItem(t, s, key)[attrLockUntil].N, 10, 64)
		if lease := time.UnixMilli(until).Sub(before); lease > MaxLease+time.Second {
			t.Errorf("lease of %s", lease)
		}
	})

	t.Run("pending posts, other roots and shown changes read back", func(t *testing.T) {
		s := newStore(t, endpoint, "lists")
		lock, _, err := s.Lock(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		inc := Incident{Channel: "C1", RootTS: "1.1", State: "ALARM", Roots: []string{"1.0"}, Shown: []string{ChangeKey("ALARM", opened)},
			Pending: []Pending{{ID: "p1", At: opened, Channel: "C1", TS: "1.1"}}}
		if err := lock.Save(ctx, inc); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, key)
		inc.Key, inc.Version = key, 1
		if err != nil || !reflect.DeepEqual(got, inc) {
			t.Errorf("read back\n got %+v\nwant %+v (%v)", got, inc, err)
		}
		if rawItem(t, s, key)[attrLockToken].S == nil {
			t.Error("a save freed the lock")
		}
		inc.Pending = nil
		if err := lock.Commit(ctx, inc); err != nil {
			t.Fatal(err)
		}
		if item := rawItem(t, s, key); item[attrPending].S != nil || item[attrLockToken].S != nil {
			t.Errorf("after the commit: %v", item)
		}
	})

	t.Run("commit, read back, close with TTL", func(t *testing.T) {
		s := newStore(t, endpoint, "roundtrip")
		lock, inc, err := s.Lock(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Version != 0 || inc.Open() {
			t.Fatalf("a new key reads as %+v", inc)
		}
		open := Incident{Channel: "C0123ABCDEF", RootTS: "1764000000.000001", State: "ALARM", StateSince: opened, OpenedAt: opened, LastChange: opened}
		if err := lock.Commit(ctx, open); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		open.Key, open.Version = key, 1
		if !reflect.DeepEqual(got, open) {
			t.Errorf("read back\n got %+v\nwant %+v", got, open)
		}
		if item := rawItem(t, s, key); item[relayconfig.IncidentTTLAttribute].N != nil || item[attrLockToken].S != nil {
			t.Errorf("an open incident has a TTL or a lock after commit: %v", item)
		}

		lock, inc, err = s.Lock(ctx, key)
		if err != nil || !reflect.DeepEqual(inc, open) {
			t.Fatalf("relock: %+v, %v", inc, err)
		}
		closed := inc
		closed.Closed, closed.ClosedAt, closed.State = true, opened.Add(14*time.Minute), "OK"
		if err := lock.Commit(ctx, closed); err != nil {
			t.Fatal(err)
		}
		item := rawItem(t, s, key)
		if want := fmt.Sprint(opened.Add(14*time.Minute + s.Retention).Unix()); item[relayconfig.IncidentTTLAttribute].N == nil || *item[relayconfig.IncidentTTLAttribute].N != want {
			t.Errorf("TTL of a closed incident = %v, want %s", item[relayconfig.IncidentTTLAttribute], want)
		}
		if got, _ := s.Get(ctx, key); !got.Closed || got.Version != 2 || got.Open() {
			t.Errorf("closed incident reads as %+v", got)
		}
	})

	t.Run("a retried commit is not an error", func(t *testing.T) {
		s := newStore(t, endpoint, "retried")
		lock, _, err := s.Lock(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := lock.Commit(ctx, Incident{State: "ALARM", RootTS: "1.1"}); err != nil {
				t.Fatalf("commit %d: %v", i+1, err)
			}
		}
	})

	t.Run("a held lock makes others wait, then give up", func(t *testing.T) {
		s := newStore(t, endpoint, "held")
		lock, _, err := s.Lock(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		var waits []time.Duration
		s.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
		s.WorkTime = 5 * time.Second
		short, cancel := context.WithTimeout(ctx, 5500*time.Millisecond)
		defer cancel()
		if _, _, err := s.Lock(short, key); !errors.Is(err, ErrBusy) {
			t.Fatalf("second lock: %v, want ErrBusy", err)
		}
		if len(waits) == 0 {
			t.Error("gave up without waiting")
		}
		if err := lock.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if item := rawItem(t, s, key); item != nil {
			t.Errorf("a lock that committed nothing left an item: %v", item)
		}
		if _, _, err := s.Lock(short, key); err != nil {
			t.Errorf("lock after release: %v", err)
		}
	})

	t.Run("a dead holder's lease runs out", func(t *testing.T) {
		s := newStore(t, endpoint, "lease")
		now := time.Now()
		s.Now = func() time.Time { return now }
		dead, _, err := s.Lock(ctx, key) // no deadline: DefaultLease
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(s.DefaultLease + time.Second)
		taker, _, err := s.Lock(ctx, key)
		if err != nil {
			t.Fatalf("the expired lease was not taken over: %v", err)
		}
		if err := dead.Commit(ctx, Incident{State: "ALARM"}); err == nil || !strings.Contains(err.Error(), "lease ran out") {
			t.Errorf("the dead holder committed: %v", err)
		}
		if err := dead.Release(ctx); err != nil {
			t.Errorf("releasing a lost lock: %v", err)
		}
		if err := taker.Commit(ctx, Incident{State: "ALARM", RootTS: "1.2"}); err != nil {
			t.Errorf("the new holder could not commit: %v", err)
		}
	})

	t.Run("concurrent invocations take turns", func(t *testing.T) {
		s := newStore(t, endpoint, "turns")
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				lock, inc, err := s.Lock(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				// Each holder appends itself to what the previous one wrote: a lost update shows.
				inc.RootTS += fmt.Sprintf("%d,", i)
				errs <- lock.Commit(ctx, inc)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		got, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != n || strings.Count(got.RootTS, ",") != n {
			t.Errorf("after %d turns: version %d, writes %q", n, got.Version, got.RootTS)
		}
	})

	t.Run("a missing table is a clear error", func(t *testing.T) {
		s := newStore(t, endpoint, "exists")
		s.Table = "missing"
		_, _, err := s.Lock(ctx, key)
		if err == nil || !strings.Contains(err.Error(), `lock incident: DynamoDB table "missing" (STATE_TABLE) not found in us-east-1: `) ||
			!strings.Contains(err.Error(), "ResourceNotFoundException") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestNew(t *testing.T) {
	base := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "STATE_TABLE": " alarm-relay-dev-incidents "}
	s, err := New(base["STATE_TABLE"], env(base), http.DefaultClient)
	if err != nil || s.api.Endpoint != "https://dynamodb.eu-west-1.amazonaws.com" || s.Table != "alarm-relay-dev-incidents" {
		t.Fatalf("%v %v", s, err)
	}
	for change, errHas := range map[string]string{
		"STATE_TABLE=":            "STATE_TABLE is not set",
		"STATE_TABLE=a b":         `STATE_TABLE: "a b" is not a DynamoDB table name`,
		"AWS_REGION=":             "AWS_REGION is not set",
		"AWS_ACCESS_KEY_ID=":      "credentials are not set",
		"AWS_ENDPOINT_URL=ftp://": "not an http(s) URL",
	} {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		k, v, _ := strings.Cut(change, "=")
		m[k] = v
		if _, err := New(m["STATE_TABLE"], env(m), http.DefaultClient); err == nil || !strings.Contains(err.Error(), errHas) {
			t.Errorf("%s: err = %v, want %q", change, err, errHas)
		}
	}
	if _, _, err := s.Lock(context.Background(), Key{AlarmARN: arn}); err == nil {
		t.Error("a key without destination was accepted")
	}
}

// BenchmarkNew is the store's whole start-up cost in a cold container: no SDK client, config
// loading or endpoint resolution, only the environment read and a signer.
func BenchmarkNew(b *testing.B) {
	getenv := env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"})
	for b.Loop() {
		if _, err := New("t-incidents", getenv, http.DefaultClient); err != nil {
			b.Fatal(err)
		}
	}
}
