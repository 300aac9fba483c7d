// Package e2e runs the artifact `pulumi up` deploys — the same build code, the same zip — under
// AWS's Lambda Runtime Interface Emulator, for amd64 natively and for arm64 under qemu, against
// local webhooks and moto_server. Only loopback is ever contacted.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/alarm-relay/alarm-relay/internal/build"
	"github.com/alarm-relay/alarm-relay/internal/emulator"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// secretPath is the secret part of every test webhook URL; no log may contain it.
const secretPath = "/services/T0E2E/B0E2E/e2eSECRETtoken"

// tools are built once per test binary.
type tools struct {
	rie        string
	bootstraps map[string]string // arch → unzipped bootstrap
}

var (
	toolsOnce sync.Once
	shared    tools
	toolsErr  error
	workDir   string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "alarm-relay-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	testsupport.ReportSkips() // tests skipped for a missing qemu or moto_server
	os.Exit(code)
}

// setup builds the emulator and the relay for both architectures with the Pulumi program's build.
func setup(t *testing.T) tools {
	t.Helper()
	toolsOnce.Do(func() {
		ctx := context.Background()
		root, err := build.ModuleRoot(ctx)
		if err != nil {
			toolsErr = err
			return
		}
		if shared.rie, toolsErr = emulator.BuildRIE(ctx, root, workDir); toolsErr != nil {
			return
		}
		shared.bootstraps = map[string]string{}
		for _, arch := range []string{"amd64", "arm64"} {
			art, err := build.Cached(ctx, root, arch)
			if err != nil {
				toolsErr = err
				return
			}
			dir := filepath.Join(workDir, arch)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				toolsErr = err
				return
			}
			if shared.bootstraps[arch], toolsErr = emulator.Unzip(art.ZipPath, dir); toolsErr != nil {
				return
			}
		}
	})
	if toolsErr != nil {
		t.Fatal(toolsErr)
	}
	return shared
}

// function describes the relay for arch with the given environment.
func function(t *testing.T, arch string, timeout int, env ...string) emulator.Function {
	t.Helper()
	tl := setup(t)
	fn := emulator.Function{Bootstrap: tl.bootstraps[arch], Env: env, Timeout: timeout}
	if arch == "arm64" {
		fn.QEMU = testsupport.Require(t, "qemu-aarch64-static", "install Debian's qemu-user-static (.ci/run does)")
	}
	return fn
}

// start runs fn under the emulator until the test ends. A test done with it calls
// noSecretLogged in its body.
func start(t *testing.T, fn emulator.Function) *emulator.Emulator {
	t.Helper()
	e, err := emulator.Start(context.Background(), setup(t).rie, fn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

// chat is a local webhook: it answers each post with the next scripted reply (the last repeats)
// and keeps what it accepted.
type chat struct {
	mu       sync.Mutex
	replies  []reply
	posts    int
	accepted []map[string]any
}

type reply struct {
	status     int
	body       string
	retryAfter string
	echo       bool // answer with the request line, as many frameworks' 404 pages do
}

func newChat(t *testing.T, replies ...reply) (*chat, string) {
	c := &chat{replies: replies}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL + secretPath
}

func (c *chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	rep := c.replies[min(c.posts, len(c.replies)-1)]
	c.posts++
	if rep.status < 300 && !strings.HasPrefix(rep.body, "Webhook message delivery failed") {
		var payload map[string]any
		if err := json.Unmarshal(raw, &payload); err == nil {
			c.accepted = append(c.accepted, payload)
		}
	}
	c.mu.Unlock()
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	w.WriteHeader(rep.status)
	if rep.echo {
		fmt.Fprintf(w, "Cannot %s %s", r.Method, r.URL.RequestURI())
		return
	}
	io.WriteString(w, rep.body)
}

func (c *chat) counts() (posts, accepted int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.posts, len(c.accepted)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "function", "testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func invoke(t *testing.T, e *emulator.Emulator, event []byte) emulator.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := e.Invoke(ctx, event)
	if err != nil {
		t.Fatalf("%v\nlogs:\n%s", err, e.Logs.String())
	}
	return res
}

func TestRelayUnderEmulator(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			t.Run("slack, every record", func(t *testing.T) {
				c, url := newChat(t, reply{status: 200, body: "ok"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=slack", "TIMEZONE=Asia/Seoul"))
				res := invoke(t, e, fixture(t, "multi-record"))
				if res.FunctionError {
					t.Fatalf("invocation failed: %s %s\n%s", res.ErrorType, res.ErrorMessage, e.Logs)
				}
				posts, accepted := c.counts()
				if posts != 2 || accepted != 2 {
					t.Fatalf("webhook got %d posts, accepted %d; want one per record (2)", posts, accepted)
				}
				for i, want := range []string{"🔴 ALARM", "✅ OK"} {
					p := c.accepted[i]
					if text, _ := p["text"].(string); !strings.HasPrefix(text, want) {
						t.Errorf("post %d text %q, want prefix %q", i+1, text, want)
					}
					if _, ok := p["blocks"].([]any); !ok {
						t.Errorf("post %d has no Block Kit blocks", i+1)
					}
				}
				noSecretLogged(t, e) // stops e: its log is complete
				if n := strings.Count(e.Logs.String(), `"msg":"delivered"`); n != 2 {
					t.Errorf("%d delivery log lines, want one per record (2):\n%s", n, e.Logs)
				}
			})
			t.Run("teams workflows", func(t *testing.T) {
				c, url := newChat(t, reply{status: 202})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=teams"))
				if res := invoke(t, e, fixture(t, "p99-http-api")); res.FunctionError {
					t.Fatalf("invocation failed: %s", res.ErrorMessage)
				}
				if _, accepted := c.counts(); accepted != 1 {
					t.Fatalf("accepted %d posts, want 1", accepted)
				}
				p := c.accepted[0]
				att, _ := p["attachments"].([]any)
				if p["type"] != "message" || len(att) != 1 || att[0].(map[string]any)["contentType"] != "application/vnd.microsoft.card.adaptive" {
					t.Errorf("not a Workflows Adaptive Card message: %v", p)
				}
				noSecretLogged(t, e)
			})
			t.Run("teams office 365 connector", func(t *testing.T) {
				c, url := newChat(t, reply{status: 200, body: "1"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=teams-legacy"))
				if res := invoke(t, e, fixture(t, "composite")); res.FunctionError {
					t.Fatalf("invocation failed: %s", res.ErrorMessage)
				}
				if _, accepted := c.counts(); accepted != 1 || c.accepted[0]["@type"] != "MessageCard" {
					t.Fatalf("want one MessageCard, got %v", c.accepted)
				}
				noSecretLogged(t, e)
			})
			t.Run("429 with Retry-After, then ok", func(t *testing.T) {
				c, url := newChat(t, reply{status: 429, body: "rate_limited", retryAfter: "1"}, reply{status: 200, body: "ok"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=slack"))
				if res := invoke(t, e, fixture(t, "latency-alarm")); res.FunctionError {
					t.Fatalf("invocation failed: %s", res.ErrorMessage)
				}
				if posts, accepted := c.counts(); posts != 2 || accepted != 1 {
					t.Errorf("posts %d, accepted %d; want 2 and 1", posts, accepted)
				}
				noSecretLogged(t, e)
			})
			t.Run("webhook keeps failing", func(t *testing.T) {
				c, url := newChat(t, reply{status: 500, body: "internal_error"})
				e := start(t, function(t, arch, 3, "WEBHOOK_URL="+url, "MESSENGER=slack"))
				res := invoke(t, e, fixture(t, "latency-alarm"))
				if !res.FunctionError || res.ErrorType != "NotDeliveredError" {
					t.Fatalf("want a NotDeliveredError so Lambda retries and dead-letters the alert; got %+v", res)
				}
				for _, want := range []string{"orders-api latency (alarm-relay/dev)", "HTTP 500", "internal_error"} {
					if !strings.Contains(res.ErrorMessage, want) {
						t.Errorf("error %q lacks %q", res.ErrorMessage, want)
					}
				}
				if posts, _ := c.counts(); posts < 2 {
					t.Errorf("only %d attempts before giving up", posts)
				}
				noSecretLogged(t, e)
			})
			t.Run("teams failure inside HTTP 200 is retried, then delivered", func(t *testing.T) {
				c, url := newChat(t, reply{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0"}, reply{status: 200, body: "1"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=teams"))
				if res := invoke(t, e, fixture(t, "latency-alarm")); res.FunctionError {
					t.Fatalf("invocation failed: %s\n%s", res.ErrorMessage, e.Logs)
				}
				if posts, accepted := c.counts(); posts != 2 || accepted != 1 {
					t.Errorf("posts %d, accepted %d; want the throttled post retried once", posts, accepted)
				}
				noSecretLogged(t, e)
			})
			t.Run("teams failure inside HTTP 200 is not delivered", func(t *testing.T) {
				c, url := newChat(t, reply{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 403 with ContextId tcid=0"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=teams"))
				res := invoke(t, e, fixture(t, "latency-alarm"))
				if !res.FunctionError || res.ErrorType != "NotDeliveredError" || !strings.Contains(res.ErrorMessage, "connector reported a failure inside HTTP 200") {
					t.Fatalf("want a NotDeliveredError naming the connector's failure; got %+v", res)
				}
				if posts, _ := c.counts(); posts != 1 {
					t.Errorf("a final failure was posted %d times", posts)
				}
				if !logsShow(`"msg":"not delivered"`, e) {
					t.Errorf("the failure is not logged:\n%s", e.Logs)
				}
				noSecretLogged(t, e) // stops e: its log is complete
				if strings.Contains(e.Logs.String(), `"msg":"delivered"`) {
					t.Errorf("a failure was logged as delivered:\n%s", e.Logs)
				}
			})
			t.Run("a 404 that echoes the webhook path and query", func(t *testing.T) {
				_, url := newChat(t, reply{status: 404, echo: true})
				url += "?api-version=1&sig=e2eSECRETtoken0123456789abcdef"
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=teams"))
				res := invoke(t, e, fixture(t, "latency-alarm"))
				if !res.FunctionError || res.ErrorType != "NotDeliveredError" || !strings.Contains(res.ErrorMessage, "HTTP 404") || !strings.Contains(res.ErrorMessage, "Cannot POST [redacted]") {
					t.Fatalf("want a NotDeliveredError with the redacted 404; got %+v", res)
				}
				if strings.Contains(res.ErrorMessage, "e2eSECRETtoken") || strings.Contains(res.ErrorMessage, "/services/T0E2E") {
					t.Errorf("the error Lambda records leaks the webhook: %s", res.ErrorMessage)
				}
				noSecretLogged(t, e)
			})
			t.Run("an alarm settling after a deploy posts nothing", func(t *testing.T) {
				c, url := newChat(t, reply{status: 200, body: "ok"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=slack"))
				if res := invoke(t, e, fixture(t, "settling-ok")); res.FunctionError {
					t.Fatalf("a settling alarm failed the invocation: %s", res.ErrorMessage)
				}
				if posts, _ := c.counts(); posts != 0 {
					t.Errorf("a settling alarm was posted %d times", posts)
				}
				if !logsShow("alarm settling after a configuration change; not posted", e) {
					t.Errorf("settling not logged:\n%s", e.Logs)
				}
				noSecretLogged(t, e)
			})
			t.Run("a recovery that looks like settling is posted", func(t *testing.T) {
				// ALARM 4 minutes after the alarm's change, then INSUFFICIENT_DATA → OK within the
				// settling window: this container posted the ALARM, so the OK is its recovery.
				c, url := newChat(t, reply{status: 200, body: "ok"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=slack"))
				settling := string(fixture(t, "settling-ok"))
				alarmEv := strings.NewReplacer(`\"NewStateValue\":\"OK\"`, `\"NewStateValue\":\"ALARM\"`,
					"2026-11-20T09:42:31.207+0000", "2026-11-20T09:45:00.000+0000",
					"5c1e7a90-2f4b-5d8e-9a61-0b7c3d2e4f13", "e2e-settling-alarm").Replace(settling)
				okEv := strings.NewReplacer("2026-11-20T09:42:31.207+0000", "2026-11-20T09:52:00.000+0000",
					"5c1e7a90-2f4b-5d8e-9a61-0b7c3d2e4f13", "e2e-settling-ok").Replace(settling)
				for _, ev := range []string{alarmEv, okEv} {
					if res := invoke(t, e, []byte(ev)); res.FunctionError {
						t.Fatalf("invocation failed: %s", res.ErrorMessage)
					}
				}
				if posts, accepted := c.counts(); posts != 2 || accepted != 2 {
					t.Errorf("posts %d, accepted %d; want the ALARM and its recovery", posts, accepted)
				}
				noSecretLogged(t, e)
			})
			t.Run("event without records", func(t *testing.T) {
				c, url := newChat(t, reply{status: 200, body: "ok"})
				e := start(t, function(t, arch, 10, "WEBHOOK_URL="+url, "MESSENGER=slack"))
				res := invoke(t, e, []byte(`{"Records":[]}`))
				if !res.FunctionError || res.ErrorType != "InvalidEventError" || !strings.Contains(res.ErrorMessage, "SNS event has no records") {
					t.Fatalf("want an InvalidEventError, got %+v", res)
				}
				if posts, _ := c.counts(); posts != 0 {
					t.Errorf("posted %d messages for an empty event", posts)
				}
				noSecretLogged(t, e)
			})
		})
	}
}

// TestWebhookFromSSM reads the webhook the way production does: a SecureString in SSM (moto).
func TestWebhookFromSSM(t *testing.T) {
	endpoint := testsupport.StartMoto(t)
	c, url := newChat(t, reply{status: 200, body: "ok"})
	client := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	if _, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String("/alarm-relay/e2e/webhook-url"), Value: aws.String(url), Type: types.ParameterTypeSecureString,
	}); err != nil {
		t.Fatal(err)
	}
	aws := []string{"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN=testing", "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL_SSM=" + endpoint}

	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			env := append([]string{"WEBHOOK_PARAMETER=/alarm-relay/e2e/webhook-url:1", "MESSENGER=slack"}, aws...)
			e := start(t, function(t, arch, 10, env...))
			if res := invoke(t, e, fixture(t, "latency-alarm")); res.FunctionError {
				t.Fatalf("invocation failed: %s\n%s", res.ErrorMessage, e.Logs)
			}
			noSecretLogged(t, e)
		})
	}
	if _, accepted := c.counts(); accepted != 2 {
		t.Errorf("accepted %d posts, want one per architecture", accepted)
	}

	t.Run("missing parameter fails at start-up", func(t *testing.T) {
		env := append([]string{"WEBHOOK_PARAMETER=/alarm-relay/e2e/missing"}, aws...)
		e := start(t, function(t, "amd64", 10, env...))
		res := invoke(t, e, fixture(t, "latency-alarm"))
		if !res.FunctionError {
			t.Fatalf("a relay without its webhook accepted an alert: %s", res.Body)
		}
		if !logsShow(`"msg":"start-up failed"`, e) || !logsShow(`read webhook from SSM parameter \"/alarm-relay/e2e/missing\"`, e) {
			t.Errorf("start-up failure not explained in the logs:\n%s", e.Logs)
		}
		noSecretLogged(t, e)
	})
}
