// Package ssmparam reads the relay's secrets from SSM Parameter Store at start-up: the webhook
// URL (webhook) and a Slack app's bot token (slackapi). A value read here is a secret: it is
// returned, never put in an error.
package ssmparam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/awsapi"
	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// ReadTimeout bounds a read at start-up (awsapi's retries included): Lambda gives a container's
// start-up 10 s in all, and a silent endpoint must not use them up.
const ReadTimeout = 5 * time.Second

// maxAWSError bounds an AWS error's text in the start-up error (an AccessDenied message can be
// kilobytes of policy ARNs).
const maxAWSError = 400

// Reader is the one SSM call the relay makes: GetParameter with decryption, returning the value
// ("" when the parameter holds none).
type Reader interface {
	GetParameter(ctx context.Context, name string) (string, error)
}

// ErrEmpty is a parameter that exists but holds nothing.
var ErrEmpty = errors.New("the parameter is empty")

// Read reads a SecureString parameter ("name" or "name:version"), decrypted, within ReadTimeout.
// newReader is called only now, so that a relay configured without a parameter needs no AWS
// configuration.
func Read(ctx context.Context, name string, newReader func(context.Context) (Reader, error)) (string, error) {
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
		return "", ErrEmpty
	}
	return value, nil
}

// NewReader builds the SSM reader from what Lambda puts in the environment (awsapi.LoadEnv);
// AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL point it elsewhere (tests use moto_server). It is one
// signed JSON call (awsapi), not the SDK's SSM client, whose package initialisation alone costs
// about 1.4 ms of every cold start (GODEBUG=inittrace=1), for webhook and Slack app alike.
func NewReader(_ context.Context) (Reader, error) {
	return newReader(os.Getenv)
}

func newReader(getenv func(string) string) (Reader, error) {
	api, err := awsapi.SSM.NewFromEnv(getenv, &http.Client{Timeout: ReadTimeout})
	if err != nil {
		return nil, err
	}
	return reader{api}, nil
}

type reader struct{ api *awsapi.Client }

func (r reader) GetParameter(ctx context.Context, name string) (string, error) {
	var out struct {
		Parameter struct{ Value string }
	}
	if err := r.api.JSON(ctx, "AmazonSSM.GetParameter", map[string]any{"Name": name, "WithDecryption": true}, &out); err != nil {
		return "", err
	}
	return out.Parameter.Value, nil
}
