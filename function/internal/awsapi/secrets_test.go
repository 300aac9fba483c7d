package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testSecretKey    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testSessionToken = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6EXAMPLEsessionTOKENvalue0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// A server (a proxy, an emulator's debug page) that repeats the request's session token or the
// secret key in its error answer must not put either into the error: the answer is masked
// before it is decoded or shortened, so a token cut by the shortening is not left half-printed.
func TestErrorsNeverCarryCredentials(t *testing.T) {
	echo := func(r *http.Request) map[string]string {
		tok := r.Header.Get("X-Amz-Security-Token")
		pad := strings.Repeat("x", 120)
		return map[string]string{
			"JSON message":           `{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid: ` + tok + `"}`,
			"JSON type":              `{"__type":"` + tok + `","message":"bad"}`,
			"JSON-escaped":           `{"message":"token ` + strings.ReplaceAll(tok, "/", `\/`) + `"}`,
			"text, token cut at 200": "Bad request " + pad + " X-Amz-Security-Token: " + tok,
			"XML message":            `<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>token ` + url.QueryEscape(tok) + ` key ` + testSecretKey + `</Message></Error></ErrorResponse>`,
			"secret key as text":     "signature calculated with " + strings.ToLower(testSecretKey),
		}
	}
	var which atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, echo(r)[which.Load().(string)])
	}))
	defer srv.Close()
	c, err := DynamoDB.NewFromEnv(env(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": testSecretKey,
		"AWS_SESSION_TOKEN": testSessionToken, "AWS_ENDPOINT_URL_DYNAMODB": srv.URL,
	}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	for name := range echo(httptest.NewRequest("POST", "/", nil)) {
		t.Run(name, func(t *testing.T) {
			which.Store(name)
			var err error
			if strings.HasPrefix(name, "XML") {
				err = c.Query(context.Background(), url.Values{"Action": {"DescribeAlarms"}}, &struct{}{})
			} else {
				err = c.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]string{"TableName": "t"}, &struct{}{})
			}
			if err == nil {
				t.Fatal("a 403 passed")
			}
			msg := err.Error()
			for _, secret := range []string{testSessionToken[:24], testSessionToken[len(testSessionToken)-24:], "IQoJb3JpZ2luX2VjEJr", testSecretKey[:16], strings.ToLower(testSecretKey[:16])} {
				if strings.Contains(msg, secret) || strings.Contains(msg, url.QueryEscape(secret)) {
					t.Errorf("the error carries a credential (%q…): %s", secret[:8], msg)
				}
			}
			if !strings.Contains(msg, "answered HTTP 403") {
				t.Errorf("the error does not name the operation's answer: %s", msg)
			}
		})
	}
}

// A server that sends its headers at once and then the body a byte at a time, forever, is cut
// off by the attempt's own limit even when the caller's context has no deadline (a local run).
func TestTricklingBodyEndsWithoutADeadline(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"Item":`)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
				fmt.Fprint(w, " ")
			}
		}
	}))
	defer srv.Close()
	defer srv.CloseClientConnections()
	c := client(t, srv.URL)
	c.Timeout, c.Attempts = 200*time.Millisecond, 2
	err := c.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]string{"TableName": "t"}, &struct{}{})
	if err == nil || !strings.Contains(err.Error(), "GetItem: read answer (HTTP 200): the answer did not end within 200ms") {
		t.Errorf("err = %v, want the operation and the attempt's limit named", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d attempts, want 2 (a cut-off read is retried)", calls.Load())
	}
}

// A table that throttles every call is retried while the deadline allows, and the last error
// comes back with the reserve still free, naming the operation and the throttling.
func TestThrottlingRetriesKeepTheReserve(t *testing.T) {
	var calls atomic.Int32
	c := client(t, answers(t, &calls, [2]string{"400", `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`}))
	c.sleep = nil // real waits: the deadline is real
	c.Timeout, c.Attempts = 200*time.Millisecond, 100
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	err := c.JSON(ctx, "DynamoDB_20120810.UpdateItem", map[string]string{"TableName": "t"}, nil)
	if left := time.Until(deadline); left < c.Reserve/2 {
		t.Errorf("returned %s before the deadline, want about the reserve (%s) left", left, c.Reserve)
	}
	if err == nil || !strings.Contains(err.Error(), "UpdateItem answered HTTP 400 ProvisionedThroughputExceededException") ||
		!strings.Contains(err.Error(), "no time left for another before the deadline") {
		t.Errorf("err = %v", err)
	}
	if calls.Load() < 2 {
		t.Errorf("%d calls: throttling was not retried", calls.Load())
	}
}

// A Client built as a literal without Timeout or Attempts (the package supports one: see
// TestClientWithoutNew) still calls, with New's bounds, instead of refusing every call with
// "not called: -2562047h47m16s before the deadline".
func TestClientWithoutTimeoutUsesTheDefault(t *testing.T) {
	var calls atomic.Int32
	c := &Client{Service: DynamoDB, Endpoint: answers(t, &calls, [2]string{"200", `{}`}), Region: "us-east-1",
		Credentials: client(t, "http://127.0.0.1:1").Credentials, HTTP: http.DefaultClient}
	if err := c.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]string{}, nil); err != nil || calls.Load() != 1 {
		t.Errorf("err = %v after %d calls", err, calls.Load())
	}
}
