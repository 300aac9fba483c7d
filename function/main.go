// Command bootstrap is the alarm relay. In Lambda (AWS_LAMBDA_RUNTIME_API set) it handles SNS
// events; anywhere else it reads an event file and prints (-dry-run) or delivers what the Lambda
// would send, so a change can be tried without AWS.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // provided.al2023 has no zoneinfo: TIMEZONE must work anyway

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/trend"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

// Exit codes of a local run.
const (
	exitOK         = 0
	exitNotSent    = 1 // something was not delivered
	exitUsageError = 2 // bad flags, file or configuration
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		runLambda()
		return
	}
	os.Exit(runLocal(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// runLambda configures the relay once per container and serves invocations. A configuration
// error stops the container at start-up with a clear log line, rather than failing each alert.
func runLambda() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx := context.Background()
	r, err := newRelay(ctx, os.Getenv, settingsFromEnv(os.Getenv), log)
	if err != nil {
		log.Error("start-up failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(r.Handle)
}

// settings are what the environment (or local flags) choose; the webhook is read separately.
type settings struct {
	messenger string // "" or "auto": detect from the webhook host
	timezone  string // IANA name; "" means UTC
	language  string // en (default) or ko
	mentions  string // comma-separated, notified on ALARM
	trend     string // "on" shows single-metric alarms' last hour (needs cloudwatch:GetMetricData)
}

func settingsFromEnv(getenv func(string) string) settings {
	return settings{messenger: getenv("MESSENGER"), timezone: getenv("TIMEZONE"), language: getenv("LANGUAGE"), mentions: getenv("MENTIONS"), trend: getenv("TREND")}
}

// newRelay builds the relay that delivers to the configured webhook.
func newRelay(ctx context.Context, getenv func(string) string, s settings, log *slog.Logger) (*relay.Relay, error) {
	options, err := renderOptions(s)
	if err != nil {
		return nil, err
	}
	u, err := webhook.Load(ctx, getenv, webhook.NewSSMReader)
	if err != nil {
		return nil, err
	}
	m, err := pickMessenger(s.messenger, u)
	if err != nil {
		return nil, err
	}
	judge, err := render.JudgeFor(m)
	if err != nil {
		return nil, err
	}
	client := deliver.NewHTTPClient()
	hook := &deliver.Webhook{URL: u, Messenger: m, Judge: judge, Client: client, Policy: deliver.DefaultPolicy}
	r := relay.New(m, options, hook, log)
	switch s.trend {
	case "", "off":
	case "on":
		fetcher, err := trend.NewFromEnv(getenv, client)
		if err != nil {
			return nil, fmt.Errorf("TREND=on: %w", err)
		}
		r.WithTrend(fetcher.Fetch)
	default:
		return nil, fmt.Errorf("TREND %q: use on or off", s.trend)
	}
	return r, nil
}

// pickMessenger: a name other than "auto" wins; else the webhook's host decides; a dry run without
// a webhook shows Slack.
func pickMessenger(name string, u webhook.URL) (messenger.Messenger, error) {
	if name != "" && name != "auto" {
		m, err := messenger.Parse(name)
		if err != nil {
			return "", fmt.Errorf("MESSENGER: %w", err)
		}
		return m, nil
	}
	if u.IsZero() {
		return messenger.Slack, nil
	}
	return messenger.Detect(u.Origin())
}

func renderOptions(s settings) (render.Options, error) {
	options := render.Options{Location: time.UTC}
	if s.timezone != "" {
		loc, err := time.LoadLocation(s.timezone)
		if err != nil {
			return render.Options{}, fmt.Errorf("TIMEZONE %q is not an IANA time zone name (for example Asia/Seoul, Europe/Berlin or UTC)", s.timezone)
		}
		options.Location = loc
	}
	var err error
	if options.Language, err = render.ParseLanguage(s.language); err != nil {
		return render.Options{}, fmt.Errorf("LANGUAGE: %w", err)
	}
	if options.Mentions, err = messenger.ParseMentions(s.mentions); err != nil {
		return render.Options{}, fmt.Errorf("MENTIONS: %w", err)
	}
	return options, nil
}

// runLocal is the command line outside Lambda.
func runLocal(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	flags.SetOutput(stderr)
	eventPath := flags.String("event", "-", "SNS event JSON file to relay (- reads standard input)")
	dryRun := flags.Bool("dry-run", false, "print the payload that would be posted instead of posting it")
	messenger := flags.String("messenger", getenv("MESSENGER"), "slack, teams or teams-legacy (default: from MESSENGER, else detected from the webhook host; slack for a dry run without a webhook)")
	timezone := flags.String("timezone", getenv("TIMEZONE"), "IANA time zone shown next to UTC (default: from TIMEZONE, else UTC)")
	language := flags.String("language", getenv("LANGUAGE"), "en or ko (default: from LANGUAGE, else en)")
	timeout := flags.Duration("timeout", 30*time.Second, "deadline of the whole run, like the Lambda function's timeout: retries stop before it")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "Usage: bootstrap -event FILE [-dry-run] [-messenger NAME] [-timezone ZONE] [-language en|ko]\n\n"+
			"Relays a CloudWatch alarm SNS event to the chat webhook in %s (or the SSM parameter in %s),\n"+
			"exactly as the Lambda function does. With -dry-run it prints the payloads instead.\n\n", webhook.EnvURL, webhook.EnvParameter)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsageError
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "bootstrap: unexpected argument %q (the event file goes after -event)\n", flags.Arg(0))
		return exitUsageError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bootstrap: %v\n", err)
		return exitUsageError
	}
	if *timeout <= 0 {
		return fail(fmt.Errorf("-timeout %s: use a positive duration such as 30s", *timeout))
	}
	// Like Lambda's timeout: the SSM read, trend fetches and webhook retries (a Retry-After: 3600
	// included) all end before it, and the run reports what was not delivered.
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	ev, err := readEvent(*eventPath, stdin)
	if err != nil {
		return fail(err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	s := settingsFromEnv(getenv)
	s.messenger, s.timezone, s.language = *messenger, *timezone, *language
	var r *relay.Relay
	if *dryRun {
		// Nothing is delivered in a dry run: only problems are logged.
		quiet := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		r, err = newDryRunRelay(getenv, s, stdout, quiet)
	} else {
		r, err = newRelay(ctx, getenv, s, log)
	}
	if err != nil {
		return fail(err)
	}
	if err := r.Handle(ctx, ev); err != nil {
		fmt.Fprintf(stderr, "bootstrap: %v\n", err)
		var invalid *relay.InvalidEventError
		if errors.As(err, &invalid) {
			return exitUsageError
		}
		return exitNotSent
	}
	return exitOK
}

// newDryRunRelay renders through the same relay, but prints each payload instead of posting it.
// A configured webhook still picks the messenger; without one, Slack is shown.
func newDryRunRelay(getenv func(string) string, s settings, out io.Writer, log *slog.Logger) (*relay.Relay, error) {
	options, err := renderOptions(s)
	if err != nil {
		return nil, err
	}
	var u webhook.URL
	if raw := getenv(webhook.EnvURL); raw != "" {
		if u, err = webhook.Parse(raw); err != nil {
			return nil, fmt.Errorf("%s: %w", webhook.EnvURL, err)
		}
	}
	m, err := pickMessenger(s.messenger, u)
	if err != nil {
		return nil, err
	}
	return relay.New(m, options, printer{out}, log), nil
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

// readEvent reads an SNS event from a file or, for "-", standard input.
func readEvent(path string, stdin io.Reader) (alarm.Event, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return alarm.Event{}, fmt.Errorf("read event: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return alarm.Event{}, fmt.Errorf("read event %s: it is empty; pass an SNS event such as function/testdata/latency-alarm.json", path)
	}
	var ev alarm.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return alarm.Event{}, fmt.Errorf("event %s is not an SNS event in JSON: %w", path, err)
	}
	return ev, nil
}
