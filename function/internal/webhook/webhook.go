// Package webhook finds the webhook URL at start-up: from SSM Parameter Store in Lambda, or from
// the environment for local runs. The URL is a secret: it is checked here, and no error from this
// package contains it.
package webhook

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/alarm-relay/alarm-relay/function/internal/awsenv"
	"github.com/alarm-relay/alarm-relay/function/internal/clip"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// The environment variables the relay reads the webhook from (see relayconfig).
const (
	EnvURL       = relayconfig.EnvWebhookURL       // the URL itself; for local runs and tests
	EnvParameter = relayconfig.EnvWebhookParameter // an SSM SecureString name, optionally "name:version"
)

// ReadTimeout bounds the SSM read at start-up (the SDK's own retries included).
const ReadTimeout = 5 * time.Second

// maxAWSError bounds an AWS error's text in the start-up error (an AccessDenied message can be
// kilobytes of policy ARNs).
const maxAWSError = 400

// ParameterReader is the one SSM call the relay makes.
type ParameterReader interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// Load returns the webhook URL the configuration names (WEBHOOK_URL, else the SSM parameter in
// WEBHOOK_PARAMETER), checked. newReader is called only when the URL lives in SSM, so local runs
// need no AWS configuration.
func Load(ctx context.Context, c relayconfig.Config, newReader func(context.Context) (ParameterReader, error)) (URL, error) {
	if raw := c.WebhookURL.Reveal(); raw != "" {
		u, err := Parse(raw)
		if err != nil {
			return URL{}, fmt.Errorf("%s: %w", EnvURL, err)
		}
		return u, nil
	}
	name := strings.TrimSpace(c.WebhookParameter)
	if name == "" {
		return URL{}, fmt.Errorf("no webhook configured: set %s to the SSM SecureString parameter holding it (the Pulumi stack does), or %s for a local run", EnvParameter, EnvURL)
	}
	// Lambda gives a container's start-up 10 s in all; a silent endpoint must not use them up.
	ctx, cancel := context.WithTimeout(ctx, ReadTimeout)
	defer cancel()
	reader, err := newReader(ctx)
	if err != nil {
		return URL{}, fmt.Errorf("read webhook from SSM parameter %q: %w", name, clip.Error(err, maxAWSError))
	}
	out, err := reader.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		if ctx.Err() != nil {
			return URL{}, fmt.Errorf("read webhook from SSM parameter %q: no answer within %s: %w", name, ReadTimeout, clip.Error(err, maxAWSError))
		}
		return URL{}, fmt.Errorf("read webhook from SSM parameter %q: %w", name, clip.Error(err, maxAWSError))
	}
	if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
		return URL{}, fmt.Errorf("SSM parameter %q is empty", name)
	}
	u, err := Parse(aws.ToString(out.Parameter.Value))
	if err != nil {
		return URL{}, fmt.Errorf("SSM parameter %q: %w", name, err)
	}
	return u, nil
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

// NewSSMReader builds the SSM client from what Lambda puts in the environment (see awsenv);
// AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL point it elsewhere (tests use moto_server).
func NewSSMReader(_ context.Context) (ParameterReader, error) {
	return newSSMReader(os.Getenv)
}

func newSSMReader(getenv func(string) string) (ParameterReader, error) {
	env, err := awsenv.Load(getenv)
	if err != nil {
		return nil, err
	}
	opts := ssm.Options{Region: env.Region, Credentials: env.Credentials}
	if endpoint := awsenv.Endpoint(getenv, "SSM"); endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return ssm.New(opts), nil
}
