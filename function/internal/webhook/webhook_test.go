package webhook

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/alarm-relay/alarm-relay/function/internal/ssmparam"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

const slackURL = "https://hooks.slack.com/services/T000/B000/SECRETtoken"

func TestParse(t *testing.T) {
	tests := []struct {
		raw, errHas string
	}{
		{slackURL, ""},
		{"http://127.0.0.1:8080/hook", ""},
		{"http://localhost/hook", ""},
		{"http://hooks.slack.com/services/SECRETtoken", `must use https (got scheme "http")`},
		{"ftp://example.com/SECRETtoken", `must use https (got scheme "ftp")`},
		{"hooks.slack.com/services/SECRETtoken", "has no host"},
		{"https://user:SECRETtoken@example.com/x", "must not carry user credentials"},
		{"https://example.com/%zzSECRETtoken", "malformed"},
		{"https://exa mple.com/SECRETtoken\x7f", "has a space or an invisible character (U+0020) at character 12"},
		{"https://example.com/SECRET token", "has a space or an invisible character (U+0020)"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.raw)
		if tt.errHas == "" {
			if err != nil {
				t.Errorf("Parse(valid) = %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("Parse: err = %v, want %q", err, tt.errHas)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("error leaks the URL: %v", err)
		}
	}
}

// config is the relay's configuration with the webhook settings of m, unchecked (Load checks them).
func config(m map[string]string) relayconfig.Config {
	return relayconfig.Config{WebhookURL: relayconfig.Secret(m[relayconfig.EnvWebhookURL]), WebhookParameter: m[relayconfig.EnvWebhookParameter]}
}

func noSSM(context.Context) (ssmparam.Reader, error) { return nil, errors.New("SSM must not be used") }

func TestLoadFromEnvironment(t *testing.T) {
	u, err := Load(context.Background(), config(map[string]string{relayconfig.EnvWebhookURL: slackURL, relayconfig.EnvWebhookParameter: "/ignored"}), noSSM)
	if err != nil || u.Secret() != slackURL {
		t.Fatalf("Load = %v, %v", u, err)
	}
	_, err = Load(context.Background(), config(nil), noSSM)
	if err == nil || !strings.Contains(err.Error(), relayconfig.EnvWebhookParameter) || !strings.Contains(err.Error(), relayconfig.EnvWebhookURL) {
		t.Errorf("Load without configuration = %v, want an error naming both variables", err)
	}
	_, err = Load(context.Background(), config(map[string]string{relayconfig.EnvWebhookURL: "http://example.com/SECRETtoken"}), noSSM)
	if err == nil || !strings.HasPrefix(err.Error(), relayconfig.EnvWebhookURL+": ") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("Load with a bad URL = %v, want an error naming %s and not the URL", err, relayconfig.EnvWebhookURL)
	}
}

// TestLoadFromSSM reads SecureStrings from moto_server through the real AWS configuration chain.
func TestLoadFromSSM(t *testing.T) {
	endpoint := testsupport.StartMoto(t)
	for _, kv := range testsupport.AWSEnv(endpoint) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	ctx := context.Background()
	// The SDK's client puts the parameters; the relay reads them with its own signed call.
	client := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	put := func(name, value string, overwrite bool) {
		t.Helper()
		_, err := client.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(overwrite),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("/alarm-relay/dev/webhook", "https://hooks.slack.com/services/T/B/oldSECRET", false)
	put("/alarm-relay/dev/webhook", slackURL, true)
	put("/alarm-relay/dev/bad", "http://example.com/SECRETbad", false)

	tests := []struct {
		parameter, want, errHas string
	}{
		{"/alarm-relay/dev/webhook", slackURL, ""},
		{"/alarm-relay/dev/webhook:2", slackURL, ""},
		{"/alarm-relay/dev/webhook:1", "https://hooks.slack.com/services/T/B/oldSECRET", ""},
		{"/alarm-relay/dev/missing", "", `read webhook from SSM parameter "/alarm-relay/dev/missing"`},
		{"/alarm-relay/dev/bad", "", `SSM parameter "/alarm-relay/dev/bad": webhook URL must use https`},
	}
	for _, tt := range tests {
		u, err := Load(ctx, config(map[string]string{relayconfig.EnvWebhookParameter: tt.parameter}), ssmparam.NewReader)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("%s: err = %v, want %q", tt.parameter, err, tt.errHas)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("%s: error leaks a value: %v", tt.parameter, err)
			}
			continue
		}
		if err != nil || u.Secret() != tt.want {
			t.Errorf("%s: got %v, %v; want %s", tt.parameter, u, err, tt.want)
		}
	}
}
