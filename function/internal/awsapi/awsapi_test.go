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

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func client(t *testing.T, endpoint string) *Client {
	t.Helper()
	c, err := DynamoDB.NewFromEnv(env(map[string]string{
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
	}), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

// answers serves the scripted (status, body) pairs in order, repeating the last.
func answers(t *testing.T, calls *atomic.Int32, script ...[2]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(calls.Add(1)) - 1
		a := script[min(i, len(script)-1)]
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || r.Header.Get("X-Amz-Date") == "" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		var status int
		fmt.Sscan(a[0], &status)
		w.WriteHeader(status)
		fmt.Fprint(w, a[1])
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestJSONJudgement(t *testing.T) {
	throttled := [2]string{"400", `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}`}
	tests := []struct {
		name   string
		script [][2]string
		errHas string
		calls  int32
	}{
		{"ok", [][2]string{{"200", `{"Item":{}}`}}, "", 1},
		{"throttled, then ok", [][2]string{throttled, {"200", `{}`}}, "", 2},
		{"throttled for good", [][2]string{throttled}, "GetItem answered HTTP 400 ThrottlingException: Rate of requests", 3},
		{"server error, then ok", [][2]string{{"500", `{"__type":"com.amazon.coral.service#InternalServerError"}`}, {"200", `{}`}}, "", 2},
		{"condition failed is not retried", [][2]string{{"400", `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`}},
			"HTTP 400 ConditionalCheckFailedException: The conditional request failed", 1},
		{"access denied", [][2]string{{"400", `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User is not authorized to perform: dynamodb:UpdateItem"}`}},
			"AccessDeniedException: User is not authorized", 1},
		{"not JSON", [][2]string{{"403", `<html>denied</html>`}}, "HTTP 403 : <html>denied</html>", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			c := client(t, answers(t, &calls, tt.script...))
			err := c.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]string{"TableName": "t"}, &struct{}{})
			if (tt.errHas == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("err = %v, want %q", err, tt.errHas)
			}
			if calls.Load() != tt.calls {
				t.Errorf("%d calls, want %d", calls.Load(), tt.calls)
			}
		})
	}
}

func TestQueryError(t *testing.T) {
	var calls atomic.Int32
	c := client(t, answers(t, &calls, [2]string{"403", `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform cloudwatch:DescribeAlarms</Message></Error></ErrorResponse>`}))
	err := c.Query(context.Background(), url.Values{"Action": {"DescribeAlarms"}}, &struct{}{})
	if err == nil || err.Error() != "DescribeAlarms answered HTTP 403 AccessDenied: not authorized to perform cloudwatch:DescribeAlarms" || !HasCode(err, "AccessDenied") {
		t.Errorf("err = %v", err)
	}
}

func TestNetworkErrorsAreRetriedThenNamed(t *testing.T) {
	refused := testsupport.RefusedURL(t)
	c := client(t, refused)
	err := c.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]string{}, nil)
	if err == nil || !strings.Contains(err.Error(), "GetItem "+refused+": dial tcp") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v", err)
	}
}

func TestDefaultEndpoints(t *testing.T) {
	for region, want := range map[string]string{
		"ap-northeast-2": "https://monitoring.ap-northeast-2.amazonaws.com",
		"cn-north-1":     "https://monitoring.cn-north-1.amazonaws.com.cn",
		"us-iso-east-1":  "https://monitoring.us-iso-east-1.c2s.ic.gov",
		"eusc-de-east-1": "https://monitoring.eusc-de-east-1.amazonaws.eu",
	} {
		c, err := CloudWatch.NewFromEnv(env(map[string]string{"AWS_REGION": region, "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}), http.DefaultClient)
		if err != nil || c.Endpoint != want {
			t.Errorf("%s: %v, %v; want %s", region, c, err, want)
		}
	}
}

// A Client built as a literal, without New, signs its calls too.
func TestClientWithoutNew(t *testing.T) {
	var calls atomic.Int32
	c := &Client{Service: DynamoDB, Endpoint: answers(t, &calls, [2]string{"200", `{}`}), Region: "us-east-1",
		Credentials: client(t, "http://127.0.0.1:1").Credentials, HTTP: http.DefaultClient, Timeout: 5 * time.Second}
	if err := c.JSON(context.Background(), "DynamoDB_20120810.GetItem", map[string]string{}, nil); err != nil || calls.Load() != 1 {
		t.Errorf("err = %v after %d calls", err, calls.Load())
	}
}

// A JSON-protocol call carries its service's protocol version (SSM speaks 1.1, the others 1.0).
func TestJSONVersionIsTheService(t *testing.T) {
	for _, tt := range []struct {
		service Service
		want    string
	}{{SSM, "application/x-amz-json-1.1"}, {DynamoDB, "application/x-amz-json-1.0"}, {SQS, "application/x-amz-json-1.0"}} {
		var got string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Get("Content-Type")
			fmt.Fprint(w, `{}`)
		}))
		c, err := tt.service.NewFromEnv(env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_ENDPOINT_URL": srv.URL}), http.DefaultClient)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.JSON(context.Background(), "X.Op", map[string]string{}, nil); err != nil || got != tt.want {
			t.Errorf("%s: Content-Type %q, %v; want %q", tt.service.Name, got, err, tt.want)
		}
		srv.Close()
	}
}
