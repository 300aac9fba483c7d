// Package incident keeps, per (alarm ARN, destination), what the chat shows about the alarm's
// current incident: the channel, the root message's ts, the state shown and since when, whether it
// is closed. It lives in one DynamoDB table, called with hand-signed requests (see awsapi).
//
// Concurrent invocations for one alarm are serialised by a lock in the item itself: Lock takes it
// with a conditional write (free, already ours, or its holder's lease has run out) and returns the
// incident as committed; Commit writes the new state and frees the lock in one conditional write.
// Whoever holds the lock is the only one posting or editing the incident's messages, so two
// notifications arriving together cannot both post a root message, and neither is lost: the
// second waits for the first, then sees its root and replies in the thread. A holder that dies
// leaves a lease that ends with its invocation's deadline.
package incident

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Attribute names of an item besides its keys and TTL (relayconfig.IncidentHashKey, …).
const (
	attrChannel    = "channel"
	attrRootTS     = "rootTs"
	attrState      = "state"
	attrStateSince = "stateSince" // epoch ms, like every time below
	attrOpenedAt   = "openedAt"
	attrClosed     = "closed"
	attrClosedAt   = "closedAt"
	attrLastChange = "lastChange"
	attrRemindedAt = "remindedAt"
	attrVersion    = "version"
	attrLockToken  = "lockToken"
	attrLockUntil  = "lockUntil"
	attrRoots      = "roots" // list: every other root message posted for this incident
	attrShown      = "shown" // list: the changes shown, newest last (see ShownLimit)

	// Posts in flight (JSON): each recorded before it is made, completed with its ts once Slack
	// accepted it, all forgotten by the commit that follows.
	attrPending = "pending"

	attrDigestRoot = "digestRoot" // an alarm's incident: the storm digest's record it is shown in
	attrLines      = "lines"      // a storm digest's record: the lines its root shows (JSON)
)

// ShownLimit bounds the changes an incident remembers as shown: enough for any redelivery.
const ShownLimit = 64

// MaxLease is the longest a lock may be held: Lambda runs a function for 15 minutes at most, so
// a lease beyond that (a clock gone wrong, an item written by hand) is not honoured.
const MaxLease = 15 * time.Minute

// Pending is a post that was attempted: ID tags it (Slack message metadata), At is when it was
// first tried, TS is set once Slack's answer came back. A pending post without TS may or may not
// be in Slack: look for it before posting again.
type Pending struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Channel  string    `json:"channel"`
	ThreadTS string    `json:"threadTs,omitempty"` // "" for a root message
	TS       string    `json:"ts,omitempty"`
}

// Key names one incident record.
type Key struct {
	AlarmARN    string
	Destination string
}

// Incident is what the chat shows about an alarm, as last committed.
type Incident struct {
	Key
	Channel    string
	RootTS     string    // the root message; "" when none was posted
	State      string    // the alarm state the root message shows: ALARM, OK, INSUFFICIENT_DATA
	StateSince time.Time // when the alarm entered State
	OpenedAt   time.Time // the ALARM that opened the incident
	Closed     bool
	ClosedAt   time.Time
	LastChange time.Time // the newest alarm state change applied: orders late and repeated messages
	RemindedAt time.Time
	Version    int64 // commits so far; 0 when nothing was ever committed

	Roots   []string  // other root messages of this incident (a post whose answer was lost, found later)
	Shown   []string  // keys of the changes shown (ChangeKey), oldest first, at most ShownLimit
	Pending []Pending // posts attempted since the last commit

	// DigestRoot, on an alarm's incident, names the record of the storm digest whose root (RootTS)
	// shows the alarm among others; "" for an incident with a root of its own (see lifecycle's
	// digest.go).
	DigestRoot string
	// Lines, on a storm digest's record, are the lines its root shows (JSON, lifecycle's).
	Lines string
}

// ChangeKey names one alarm state change (the item is per alarm already): state and time.
func ChangeKey(state string, at time.Time) string {
	return state + "@" + strconv.FormatInt(at.UnixMilli(), 10)
}

// HasShown reports whether the change was shown in this incident's history.
func (i Incident) HasShown(key string) bool { return slices.Contains(i.Shown, key) }

// WithShown returns the shown keys with key added (the oldest dropped beyond ShownLimit).
func (i Incident) WithShown(key string) []string {
	if i.HasShown(key) {
		return i.Shown
	}
	out := append(slices.Clone(i.Shown), key)
	return out[max(0, len(out)-ShownLimit):]
}

// Open reports whether there is a root message for an incident that has not ended.
func (i Incident) Open() bool { return i.RootTS != "" && !i.Closed }

// ErrBusy is returned when another invocation held the incident's lock for as long as this one
// could wait: failing the invocation lets Lambda retry it once the other is done.
var ErrBusy = errors.New("incident is being updated by another invocation")

// Store reads and writes incidents in one table.
type Store struct {
	api       *awsapi.Client
	Table     string
	Retention time.Duration // how long a closed incident is kept (for late messages), then TTL deletes it
	// WorkTime is kept free after waiting for a lock: with less time left, Lock gives up (ErrBusy).
	WorkTime time.Duration
	// DefaultLease bounds a lock taken without a context deadline (local runs).
	DefaultLease time.Duration

	// ErrorReserve is left before the deadline when retrying a write: the relay still reports its
	// own error instead of Lambda's "Task timed out".
	ErrorReserve time.Duration

	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger // reports items it could not read (nil: slog.Default())
}

// New builds a store for table (the configuration's StateTable), with the region and credentials
// Lambda sets (awsapi.LoadEnv); AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL point it elsewhere.
func New(table string, getenv func(string) string, client *http.Client) (*Store, error) {
	table = strings.TrimSpace(table)
	if table == "" {
		return nil, fmt.Errorf("%s is not set: a slack-app destination keeps its incidents in a DynamoDB table", relayconfig.EnvStateTable)
	}
	if err := relayconfig.CheckStateTable(table); err != nil {
		return nil, fmt.Errorf("%s: %w", relayconfig.EnvStateTable, err)
	}
	api, err := awsapi.DynamoDB.NewFromEnv(getenv, client)
	if err != nil {
		return nil, fmt.Errorf("incident store: %w", err)
	}
	return &Store{api: api, Table: table, Retention: 30 * 24 * time.Hour, WorkTime: 5 * time.Second, DefaultLease: time.Minute, ErrorReserve: time.Second}, nil
}

// failed wraps a failed table call of an operation. Its caller names the alarm; this names the
// table, and says so plainly when the table does not exist (STATE_TABLE, or the region, is wrong).
func (s *Store) failed(op string, err error) error {
	if awsapi.HasCode(err, "ResourceNotFoundException") {
		return fmt.Errorf("%s: DynamoDB table %q (%s) not found in %s: %w", op, s.Table, relayconfig.EnvStateTable, s.api.Region, err)
	}
	return fmt.Errorf("%s in table %q: %w", op, s.Table, err)
}

// Lock is a held incident lock.
type Lock struct {
	store   *Store
	key     Key
	token   string
	version int64 // the committed version read when the lock was taken (or last saved)
	bare    bool  // the item held nothing but the lock: releasing it deletes it
}

// Lock takes key's lock, waiting while another invocation holds it, and returns the incident as
// last committed (Version 0 when there is none). The lease lasts until ctx's deadline.
func (s *Store) Lock(ctx context.Context, key Key) (*Lock, Incident, error) {
	if key.AlarmARN == "" || key.Destination == "" {
		return nil, Incident{}, fmt.Errorf("incident key needs an alarm ARN and a destination (got %q, %q)", key.AlarmARN, key.Destination)
	}
	token, err := newToken()
	if err != nil {
		return nil, Incident{}, err
	}
	wait := 50 * time.Millisecond
	for {
		now := s.now()
		until := now.Add(s.DefaultLease)
		if deadline, ok := ctx.Deadline(); ok {
			until = deadline.Add(time.Second)
		}
		if until.After(now.Add(MaxLease)) {
			until = now.Add(MaxLease) // a lease never outlasts a function's longest run
		}
		var out struct {
			Attributes map[string]attr
		}
		err := s.api.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]any{
			"TableName":        s.Table,
			"Key":              keyAttrs(key),
			"UpdateExpression": "SET #t = :t, #u = :u",
			// Free, ours, run out, or not a lease any function could hold (too long, not a number).
			"ConditionExpression":       "attribute_not_exists(#t) OR #t = :t OR attribute_not_exists(#u) OR NOT attribute_type(#u, :n) OR #u < :now OR #u > :far",
			"ExpressionAttributeNames":  map[string]string{"#t": attrLockToken, "#u": attrLockUntil},
			"ExpressionAttributeValues": map[string]attr{":t": str(token), ":u": millis(until), ":now": millis(now), ":far": millis(now.Add(MaxLease + time.Minute)), ":n": str("N")},
			"ReturnValues":              "ALL_NEW",
		}, &out)
		if err == nil {
			inc, problems := decode(key, out.Attributes)
			if len(problems) > 0 {
				// Reported and replaced: the next commit writes a well-formed item over it.
				s.log().Warn("incident item not understood; it is replaced by the next commit", "alarm", key.AlarmARN, "destination", key.Destination, "problems", strings.Join(problems, "; "))
				inc = Incident{Key: key}
			}
			return &Lock{store: s, key: key, token: token, version: inc.Version, bare: bare(out.Attributes)}, inc, nil
		}
		if !awsapi.HasCode(err, "ConditionalCheckFailedException") {
			// The write may have been made and its answer lost: free what may be ours.
			l := &Lock{store: s, key: key, token: token}
			return nil, Incident{}, errors.Join(s.failed("lock incident", err), l.release(ctx))
		}
		jittered := wait/2 + time.Duration(rand.Int64N(int64(wait)))
		if deadline, ok := ctx.Deadline(); ok && deadline.Sub(s.now())-jittered < s.WorkTime {
			return nil, Incident{}, fmt.Errorf("lock incident: %w; gave up waiting to leave time for the work", ErrBusy)
		}
		if err := s.sleep(ctx, jittered); err != nil {
			return nil, Incident{}, fmt.Errorf("lock incident: %w: %w", ErrBusy, err)
		}
		wait = min(wait*2, time.Second)
	}
}

// releaseContext is the time a release may take: what is left before ctx's deadline less a
// quarter second for the relay's own error, at least a quarter second; 5 s without a deadline.
func releaseContext(ctx context.Context, now time.Time) (context.Context, context.CancelFunc) {
	d := 5 * time.Second
	if deadline, ok := ctx.Deadline(); ok {
		d = max(deadline.Sub(now)-250*time.Millisecond, 250*time.Millisecond)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// bare reports whether an item holds only its keys and the lock (nothing committed, nothing of
// another shape): only such an item is deleted on release.
func bare(item map[string]attr) bool {
	for name := range item {
		switch name {
		case relayconfig.IncidentHashKey, relayconfig.IncidentRangeKey, attrLockToken, attrLockUntil:
		default:
			return false
		}
	}
	return true
}

// Commit writes inc (keyed by the lock's key) and frees the lock in one conditional write. A
// closed incident gets its TTL; an open one has none. Throttling and server errors are retried
// while the context leaves time (ErrorReserve) for the caller's own error.
func (l *Lock) Commit(ctx context.Context, inc Incident) error {
	return l.write(ctx, inc, false)
}

// Save writes inc and keeps the lock: what Slack accepted is remembered before anything else can
// fail (a retry then finds it instead of posting again).
func (l *Lock) Save(ctx context.Context, inc Incident) error {
	return l.write(ctx, inc, true)
}

func (l *Lock) write(ctx context.Context, inc Incident, keep bool) error {
	s := l.store
	inc.Key = l.key
	inc.Version = l.version + 1
	set := map[string]*attr{
		attrChannel:                      optStr(inc.Channel),
		attrRootTS:                       optStr(inc.RootTS),
		attrState:                        optStr(inc.State),
		attrStateSince:                   optMillis(inc.StateSince),
		attrOpenedAt:                     optMillis(inc.OpenedAt),
		attrClosedAt:                     optMillis(inc.ClosedAt),
		attrLastChange:                   optMillis(inc.LastChange),
		attrRemindedAt:                   optMillis(inc.RemindedAt),
		attrClosed:                       {BOOL: &inc.Closed},
		attrVersion:                      ptr(num(inc.Version)),
		attrRoots:                        optList(inc.Roots),
		attrShown:                        optList(inc.Shown),
		attrPending:                      nil,
		attrDigestRoot:                   optStr(inc.DigestRoot),
		attrLines:                        optStr(inc.Lines),
		attrLockToken:                    nil,
		attrLockUntil:                    nil,
		relayconfig.IncidentTTLAttribute: nil,
	}
	if len(inc.Pending) > 0 {
		raw, err := json.Marshal(inc.Pending)
		if err != nil {
			return fmt.Errorf("encode pending posts: %w", err)
		}
		set[attrPending] = ptr(str(string(raw)))
	}
	if keep {
		delete(set, attrLockToken)
		delete(set, attrLockUntil)
	}
	if inc.Closed && !keep {
		end := inc.ClosedAt
		if end.IsZero() {
			end = s.now()
		}
		set[relayconfig.IncidentTTLAttribute] = ptr(num(end.Add(s.Retention).Unix()))
	}
	expr, names, values := update(set)
	names["#lt"], names["#v"] = attrLockToken, attrVersion
	values[":lt"], values[":v"] = str(l.token), num(inc.Version)
	// Ours, or (a retried request whose answer was lost) already written by us: a commit freed the
	// lock, a save left it ours.
	cond := "#lt = :lt OR (#v = :v AND attribute_not_exists(#lt))"
	err := s.retrying(ctx, func(ctx context.Context) error {
		return s.api.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]any{
			"TableName":                 s.Table,
			"Key":                       keyAttrs(l.key),
			"UpdateExpression":          expr,
			"ConditionExpression":       cond,
			"ExpressionAttributeNames":  names,
			"ExpressionAttributeValues": values,
		}, nil)
	})
	op := "commit incident"
	if keep {
		op = "save incident"
	}
	if awsapi.HasCode(err, "ConditionalCheckFailedException") {
		return errors.New(op + ": the lock's lease ran out and another invocation took it")
	}
	if err != nil {
		return s.failed(op, err)
	}
	if keep {
		l.version, l.bare = inc.Version, false // the next write follows this one
	}
	return nil
}

// retrying calls write until it succeeds, fails for good, or the context's deadline (less
// ErrorReserve) leaves no time for another try. awsapi retries a few times itself; this covers
// a table throttled for longer, within the time the invocation has.
func (s *Store) retrying(ctx context.Context, write func(context.Context) error) error {
	wait, tries := 100*time.Millisecond, 0
	for {
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			wctx, cancel = context.WithDeadline(ctx, deadline.Add(-s.ErrorReserve))
		}
		err := write(wctx)
		cancel()
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		tries++
		if deadline, ok := ctx.Deadline(); ok && deadline.Sub(s.now()) < s.ErrorReserve+wait {
			return err
		} else if !ok && tries >= 5 {
			return err // no deadline (a local run): a few tries, then the error
		}
		if serr := s.sleep(ctx, wait); serr != nil {
			return err
		}
		wait = min(wait*2, 2*time.Second)
	}
}

// retryable: throttled, a server error, or no answer (the write may pass on another try; the
// conditions make a repeated write harmless).
func retryable(err error) bool {
	var aerr *awsapi.Error
	if !errors.As(err, &aerr) {
		return !errors.Is(err, context.Canceled)
	}
	switch aerr.Code {
	case "ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
		"InternalServerError", "ServiceUnavailable", "LimitExceededException", "TransactionConflictException":
		return true
	}
	return aerr.Status >= 500
}

// Release frees the lock without changing the incident; a record that holds nothing but the lock
// is deleted. A lock already taken over is left alone, and so is anything not understood.
func (l *Lock) Release(ctx context.Context) error {
	return l.release(ctx)
}

func (l *Lock) release(ctx context.Context) error {
	s := l.store
	// Release runs on failure paths, often with the deadline nearly spent (a commit that used its
	// budget): it gets what is left, at least a moment, and is not stopped by a cancelled caller.
	ctx, cancel := releaseContext(ctx, s.now())
	defer cancel()
	values := map[string]attr{":lt": str(l.token)}
	if l.version == 0 && l.bare {
		err := s.api.JSON(ctx, "DynamoDB_20120810.DeleteItem", map[string]any{
			"TableName":                 s.Table,
			"Key":                       keyAttrs(l.key),
			"ConditionExpression":       "#lt = :lt AND attribute_not_exists(#v)",
			"ExpressionAttributeNames":  map[string]string{"#lt": attrLockToken, "#v": attrVersion},
			"ExpressionAttributeValues": values,
		}, nil)
		if err == nil {
			return nil
		}
		if !awsapi.HasCode(err, "ConditionalCheckFailedException") {
			return s.failed("release incident", err)
		}
		// Written meanwhile (a save whose answer was lost): free the lock only.
	}
	err := s.api.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]any{
		"TableName":                 s.Table,
		"Key":                       keyAttrs(l.key),
		"UpdateExpression":          "REMOVE #lt, #lu",
		"ConditionExpression":       "#lt = :lt",
		"ExpressionAttributeNames":  map[string]string{"#lt": attrLockToken, "#lu": attrLockUntil},
		"ExpressionAttributeValues": values,
	}, nil)
	if err != nil && !awsapi.HasCode(err, "ConditionalCheckFailedException") {
		return s.failed("release incident", err)
	}
	return nil
}

// Get reads an incident as committed (a consistent read); Version 0 means there is none.
func (s *Store) Get(ctx context.Context, key Key) (Incident, error) {
	var out struct{ Item map[string]attr }
	err := s.api.JSON(ctx, "DynamoDB_20120810.GetItem", map[string]any{
		"TableName": s.Table, "Key": keyAttrs(key), "ConsistentRead": true,
	}, &out)
	if err != nil {
		return Incident{}, fmt.Errorf("read incident of %s: %w", key.AlarmARN, err)
	}
	inc, problems := decode(key, out.Item)
	if len(problems) > 0 {
		return inc, fmt.Errorf("incident of %s: %s", key.AlarmARN, strings.Join(problems, "; "))
	}
	return inc, nil
}

// CreateTable creates the table as the stack declares it (on-demand, the key above, TTL on
// expiresAt), for local runs and tests against moto_server.
func (s *Store) CreateTable(ctx context.Context) error {
	err := s.api.JSON(ctx, "DynamoDB_20120810.CreateTable", map[string]any{
		"TableName":   s.Table,
		"BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{
			{"AttributeName": relayconfig.IncidentHashKey, "AttributeType": "S"}, {"AttributeName": relayconfig.IncidentRangeKey, "AttributeType": "S"},
		},
		"KeySchema": []map[string]string{
			{"AttributeName": relayconfig.IncidentHashKey, "KeyType": "HASH"}, {"AttributeName": relayconfig.IncidentRangeKey, "KeyType": "RANGE"},
		},
		"SSESpecification": map[string]any{"Enabled": true},
	}, nil)
	if err != nil {
		return fmt.Errorf("create table %s: %w", s.Table, err)
	}
	err = s.api.JSON(ctx, "DynamoDB_20120810.UpdateTimeToLive", map[string]any{
		"TableName":               s.Table,
		"TimeToLiveSpecification": map[string]any{"AttributeName": relayconfig.IncidentTTLAttribute, "Enabled": true},
	}, nil)
	if err != nil {
		return fmt.Errorf("enable TTL on %s: %w", s.Table, err)
	}
	return nil
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Store) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return retry.Sleep(ctx, d)
}

func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := crand.Read(b); err != nil {
		return "", fmt.Errorf("incident lock token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// attr is a DynamoDB AttributeValue of the three kinds this table uses.
type attr struct {
	S    *string `json:"S,omitempty"`
	N    *string `json:"N,omitempty"`
	BOOL *bool   `json:"BOOL,omitempty"`
	L    []attr  `json:"L,omitempty"`
}

func str(s string) attr       { return attr{S: &s} }
func num(n int64) attr        { s := strconv.FormatInt(n, 10); return attr{N: &s} }
func millis(t time.Time) attr { return num(t.UnixMilli()) }
func ptr(a attr) *attr        { return &a }
func optStr(s string) *attr {
	if s == "" {
		return nil
	}
	return ptr(str(s))
}
func optList(items []string) *attr {
	if len(items) == 0 {
		return nil
	}
	l := make([]attr, len(items))
	for i, it := range items {
		l[i] = str(it)
	}
	return &attr{L: l}
}
func optMillis(t time.Time) *attr {
	if t.IsZero() {
		return nil
	}
	return ptr(millis(t))
}

func keyAttrs(k Key) map[string]attr {
	return map[string]attr{relayconfig.IncidentHashKey: str(k.AlarmARN), relayconfig.IncidentRangeKey: str(k.Destination)}
}

// update builds "SET #a0 = :a0, … REMOVE #a3, …" from attributes to set (non-nil) or remove (nil).
func update(attrs map[string]*attr) (string, map[string]string, map[string]attr) {
	names, values := map[string]string{}, map[string]attr{}
	var sets, removes []string
	i := 0
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		n := fmt.Sprintf("#a%d", i)
		names[n] = name
		if v := attrs[name]; v != nil {
			values[":a"+n[2:]] = *v
			sets = append(sets, n+" = :a"+n[2:])
		} else {
			removes = append(removes, n)
		}
		i++
	}
	expr := "SET " + strings.Join(sets, ", ")
	if len(removes) > 0 {
		expr += " REMOVE " + strings.Join(removes, ", ")
	}
	return expr, names, values
}

// decode reads an item; attributes it does not know are ignored. Ones it knows but cannot read
// (a version that is no integer, a time that is text) are listed as problems, never fatal: one
// bad item must not block its alarm for good.
func decode(key Key, item map[string]attr) (Incident, []string) {
	inc := Incident{Key: key}
	var problems []string
	getS := func(name string) string {
		if a, ok := item[name]; ok && a.S != nil {
			return *a.S
		} else if ok {
			problems = append(problems, fmt.Sprintf("attribute %s is not a string", name))
		}
		return ""
	}
	getN := func(name string) int64 {
		a, ok := item[name]
		if !ok {
			return 0
		}
		if a.N == nil {
			problems = append(problems, fmt.Sprintf("attribute %s is not a number", name))
			return 0
		}
		n, perr := strconv.ParseInt(*a.N, 10, 64)
		if perr != nil {
			problems = append(problems, fmt.Sprintf("attribute %s is %q, not an integer", name, *a.N))
		}
		return n
	}
	getT := func(name string) time.Time {
		if ms := getN(name); ms != 0 {
			return time.UnixMilli(ms).UTC()
		}
		return time.Time{}
	}
	getL := func(name string) []string {
		a, ok := item[name]
		if !ok {
			return nil
		}
		var out []string
		for _, e := range a.L {
			if e.S != nil {
				out = append(out, *e.S)
			}
		}
		return out
	}
	inc.Channel = getS(attrChannel)
	inc.RootTS = getS(attrRootTS)
	inc.State = getS(attrState)
	inc.StateSince = getT(attrStateSince)
	inc.OpenedAt = getT(attrOpenedAt)
	inc.ClosedAt = getT(attrClosedAt)
	inc.LastChange = getT(attrLastChange)
	inc.RemindedAt = getT(attrRemindedAt)
	inc.Version = getN(attrVersion)
	inc.Roots = getL(attrRoots)
	inc.Shown = getL(attrShown)
	inc.DigestRoot = getS(attrDigestRoot)
	inc.Lines = getS(attrLines)
	if a, ok := item[attrClosed]; ok && a.BOOL != nil {
		inc.Closed = *a.BOOL
	}
	if raw := getS(attrPending); raw != "" {
		if err := json.Unmarshal([]byte(raw), &inc.Pending); err != nil {
			problems = append(problems, fmt.Sprintf("attribute %s is not a list of posts: %v", attrPending, err))
		}
	}
	if inc.Version <= 0 && !bare(item) && len(item) > 0 {
		problems = append(problems, "no version: an item of an older or unknown shape")
	}
	if len(problems) > 0 {
		inc.Version = 0
	}
	return inc, problems
}
