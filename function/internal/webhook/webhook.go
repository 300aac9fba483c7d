// Package webhook finds the webhook URL at start-up: from SSM Parameter Store in Lambda, or from
// the environment for local runs. The URL is a secret: it is checked here, and no error from this
// package contains it.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/internal/clip"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// ReadTimeout bounds the SSM read at start-up (awsapi's retries included).
const ReadTimeout = 5 * time.Second

// maxAWSError bounds an AWS error's text in the start-up error (an AccessDenied message can be
// kilobytes of policy ARNs).
const maxAWSError = 400

// ParameterReader is the one SSM call the relay makes: GetParameter with decryption, returning
// the value ("" when the parameter holds none).
type ParameterReader interface {
	GetParameter(ctx context.Context, name string) (string, error)
}

// Load returns the webhook URL the configuration names (WEBHOOK_URL, else the SSM parameter in
// WEBHOOK_PARAMETER), checked. newReader is called only when the URL lives in SSM, so local runs
// need no AWS configuration.
func Load(ctx context.Context, c relayconfig.Config, newReader func(context.Context) (ParameterReader, error)) (URL, error) {
	if raw := c.WebhookURL.Reveal(); raw != "" {
		u, err := Parse(raw)
		if err != nil {
			return URL{}, fmt.Errorf("%s: %w", relayconfig.EnvWebhookURL, err)
		}
		return u, nil
	}
	name := strings.TrimSpace(c.WebhookParameter)
	if name == "" {
		return URL{}, fmt.Errorf("no webhook configured: set %s to the SSM SecureString parameter holding it (the Pulumi stack does), or %s for a local run", relayconfig.EnvWebhookParameter, relayconfig.EnvWebhookURL)
	}
	value, err := ReadParameter(ctx, name, newReader)
	if errors.Is(err, ErrEmptyParameter) {
		return URL{}, fmt.Errorf("SSM parameter %q is empty", name)
	}
	if err != nil {
		return URL{}, fmt.Errorf("read webhook from SSM parameter %q: %w", name, err)
	}
	u, err := Parse(value)
	if err != nil {
		return URL{}, fmt.Errorf("SSM parameter %q: %w", name, err)
	}
	return u, nil
}

// ErrEmptyParameter is a parameter that exists but holds nothing.
var ErrEmptyParameter = errors.New("the parameter is empty")

// ReadParameter reads a SecureString parameter ("name" or "name:version"), decrypted, within
// ReadTimeout (awsapi's retries included). It holds a secret (a webhook URL, a Slack bot token):
// the value is returned, never put in an error. newReader is called only now, so that a relay
// configured without a parameter needs no AWS configuration.
func ReadParameter(ctx context.Context, name string, newReader func(context.Context) (ParameterReader, error)) (string, error) {
	// Lambda gives a container's start-up 10 s in all; a silent endpoint must not use them up.
	ctx, cancel := context.WithTimeout(ctx, ReadTimeout)
	defer cancel()
	reader, err := newReader(ctx)
	if err != nil {
		return "", clip.Error(err, maxAWSError)
	}
	value, err := reader.GetParameter(ctx, name)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("no answer within %s: %w", ReadTimeout, clip.Error(err, maxAWSError))
		}
		return "", clip.Error(err, maxAWSError)
	}
	if value == "" {
		return "", ErrEmptyParameter
	}
	return value, nil
}

// Parse checks a webhook URL by the contract's rule (relayconfig.ParseWebhookURL: https, or
// http to a loopback address for local tests). Its errors say what is wrong without repeating
// the URL.
func Parse(raw string) (URL, error) {
	u, err := relayconfig.ParseWebhookURL(raw)
	if err != nil {
		return URL{}, err
	}
	return newURL(u), nil
}

// NewSSMReader builds the SSM reader from what Lambda puts in the environment (see awsenv);
// AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL point it elsewhere (tests use moto_server). It is one
// signed JSON call (awsapi), not the SDK's SSM client, whose package initialisation alone costs
// about 1.4 ms of every cold start (GODEBUG=inittrace=1), for webhook and Slack app alike.
func NewSSMReader(_ context.Context) (ParameterReader, error) {
	return newSSMReader(os.Getenv)
}

func newSSMReader(getenv func(string) string) (ParameterReader, error) {
	api, err := awsapi.NewFromEnv(getenv, "ssm", "SSM", "ssm", &http.Client{Timeout: ReadTimeout})
	if err != nil {
		return nil, err
	}
	api.JSONVersion = "1.1"
	return ssmReader{api}, nil
}

type ssmReader struct{ api *awsapi.Client }

func (r ssmReader) GetParameter(ctx context.Context, name string) (string, error) {
	var out struct {
		Parameter struct{ Value string }
	}
	if err := r.api.JSON(ctx, "AmazonSSM.GetParameter", map[string]any{"Name": name, "WithDecryption": true}, &out); err != nil {
		return "", err
	}
	return out.Parameter.Value, nil
}
