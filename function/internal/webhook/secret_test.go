package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/ssmparam"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

const workflowsURL = "https://default0123.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGsecretSIGsecretSIGsecret0123456789abcdef"

// secretParts are what no printed form of the URL may contain.
var secretParts = []string{"SIGsecret", "0a1b2c3d4e5f", "SECRETtoken", "T000/B000"}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, p := range secretParts {
		if strings.Contains(s, p) {
			t.Errorf("%s leaks %q: %s", what, p, s)
		}
	}
}

// Every way Go prints or encodes a value prints [webhook].
func TestURLNeverPrints(t *testing.T) {
	for _, raw := range []string{slackURL, workflowsURL} {
		u, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if u.Secret() != raw {
			t.Fatalf("Secret() = %q, want the URL", u.Secret())
		}
		holder := struct {
			Hook URL
			Ptr  *URL
		}{u, &u}
		for verb, s := range map[string]string{
			"%v": fmt.Sprintf("%v", u), "%+v": fmt.Sprintf("%+v", holder), "%#v": fmt.Sprintf("%#v", holder),
			"%s": fmt.Sprintf("%s", u), "%q": fmt.Sprintf("%q", u), "%x": fmt.Sprintf("%x", u), "String": u.String(),
			"Errorf %w": fmt.Errorf("post to %v: %w", u, errors.New("x")).Error(),
		} {
			assertNoSecret(t, verb, s)
			if !strings.Contains(s, "[webhook]") {
				t.Errorf("%s prints %q, want [webhook]", verb, s)
			}
		}
		data, err := json.Marshal(holder)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "json", string(data))
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "hook", u, "holder", holder)
		slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "hook", u, "ptr", &u)
		assertNoSecret(t, "slog", logs.String())
		if got := u.Origin().String(); strings.Contains(got, "/") && strings.Count(got, "/") > 2 {
			t.Errorf("Origin() = %q keeps the path", got)
		}
	}
}

// A server's answer may repeat the request in any form; every form is masked.
func TestRedact(t *testing.T) {
	u, err := Parse(workflowsURL)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(workflowsURL)
	echoes := []string{
		workflowsURL,
		"Cannot POST " + parsed.RequestURI(),
		"Cannot POST " + parsed.EscapedPath(),
		"<pre>Cannot POST " + strings.ReplaceAll(parsed.RequestURI(), "&", "&amp;") + "</pre>",
		`{"path":"` + strings.ReplaceAll(parsed.Path, "/", `\/`) + `","query":{"sig":"SIGsecretSIGsecretSIGsecret0123456789abcdef"}}`,
		"no route for " + parsed.Path + "?" + "sig=SIGsecretSIGsecretSIGsecret0123456789abcdef&api-version=1", // reordered query
		"workflow 0a1b2c3d4e5f is disabled",
	}
	for _, echo := range echoes {
		got := u.Redact(echo)
		assertNoSecret(t, "Redact", got)
		if !strings.Contains(got, "[redacted]") && !strings.Contains(got, "[webhook]") {
			t.Errorf("Redact(%q) = %q marks nothing", echo, got)
		}
	}
	// Short values ("1" of api-version=1) are not secret: masking them would garble every text.
	if got := u.Redact("HTTP error 1 of 1.0"); got != "HTTP error 1 of 1.0" {
		t.Errorf("Redact garbles ordinary text: %q", got)
	}
	if got := (URL{}).Redact("text"); got != "text" {
		t.Errorf("zero URL Redact = %q", got)
	}
}

// blockingReader never answers; it records the context it was given.
type blockingReader struct{ deadline chan time.Time }

func (b *blockingReader) GetParameter(ctx context.Context, _ string) (string, error) {
	d, _ := ctx.Deadline()
	b.deadline <- d
	<-ctx.Done()
	return "", fmt.Errorf("GetParameter: %w", ctx.Err())
}

func TestLoadBoundsTheSSMRead(t *testing.T) {
	b := &blockingReader{deadline: make(chan time.Time, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	// The read must carry its own deadline; cancelling here only ends the test without waiting for it.
	var deadline time.Time
	go func() {
		deadline = <-b.deadline
		cancel()
	}()
	start := time.Now()
	_, err := Load(ctx, config(map[string]string{relayconfig.EnvWebhookParameter: "/p"}), func(context.Context) (ssmparam.Reader, error) { return b, nil })
	if err == nil || !strings.Contains(err.Error(), `read webhook from SSM parameter "/p"`) {
		t.Fatalf("err = %v", err)
	}
	if deadline.IsZero() || deadline.Sub(start) > ssmparam.ReadTimeout+time.Second {
		t.Errorf("the SSM read had deadline %v after start, want %v", deadline.Sub(start), ssmparam.ReadTimeout)
	}
}

type failingReader struct{ err error }

func (f failingReader) GetParameter(context.Context, string) (string, error) {
	return "", f.err
}

func TestLoadShortensAWSErrors(t *testing.T) {
	long := errors.New("AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/x is not authorized " + strings.Repeat("because no identity-based policy allows the ssm:GetParameter action ", 80))
	_, err := Load(context.Background(), config(map[string]string{relayconfig.EnvWebhookParameter: "/p"}), func(context.Context) (ssmparam.Reader, error) { return failingReader{long}, nil })
	if err == nil || len(err.Error()) > 500 || !strings.Contains(err.Error(), "AccessDeniedException") || !errors.Is(err, long) {
		t.Errorf("err = %d bytes (%v); want the start of the AWS error, under 500 bytes, still wrapping it", len(err.Error()), err)
	}
}
