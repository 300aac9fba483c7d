// Package awsapi makes SigV4-signed calls to AWS services that speak the JSON protocol (DynamoDB,
// SSM, SQS) or the query protocol (CloudWatch), with the SDK's signer and nothing else of the SDK:
// each service client would add megabytes to a bootstrap that has to start fast. Its callers are
// ssmparam (SSM GetParameter, for the webhook URL and the Slack token), incident (DynamoDB),
// cwalarms (DescribeAlarms), trend (GetMetricData), overflow (the overflow queue's SQS calls) and
// replay (the dead-letter queue's).
// Each service is one Service value (CloudWatch, DynamoDB, SQS, SSM); a client is built from what
// Lambda puts in the function's environment, the region and the role's credentials (LoadEnv),
// rather than from the SDK's config package, whose shared-config, SSO and STS clients would add
// 393 KB to the stripped arm64 bootstrap and about 1 ms to its package initialisation (config
// v1.33.20, measured) for credential sources a Lambda function never uses.
// Throttling, 5xx and network errors are retried briefly (package retry's loop). Every attempt,
// and every wait before a retry, ends Reserve before the context's deadline: an endpoint that
// never answers gives the caller its own error while there is time to report it, never Lambda's
// "Task timed out".
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
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/secretmask"
	"github.com/alarm-relay/alarm-relay/function/internal/urlerr"
	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// Client calls one service in one region.
type Client struct {
	Service     Service
	Endpoint    string // e.g. https://dynamodb.us-east-1.amazonaws.com, no trailing slash
	Region      string
	Credentials aws.CredentialsProvider
	HTTP        *http.Client
	Attempts    int           // attempts in all for retryable failures
	Timeout     time.Duration // cap of one attempt
	// Reserve is kept free before the context's deadline: no attempt runs into it, no retry
	// starts in it, so the caller can still report the failure (as the Slack calls do).
	Reserve time.Duration

	signer *v4.Signer
	sleep  func(ctx context.Context, d time.Duration) error
}

// DefaultReserve is what New keeps free before a deadline: the Slack calls' reserve.
const DefaultReserve = 500 * time.Millisecond

// DefaultTimeout caps one attempt of a Client built by New, or without a Timeout of its own.
const DefaultTimeout = 5 * time.Second

// minAttempt is the shortest attempt worth starting: less cannot carry a signed call and its answer.
const minAttempt = 50 * time.Millisecond

// New is a client for s at endpoint, signing for region: 3 attempts of at most 5 s each, ending
// DefaultReserve before the context's deadline, which a caller may change before its first call.
func (s Service) New(endpoint, region string, credentials aws.CredentialsProvider, client *http.Client) *Client {
	return &Client{
		Service:     s,
		Endpoint:    strings.TrimRight(endpoint, "/"),
		Region:      region,
		Credentials: credentials,
		HTTP:        client,
		Attempts:    3,
		Timeout:     DefaultTimeout,
		Reserve:     DefaultReserve,
		signer:      v4.NewSigner(),
	}
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
	version := c.Service.JSONVersion
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

// do sends a signed POST, retrying what may pass (retry.Do), and returns the successful
// answer's body.
func (c *Client) do(ctx context.Context, op string, body []byte, headers map[string]string, decodeErr func(op string, status int, raw []byte) *Error) ([]byte, error) {
	policy := c.policy()
	var raw []byte
	var err error
	attempts, stopped := retry.Do(ctx, policy, retry.Clock{Sleep: c.sleep}, func(ctx context.Context, _ int) retry.Outcome {
		raw, err = c.attempt(ctx, op, body, headers, decodeErr)
		return retry.Outcome{Done: err == nil, Retry: err != nil && worthRetrying(ctx, err)}
	})
	switch {
	case err == nil:
		return raw, nil
	case stopped != "" && ctx.Err() == nil: // the next wait would have run into the reserve
		return nil, fmt.Errorf("%w (%d of %d attempts; no time left for another before the deadline)", err, attempts, policy.MaxAttempts)
	default:
		return nil, err
	}
}

// policy is the client's retries as package retry bounds them: Attempts, a jittered backoff
// from 100 ms, and no wait that would leave less than a useful attempt (a quarter of the
// attempt's limit, at least minAttempt) before the Reserve.
func (c *Client) policy() retry.Policy {
	limit := c.limit()
	return retry.Policy{
		MaxAttempts:    max(c.Attempts, 1),
		BaseDelay:      100 * time.Millisecond,
		MaxDelay:       maxBackoff,
		AttemptTimeout: limit,
		Reserve:        c.Reserve + max(limit/4, minAttempt),
	}
}

// maxBackoff caps one wait between attempts (3 attempts, the default, wait at most 300 ms in all).
const maxBackoff = 2 * time.Second

// worthRetrying: an AWS error that may pass on a second try (throttling, 5xx), or a network error
// while the caller still waits; never a call that was not made or could not be signed.
func worthRetrying(ctx context.Context, err error) bool {
	var aerr *Error
	if errors.As(err, &aerr) {
		return aerr.retryable()
	}
	return ctx.Err() == nil && !errors.Is(err, errNotRetryable)
}

// attempt makes one attempt within attemptTimeout, or none when that is too short to be useful.
func (c *Client) attempt(ctx context.Context, op string, body []byte, headers map[string]string, decodeErr func(op string, status int, raw []byte) *Error) ([]byte, error) {
	timeout := c.attemptTimeout(ctx)
	if _, ok := ctx.Deadline(); !ok && timeout < minAttempt {
		return nil, fmt.Errorf("%s: not called: an attempt's limit of %s is shorter than the %s a call needs: %w", op, timeout, minAttempt, errNotRetryable)
	}
	if timeout < minAttempt {
		return nil, fmt.Errorf("%s: not called: %s before the deadline, and %s of it is kept to report the failure: %w",
			op, c.untilDeadline(ctx).Round(time.Millisecond), c.Reserve, errNotRetryable)
	}
	return c.once(ctx, op, body, headers, decodeErr, timeout)
}

// attemptTimeout bounds the next attempt: Timeout, or less when the context's deadline, less the
// Reserve, comes first.
func (c *Client) attemptTimeout(ctx context.Context) time.Duration {
	limit := c.limit()
	if _, ok := ctx.Deadline(); ok {
		return min(limit, c.untilDeadline(ctx)-c.Reserve)
	}
	return limit
}

// limit is the cap of one attempt: Timeout, or DefaultTimeout for a Client built without one.
func (c *Client) limit() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
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
	if err := signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), c.Service.Name, c.Region, time.Now()); err != nil {
		return nil, fmt.Errorf("%s: sign: %w: %w", op, err, errNotRetryable)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %s%w", op, c.Endpoint, c.cutShort(parent, ctx, timeout, "no answer"), urlerr.Strip(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		// The status came, the body did not end: a stalled or trickling answer.
		return nil, fmt.Errorf("%s: read answer (HTTP %d): %s%w", op, resp.StatusCode, c.cutShort(parent, ctx, timeout, "the answer did not end"), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, decodeErr(op, resp.StatusCode, maskCredentials(raw, creds))
	}
	return raw, nil
}

// maxErrorAnswer is what of an error answer is read for its code and message.
const maxErrorAnswer = 64 << 10

// maskCredentials removes the secret key and the session token from an error answer, in any
// spelling (a proxy or an emulator may repeat the request's X-Amz-Security-Token), before it is
// decoded or shortened: a cut made first could leave a token's beginning no mask recognises.
func maskCredentials(raw []byte, creds aws.Credentials) []byte {
	raw = raw[:min(len(raw), maxErrorAnswer)]
	return []byte(secretmask.Mask(string(raw), []string{creds.SessionToken, creds.SecretAccessKey}, []string{"[aws session token]", "[aws secret key]"}))
}

// cutShort says why an attempt ended when its own bound (not the caller's context) ended it:
// "no answer within 1.2s (the attempt's limit, ending 500ms before the deadline): "; else "".
// what is what did not come: "no answer", or "the answer did not end" once the status came.
func (c *Client) cutShort(parent, attempt context.Context, timeout time.Duration, what string) string {
	if attempt.Err() == nil || parent.Err() != nil {
		return ""
	}
	limit := "the attempt's limit"
	if timeout < c.limit() {
		limit = fmt.Sprintf("the attempt's limit, ending %s before the deadline to report this", c.Reserve)
	}
	return fmt.Sprintf("%s within %s (%s): ", what, timeout.Round(time.Millisecond), limit)
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
