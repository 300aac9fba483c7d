package wiring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// NewDryRunRelay renders through the same relay, but prints each payload to out instead of
// posting it. A configured webhook still picks the messenger; without one, Slack is shown.
func NewDryRunRelay(s Settings, out io.Writer, log *slog.Logger) (*relay.Relay, error) {
	options, err := renderOptions(s)
	if err != nil {
		return nil, err
	}
	if s.Parsed.Messenger == messenger.SlackApp {
		// A Slack app shows exactly the Slack webhook's payload (the root message of an incident).
		return relay.New(messenger.SlackApp, options, relay.NewWebhook(printer{out}), log), nil
	}
	var u webhook.URL
	if raw := s.WebhookURL.Reveal(); raw != "" {
		if u, err = webhook.Parse(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", relayconfig.EnvWebhookURL, err)
		}
	}
	m, err := pickMessenger(s, u)
	if err != nil {
		return nil, err
	}
	return relay.New(m, options, relay.NewWebhook(printer{out}), log), nil
}

// printer is the dry run's Poster: it writes each payload, indented, as a JSON document.
type printer struct{ out io.Writer }

func (p printer) Post(_ context.Context, payload []byte) (deliver.Result, error) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, payload, "", "  "); err != nil {
		return deliver.Result{}, err
	}
	buf.WriteByte('\n')
	_, err := p.out.Write(buf.Bytes())
	return deliver.Result{Attempts: 1}, err
}
