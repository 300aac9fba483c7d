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
	"errors"
	"fmt"
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
)

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

	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// New builds a store for table (the configuration's StateTable), with the region and credentials
// Lambda sets (see awsenv); AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL point it elsewhere.
func New(table string, getenv func(string) string, client *http.Client) (*Store, error) {
	table = strings.TrimSpace(table)
	if table == "" {
		return nil, fmt.Errorf("%s is not set: a slack-app destination keeps its incidents in a DynamoDB table", relayconfig.EnvStateTable)
	}
	if err := relayconfig.CheckStateTable(table); err != nil {
		return nil, fmt.Errorf("%s: %w", relayconfig.EnvStateTable, err)
	}
	api, err := awsapi.NewFromEnv(getenv, "dynamodb", "DYNAMODB", "dynamodb", client)
	if err != nil {
		return nil, fmt.Errorf("incident store: %w", err)
	}
	return &Store{api: api, Table: table, Retention: 30 * 24 * time.Hour, WorkTime: 5 * time.Second, DefaultLease: time.Minute}, nil
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
	version int64 // the committed version read when the lock was taken
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
		var out struct {
			Attributes map[string]attr
		}
		err := s.api.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]any{
			"TableName":                 s.Table,
			"Key":                       keyAttrs(key),
			"UpdateExpression":          "SET #t = :t, #u = :u",
			"ConditionExpression":       "attribute_not_exists(#t) OR #t = :t OR #u < :now",
			"ExpressionAttributeNames":  map[string]string{"#t": attrLockToken, "#u": attrLockUntil},
			"ExpressionAttributeValues": map[string]attr{":t": str(token), ":u": millis(until), ":now": millis(now)},
			"ReturnValues":              "ALL_NEW",
		}, &out)
		if err == nil {
			inc, err := decode(key, out.Attributes)
			if err != nil {
				return nil, Incident{}, err
			}
			return &Lock{store: s, key: key, token: token, version: inc.Version}, inc, nil
		}
		if !awsapi.HasCode(err, "ConditionalCheckFailedException") {
			return nil, Incident{}, s.failed("lock incident", err)
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

// Commit writes inc (keyed by the lock's key) and frees the lock in one conditional write. A
// closed incident gets its TTL; an open one has none.
func (l *Lock) Commit(ctx context.Context, inc Incident) error {
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
		attrLockToken:                    nil,
		attrLockUntil:                    nil,
		relayconfig.IncidentTTLAttribute: nil,
	}
	if inc.Closed {
		end := inc.ClosedAt
		if end.IsZero() {
			end = s.now()
		}
		set[relayconfig.IncidentTTLAttribute] = ptr(num(end.Add(s.Retention).Unix()))
	}
	expr, names, values := update(set)
	names["#lt"], names["#v"] = attrLockToken, attrVersion
	values[":lt"], values[":v"] = str(l.token), num(inc.Version)
	err := s.api.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]any{
		"TableName":        s.Table,
		"Key":              keyAttrs(l.key),
		"UpdateExpression": expr,
		// Ours, or (a retried request) already committed by us and not locked since.
		"ConditionExpression":       "#lt = :lt OR (#v = :v AND attribute_not_exists(#lt))",
		"ExpressionAttributeNames":  names,
		"ExpressionAttributeValues": values,
	}, nil)
	if awsapi.HasCode(err, "ConditionalCheckFailedException") {
		return errors.New("commit incident: the lock's lease ran out and another invocation took it")
	}
	if err != nil {
		return s.failed("commit incident", err)
	}
	return nil
}

// Release frees the lock without changing the incident; a record that was never committed (only
// the lock) is deleted. A lock already taken over is left alone.
func (l *Lock) Release(ctx context.Context) error {
	s := l.store
	names := map[string]string{"#lt": attrLockToken, "#lu": attrLockUntil, "#v": attrVersion}
	values := map[string]attr{":lt": str(l.token)}
	var err error
	if l.version == 0 {
		err = s.api.JSON(ctx, "DynamoDB_20120810.DeleteItem", map[string]any{
			"TableName":                 s.Table,
			"Key":                       keyAttrs(l.key),
			"ConditionExpression":       "#lt = :lt AND attribute_not_exists(#v)",
			"ExpressionAttributeNames":  map[string]string{"#lt": attrLockToken, "#v": attrVersion},
			"ExpressionAttributeValues": values,
		}, nil)
	} else {
		delete(names, "#v")
		err = s.api.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]any{
			"TableName":                 s.Table,
			"Key":                       keyAttrs(l.key),
			"UpdateExpression":          "REMOVE #lt, #lu",
			"ConditionExpression":       "#lt = :lt",
			"ExpressionAttributeNames":  names,
			"ExpressionAttributeValues": values,
		}, nil)
	}
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
	return decode(key, out.Item)
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

// decode reads an item; attributes it does not know are ignored, ones it knows must be well formed.
func decode(key Key, item map[string]attr) (Incident, error) {
	inc := Incident{Key: key}
	var err error
	getS := func(name string) string {
		if a, ok := item[name]; ok && a.S != nil {
			return *a.S
		}
		return ""
	}
	getN := func(name string) int64 {
		a, ok := item[name]
		if !ok || a.N == nil || err != nil {
			return 0
		}
		n, perr := strconv.ParseInt(*a.N, 10, 64)
		if perr != nil {
			err = fmt.Errorf("incident of %s: attribute %s is %q, not an integer", key.AlarmARN, name, *a.N)
		}
		return n
	}
	getT := func(name string) time.Time {
		if ms := getN(name); ms != 0 {
			return time.UnixMilli(ms).UTC()
		}
		return time.Time{}
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
	if a, ok := item[attrClosed]; ok && a.BOOL != nil {
		inc.Closed = *a.BOOL
	}
	return inc, err
}
