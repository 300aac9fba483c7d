// Package webhook finds the webhook URL at start-up: from SSM Parameter Store in Lambda (read by
// ssmparam), or from the environment for local runs. The URL is a secret: it is checked here, and no error from this
// package contains it.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/ssmparam"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Load returns the webhook URL the configuration names (WEBHOOK_URL, else the SSM parameter in
// WEBHOOK_PARAMETER), checked. newReader is called only when the URL lives in SSM, so local runs
// need no AWS configuration.
func Load(ctx context.Context, c relayconfig.Config, newReader func(context.Context) (ssmparam.Reader, error)) (URL, error) {
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
	value, err := ssmparam.Read(ctx, name, newReader)
	if errors.Is(err, ssmparam.ErrEmpty) {
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
