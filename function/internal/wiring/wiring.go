// Package wiring builds the relay from its settings: the webhook or Slack app destination, its
// messenger and render options, trend, alarm states and maintenance windows, and the Lambda
// handler around it. The Lambda function and the local command (dry run, delivery, replay) share
// it, so that a local run sends exactly what the Lambda would.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/function/internal/ssmparam"
	"github.com/alarm-relay/alarm-relay/function/internal/trend"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// NewRelay builds the relay that delivers to the configured webhook, or, with MESSENGER=slack-app,
// keeps one Slack message per incident through the Web API.
func NewRelay(ctx context.Context, getenv func(string) string, s Settings, log *slog.Logger) (*relay.Relay, error) {
	s = s.toPost()
	options, err := renderOptions(s)
	if err != nil {
		return nil, err
	}
	client := deliver.NewHTTPClient()
	var r *relay.Relay
	if s.Parsed.Messenger == messenger.SlackApp {
		if r, err = newSlackAppRelay(ctx, getenv, s, options, client, log); err != nil {
			return nil, err
		}
	} else {
		u, err := webhook.Load(ctx, s.Config, ssmparam.NewReader)
		if err != nil {
			return nil, err
		}
		m, err := pickMessenger(s, u)
		if err != nil {
			return nil, err
		}
		var endpoint *url.URL
		if !u.IsZero() {
			endpoint = u.Service() // Slack's incoming and workflow webhooks share a host, not their answers
		}
		judge, err := render.JudgeForWebhook(m, endpoint) // a connector answers as one, whatever it is sent
		if err != nil {
			return nil, err
		}
		hook := &deliver.Webhook{URL: u, Messenger: m, Judge: judge, Client: client, Policy: retry.DefaultPolicy}
		r = relay.New(m, options, relay.NewWebhook(hook), log)
	}
	if s.Trend {
		fetcher, err := trend.NewFromEnv(getenv, client)
		if err != nil {
			return nil, fmt.Errorf("%s=on: %w", relayconfig.EnvTrend, err)
		}
		r.SetTrend(fetcher.Fetch)
	}
	r.SetAlarms(lazyAlarms(getenv, client))
	if err := SetWindows(r, getenv); err != nil {
		return nil, err
	}
	return r, nil
}

// newSlackAppRelay: the bot token (SLACK_TOKEN, else the SSM parameter SLACK_TOKEN_PARAMETER),
// the channel, the incident table and the destination's name. No AWS call but the token's read.
func newSlackAppRelay(ctx context.Context, getenv func(string) string, s Settings, options render.Options, client *http.Client, log *slog.Logger) (*relay.Relay, error) {
	token, err := slackapi.LoadToken(ctx, s.Config, func(ctx context.Context, name string) (string, error) {
		return ssmparam.Read(ctx, name, ssmparam.NewReader)
	})
	if err != nil {
		return nil, err
	}
	channel, err := slackapi.ParseChannel(s.SlackChannel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", relayconfig.EnvSlackChannel, err)
	}
	judge, err := render.JudgeFor(messenger.SlackApp)
	if err != nil {
		return nil, err
	}
	slack, err := slackapi.New(getenv, token, judge, client)
	if err != nil {
		return nil, err
	}
	store, err := incident.New(s.StateTable, getenv, client)
	if err != nil {
		return nil, err
	}
	store.Log = log
	incidents, err := lifecycle.New(slack, store, channel, destination(s, getenv), render.NewIncidentLines(options.Language, options.Location))
	if err != nil {
		return nil, err
	}
	incidents.Log = log
	return relay.New(messenger.SlackApp, options, relay.NewSlackApp(incidents), log), nil
}

// destination names the destination the relay serves: with the alarm, it keys an incident, so
// that two Slack app destinations posting to one channel keep their own messages. It is
// DESTINATION, else the function's name in Lambda, else "local".
func destination(s Settings, getenv func(string) string) string {
	if s.Destination != "" {
		return s.Destination
	}
	if name := getenv("AWS_LAMBDA_FUNCTION_NAME"); name != "" && !s.Local {
		return name
	}
	return "local"
}

// lazyAlarms reads alarm states for reminder and window end events and for digests. The
// CloudWatch client is built on the first call, so that SNS invocations (and cold starts) do not
// pay for it; a configuration error then fails that call, naming what is missing.
func lazyAlarms(getenv func(string) string, client *http.Client) relay.AlarmsFunc {
	var (
		once   sync.Once
		lister *cwalarms.Lister
		err    error
	)
	return func(ctx context.Context, arns []string) ([]cwalarms.Alarm, error) {
		once.Do(func() { lister, err = cwalarms.NewFromEnv(getenv, client) })
		if err != nil {
			return nil, err
		}
		return lister.Describe(ctx, arns)
	}
}

// pickMessenger: a name other than "auto" wins, unless the webhook's host says another
// messenger; else the webhook's host decides; a dry run without a webhook shows Slack.
func pickMessenger(s Settings, u webhook.URL) (messenger.Messenger, error) {
	var origin *url.URL
	if !u.IsZero() {
		origin = u.Origin()
	}
	m, err := relayconfig.Resolve(s.Parsed.Messenger, origin)
	named := s.origin(relayconfig.EnvMessenger)
	if err != nil && s.messengerUnset {
		named = "messenger " + relayconfig.Auto + " (the default)"
		if inner := errors.Unwrap(err); inner != nil { // ResolveMessenger's "auto: …"
			err = inner
		}
	}
	switch {
	case err == nil:
		return m, nil
	case s.Local && s.Parsed.Messenger == "": // auto, set or by default
		// A local test webhook (a tunnel, a proxy, a mock) has a host no chat service uses.
		return "", fmt.Errorf("%s: %w (here: -messenger NAME, or MESSENGER=NAME)", named, err)
	default:
		return "", fmt.Errorf("%s: %w", named, err)
	}
}

// renderOptions are the settings' render options; a configuration with problems has none. The
// values come parsed (relayconfig.Parsed): relayconfig's language is render's.
func renderOptions(s Settings) (render.Options, error) {
	if err := s.check(); err != nil {
		return render.Options{}, err
	}
	return render.Options{Location: s.Parsed.Location, Language: s.Parsed.Language, Mentions: s.Parsed.Mentions}, nil
}

// SetWindows gives the relay its maintenance windows (MAINTENANCE_WINDOWS, as the stack writes
// it); windows it cannot read are a start-up problem, like any other setting.
func SetWindows(r *relay.Relay, getenv func(string) string) error {
	set, err := maintenance.Decode(getenv(maintenance.EnvWindows))
	if err != nil {
		return err
	}
	r.SetWindows(set)
	return nil
}
