// Package awsapi makes SigV4-signed calls to AWS services that speak the JSON protocol (DynamoDB,
// SSM, SQS) or the query protocol (CloudWatch), with the SDK's signer and nothing else of the SDK:
// each service client would add megabytes to a bootstrap that has to start fast. Its callers are
// webhook (SSM GetParameter, for the webhook URL and the Slack token), incident (DynamoDB),
// cwalarms (DescribeAlarms), trend (GetMetricData) and replay (the dead-letter queue's SQS calls).
// Throttling, 5xx and network errors are retried briefly. Every attempt, and every wait before a
// retry, ends Reserve before the context's deadline: an endpoint that never answers gives the
// caller its own error while there is time to report it, never Lambda's "Task timed out".
package awsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/alarm-relay/alarm-relay/function/internal/awsenv"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/urlerr"
	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// Client calls one service in one region.
type Client struct {
	Service     string // signing name, e.g. "dynamodb", "monitoring"
	Endpoint    string // e.g. https://dynamodb.us-east-1.amazonaws.com, no trailing slash
	Region      string
	Credentials aws.CredentialsProvider
	HTTP        *http.Client
	Attempts    int           // attempts in all for retryable failures
	Timeout     time.Duration // cap of one attempt
	// Reserve is kept free before the context's deadline: no attempt runs into it, no retry
	// starts in it, so the caller can still report the failure (as the Slack calls do).
	Reserve     time.Duration
	JSONVersion string // the JSON protocol's version: "1.0" (DynamoDB; the default) or "1.1" (SSM)

	signer *v4.Signer
	sleep  func(ctx context.Context, d time.Duration) error
}

// DefaultReserve is what New keeps free before a deadline: the Slack calls' reserve.
const DefaultReserve = 500 * time.Millisecond

// minAttempt is the shortest attempt worth starting: less cannot carry a signed call and its answer.
const minAttempt = 50 * time.Millisecond

// New is a client for service (its signing name) at endpoint, signing for region: 3 attempts of
// at most 5 s each, ending DefaultReserve before the context's deadline, which a caller may change
// before its first call.
func New(service, endpoint, region string, credentials aws.CredentialsProvider, client *http.Client) *Client {
	return &Client{
		Service:     service,
		Endpoint:    strings.TrimRight(endpoint, "/"),
		Region:      region,
		Credentials: credentials,
		HTTP:        client,
		Attempts:    3,
		Timeout:     5 * time.Second,
		Reserve:     DefaultReserve,
		signer:      v4.NewSigner(),
	}
}

// NewFromEnv builds a client from what Lambda sets (see awsenv). envName is the service's part of
// AWS_ENDPOINT_URL_<envName> (e.g. DYNAMODB, CLOUDWATCH), which, like AWS_ENDPOINT_URL, points it
// elsewhere; host is the endpoint's first label (dynamodb, monitoring).
func NewFromEnv(getenv func(string) string, service, envName, host string, client *http.Client) (*Client, error) {
	env, err := awsenv.Load(getenv)
	if err != nil {
		return nil, err
	}
	endpoint := awsenv.Endpoint(getenv, envName)
	if endpoint == "" {
		suffix, err := awsenv.DNSSuffix(env.Region, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", service, err)
		}
		endpoint = "https://" + host + "." + env.Region + "." + suffix
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q for %s is not an http(s) URL", endpoint, service)
	}
	return New(service, endpoint, env.Region, env.Credentials, client), nil
}

// Error is an answer other than success. Code is the service's error name without its namespace
// (ConditionalCheckFailedException, AccessDenied…).
type Error struct {
	Operation string
	Status    int
	Code      string
	Message   string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s answered HTTP %d %s", e.Operation, e.Status, e.Code)
	if e.Message != "" {
		msg += ": " + clip.String(strings.TrimSpace(e.Message), 300)
	}
	return msg
}

// retryable: throttling and server-side failures may pass on a second try.
func (e *Error) retryable() bool {
	switch e.Code {
	case "ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
		"InternalServerError", "ServiceUnavailable", "LimitExceededException", "TransactionConflictException":
		return true
	}
	return e.Status >= 500
}

// HasCode reports whether err is an AWS error with this code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// JSON calls a JSON-protocol operation: target is e.g. "DynamoDB_20120810.UpdateItem".
func (c *Client) JSON(ctx context.Context, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", operation(target), err)
	}
	version := c.JSONVersion
	if version == "" {
		version = "1.0"
	}
	headers := map[string]string{"Content-Type": "application/x-amz-json-" + version, "X-Amz-Target": target}
	raw, err := c.do(ctx, operation(target), body, headers, jsonError)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", operation(target), err)
	}
	return nil
}

// Query calls a query-protocol operation (form["Action"] names it) and decodes the XML answer.
func (c *Client) Query(ctx context.Context, form url.Values, out any) error {
	op := form.Get("Action")
	headers := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	raw, err := c.do(ctx, op, []byte(form.Encode()), headers, xmlError)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return nil
}

func operation(target string) string {
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[i+1:]
	}
	return target
}

// do sends a signed POST, retrying what may pass, and returns the successful answer's body.
func (c *Client) do(ctx context.Context, op string, body []byte, headers map[string]string, decodeErr func(op string, status int, raw []byte) *Error) ([]byte, error) {
	attempts := max(c.Attempts, 1)
	for attempt := 1; ; attempt++ {
		timeout := c.attemptTimeout(ctx)
		if timeout < minAttempt {
			return nil, fmt.Errorf("%s: not called: %s before the deadline, and %s of it is kept to report the failure: %w",
				op, c.untilDeadline(ctx).Round(time.Millisecond), c.Reserve, errNotRetryable)
		}
		raw, err := c.once(ctx, op, body, headers, decodeErr, timeout)
		if err == nil {
			return raw, nil
		}
		var aerr *Error
		retry := errors.As(err, &aerr) && aerr.retryable() || !errors.As(err, &aerr) && ctx.Err() == nil && !errors.Is(err, errNotRetryable)
		if !retry || attempt >= attempts {
			return nil, err
		}
		wait := time.Duration(rand.Int64N(int64(50*time.Millisecond)<<attempt)) + time.Millisecond
		if _, ok := ctx.Deadline(); ok && c.untilDeadline(ctx)-c.Reserve < wait+max(c.Timeout/4, minAttempt) {
			return nil, fmt.Errorf("%w (%d of %d attempts; no time left for another before the deadline)", err, attempt, attempts)
		}
		if serr := c.pause(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// attemptTimeout bounds the next attempt: Timeout, or less when the context's deadline, less the
// Reserve, comes first.
func (c *Client) attemptTimeout(ctx context.Context) time.Duration {
	if _, ok := ctx.Deadline(); ok {
		return min(c.Timeout, c.untilDeadline(ctx)-c.Reserve)
	}
	return c.Timeout
}

// untilDeadline is the time left before the context's deadline (only asked when it has one).
func (c *Client) untilDeadline(ctx context.Context) time.Duration {
	deadline, _ := ctx.Deadline()
	return time.Until(deadline)
}

var errNotRetryable = errors.New("not retryable")

func (c *Client) once(parent context.Context, op string, body []byte, headers map[string]string, decodeErr func(string, int, []byte) *Error, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, err, errNotRetryable)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: credentials: %w: %w", op, err, errNotRetryable)
	}
	sum := sha256.Sum256(body)
	signer := c.signer
	if signer == nil { // a Client built without New
		signer = v4.NewSigner()
	}
	if err := signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.Service, c.Region, time.Now()); err != nil {
		return nil, fmt.Errorf("%s: sign: %w: %w", op, err, errNotRetryable)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %s%w", op, c.Endpoint, c.cutShort(parent, ctx, timeout), urlerr.Strip(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: read answer: %s%w", op, c.cutShort(parent, ctx, timeout), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, decodeErr(op, resp.StatusCode, raw)
	}
	return raw, nil
}

// cutShort says why an attempt ended when its own bound (not the caller's context) ended it:
// "no answer within 1.2s (the attempt's limit, ending 500ms before the deadline): "; else "".
func (c *Client) cutShort(parent, attempt context.Context, timeout time.Duration) string {
	if attempt.Err() == nil || parent.Err() != nil {
		return ""
	}
	limit := "the attempt's limit"
	if timeout < c.Timeout {
		limit = fmt.Sprintf("the attempt's limit, ending %s before the deadline to report this", c.Reserve)
	}
	return fmt.Sprintf("no answer within %s (%s): ", timeout.Round(time.Millisecond), limit)
}

// jsonError reads {"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"…"}.
func jsonError(op string, status int, raw []byte) *Error {
	var e struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &e)
	code := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
	msg := e.Message
	if msg == "" {
		msg = e.MessageU
	}
	if code == "" && msg == "" {
		msg = clip.String(strings.TrimSpace(string(raw)), 200)
	}
	return &Error{Operation: op, Status: status, Code: code, Message: msg}
}

// xmlError reads <ErrorResponse><Error><Code>…</Code><Message>…</Message></Error></ErrorResponse>.
func xmlError(op string, status int, raw []byte) *Error {
	var e struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	if xml.Unmarshal(raw, &e) != nil || e.Code == "" && e.Message == "" {
		e.Message = clip.String(strings.TrimSpace(string(raw)), 200)
	}
	return &Error{Operation: op, Status: status, Code: e.Code, Message: e.Message}
}

func (c *Client) pause(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	return retry.Sleep(ctx, d)
}
