// Command bootstrap is the alarm relay. In Lambda (AWS_LAMBDA_RUNTIME_API set) it handles SNS
// events and the reminder schedule's events; anywhere else it reads an event file and prints
// (-dry-run) or delivers what the Lambda would send, so a change can be tried without AWS, or it
// replays a dead-letter queue.
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
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // provided.al2023 has no zoneinfo: TIMEZONE must work anyway

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/deliver"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/function/internal/replay"
	"github.com/alarm-relay/alarm-relay/function/internal/retry"
	"github.com/alarm-relay/alarm-relay/function/internal/slackapi"
	"github.com/alarm-relay/alarm-relay/function/internal/ssmparam"
	"github.com/alarm-relay/alarm-relay/function/internal/trend"
	"github.com/alarm-relay/alarm-relay/function/internal/webhook"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Exit codes of a local run.
const (
	exitOK         = 0
	exitNotSent    = 1 // something was not delivered (a replay: something is left in the queue)
	exitUsageError = 2 // bad flags, file or configuration
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		runLambda()
		return
	}
	// Ctrl-C stops a replay between messages (the one in flight finishes) and it still puts back
	// what it holds; a second Ctrl-C kills the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	code := runLocal(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
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
	// Raw JSON: the reminder schedule's events (and the overflow queue's batches) are told apart
	// from SNS events by their content.
	handler, err := lambdaHandler(r, os.Getenv, log)
	if err != nil {
		log.Error("start-up failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler)
}

// settings are the relay's configuration (see relayconfig) and where each value came from.
type settings struct {
	relayconfig.Config
	problems error // what is wrong with it (a *relayconfig.Error); reported when the relay is built

	// flagged maps an environment variable to the local flag that overrode it, so that an error
	// names what the user actually typed (-language, not LANGUAGE).
	flagged map[string]string
	local   bool // a local run: errors suggest flags
	// messengerUnset: no MESSENGER (and no -messenger), so auto is the default, not a choice
	// an error could blame on a setting.
	messengerUnset bool
}

// origin names where a setting came from: the flag that set it, else its environment variable.
func (s settings) origin(env string) string {
	if f, ok := s.flagged[env]; ok {
		return f
	}
	return env
}

func settingsFromEnv(getenv func(string) string) settings {
	c, err := relayconfig.FromEnv(getenv)
	return settings{Config: c, problems: err, messengerUnset: strings.TrimSpace(getenv(relayconfig.EnvMessenger)) == ""}
}

// check is the configuration's problems, each named after where its value came from.
func (s settings) check() error {
	var e *relayconfig.Error
	if errors.As(s.problems, &e) {
		return errors.New(e.Named(s.origin))
	}
	return s.problems
}

// toPost is s with the settings a relay that posts needs, and s lacks, added to its problems
// (relayconfig.Config.Missing), so that they are reported with the others, at once.
func (s settings) toPost() settings {
	missing := s.Missing()
	if len(missing) == 0 {
		return s
	}
	var e *relayconfig.Error
	switch {
	case errors.As(s.problems, &e):
		s.problems = &relayconfig.Error{Problems: append(slices.Clone(e.Problems), missing...)}
	case s.problems == nil:
		s.problems = &relayconfig.Error{Problems: missing}
	}
	return s
}

// newRelay builds the relay that delivers to the configured webhook, or, with MESSENGER=slack-app,
// keeps one Slack message per incident through the Web API.
func newRelay(ctx context.Context, getenv func(string) string, s settings, log *slog.Logger) (*relay.Relay, error) {
	s = s.toPost()
	options, err := renderOptions(s)
	if err != nil {
		return nil, err
	}
	client := deliver.NewHTTPClient()
	var r *relay.Relay
	if s.Messenger == string(messenger.SlackApp) {
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
	return withWindows(r, getenv)
}

// newSlackAppRelay: the bot token (SLACK_TOKEN, else the SSM parameter SLACK_TOKEN_PARAMETER),
// the channel, the incident table and the destination's name. No AWS call but the token's read.
func newSlackAppRelay(ctx context.Context, getenv func(string) string, s settings, options render.Options, client *http.Client, log *slog.Logger) (*relay.Relay, error) {
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
func destination(s settings, getenv func(string) string) string {
	if s.Destination != "" {
		return s.Destination
	}
	if name := getenv("AWS_LAMBDA_FUNCTION_NAME"); name != "" && !s.local {
		return name
	}
	return "local"
}

// lazyAlarms reads alarm states for reminder events. The CloudWatch client is built on the first
// reminder, so that SNS invocations (and cold starts) do not pay for it; a configuration error
// then fails that reminder, naming what is missing.
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
func pickMessenger(s settings, u webhook.URL) (messenger.Messenger, error) {
	var origin *url.URL
	if !u.IsZero() {
		origin = u.Origin()
	}
	m, err := relayconfig.ResolveMessenger(s.Messenger, origin)
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
	case s.local && s.Messenger == relayconfig.Auto:
		// A local test webhook (a tunnel, a proxy, a mock) has a host no chat service uses.
		return "", fmt.Errorf("%s: %w (here: -messenger NAME, or MESSENGER=NAME)", named, err)
	default:
		return "", fmt.Errorf("%s: %w", named, err)
	}
}

// renderOptions are the settings' render options; a configuration with problems has none.
func renderOptions(s settings) (render.Options, error) {
	if err := s.check(); err != nil {
		return render.Options{}, err
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return render.Options{}, fmt.Errorf("%s: %w", s.origin(relayconfig.EnvTimezone), err)
	}
	options := render.Options{Location: loc}
	if options.Language, err = render.ParseLanguage(s.Language); err != nil {
		return render.Options{}, fmt.Errorf("%s: %w", s.origin(relayconfig.EnvLanguage), err)
	}
	if options.Mentions, err = messenger.ParseMentions(s.Mentions); err != nil {
		return render.Options{}, fmt.Errorf("%s: %w", relayconfig.EnvMentions, err)
	}
	return options, nil
}

// usage is the local command's help: what it does, where its settings come from, exit codes.
const usage = `Usage:
  bootstrap -event FILE [-dry-run] [-messenger NAME] [-timezone ZONE] [-language en|ko] [-timeout DURATION]
  bootstrap -replay-dead-letters QUEUE_URL [-messenger NAME] [-timezone ZONE] [-language en|ko] [-timeout DURATION]
  (bootstrap is the built command; from a clone, go run ./function takes the same flags)

Relays a CloudWatch alarm SNS event to the chat webhook (or, with MESSENGER=slack-app, into the
alarm's incident message in Slack) exactly as the Lambda function does. The event comes from
-event FILE, or from standard input (-event - or no -event) when it is piped:
  go run ./function -event function/testdata/latency-alarm.json -dry-run
  go run ./function -dry-run < function/testdata/latency-alarm.json
A reminder event, {"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:…"]}
as the stack's schedule sends it, reminds about those alarms still in ALARM (asks CloudWatch).
With -dry-run it prints the payloads instead of posting them. -replay-dead-letters delivers every
message waiting in the relay's dead-letter queue (pulumi stack output replayCommand prints the
whole command), deletes each one once delivered, and leaves the others for the next try.

Flags:
%s
Environment (a flag wins over its variable):
  WEBHOOK_URL        the webhook to post to (a secret: never printed)
  WEBHOOK_PARAMETER  or the SSM SecureString parameter holding it, "name" or "name:version"
                     (needs AWS_REGION and AWS credentials in AWS_ACCESS_KEY_ID, ...)
  MESSENGER          slack, teams, teams-legacy, slack-app or auto (default: from the webhook host)
  TIMEZONE           IANA time zone shown next to UTC (default: UTC)
  LANGUAGE           en or ko (default: en)
  MENTIONS           comma-separated, notified on ALARM only: @here, @channel, S0123ABCD (Slack
                     user group), U0123ABCD (Slack user), someone@example.com (Teams)
  TREND              on: show a single-metric alarm's last hour (calls CloudWatch GetMetricData)
  MAINTENANCE_WINDOWS  maintenance windows as JSON, as the stack writes them: their alarms'
                     notifications are held (-at TIME says whether an event's would be)
  OVERFLOW_QUEUE_URL the webhook's overflow queue, as the stack sets it (in Lambda only: pushed-back
                     notifications wait there and its batches are posted as digests; a local run
                     posts directly)
  AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_CLOUDWATCH,
  AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL
                     another AWS endpoint, as for the AWS SDKs (moto_server in the tests)
 Only with MESSENGER=slack-app (one Slack message per incident, no webhook):
  SLACK_TOKEN        the Slack app's bot token, xoxb-... (a secret: never printed)
  SLACK_TOKEN_PARAMETER  or the SSM SecureString parameter holding it, "name" or "name:version"
  SLACK_CHANNEL      the channel's id (C0123ABCDEF, from the channel's details; not #name)
  STATE_TABLE        the DynamoDB table keeping the incidents (needs AWS_REGION and credentials)
  DESTINATION        the destination's name, part of each incident's key (default: local)
  SLACK_API_URL      another Slack Web API base URL (default: https://slack.com/api/)

Exit codes: 0 everything delivered (or printed; a replay: the queue is empty),
            1 something was not delivered (a replay: something is left in the queue),
            2 bad flags, event file or settings: nothing was sent.
`

// runLocal is the command line outside Lambda.
func runLocal(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	eventPath := flags.String("event", "-", "SNS event JSON `FILE` to relay (- reads standard input)")
	dryRun := flags.Bool("dry-run", false, "print the payloads that would be posted instead of posting them")
	messengerName := flags.String("messenger", getenv(relayconfig.EnvMessenger), "post as messenger `NAME`: slack, teams, teams-legacy, slack-app or auto (default: MESSENGER, else auto: detected from the webhook host; slack for a dry run without a webhook)")
	timezone := flags.String("timezone", getenv(relayconfig.EnvTimezone), "IANA time `ZONE` shown next to UTC (default: TIMEZONE, else UTC)")
	language := flags.String("language", getenv(relayconfig.EnvLanguage), "write the message in `en|ko` (default: LANGUAGE, else en)")
	queueURL := flags.String("replay-dead-letters", "", "deliver every message in the dead-letter queue at `QUEUE_URL` and delete each one delivered")
	at := flags.String("at", "", "run as if the event happened at `TIME` (RFC 3339, e.g. 2026-12-06T02:30:00+09:00) and say whether a maintenance window (MAINTENANCE_WINDOWS) holds its alarms")
	timeout := flags.Duration("timeout", 30*time.Second, "deadline `DURATION` of the run (of each message with -replay-dead-letters), like the Lambda function's timeout: retries stop before it")
	// A bad flag gets its one-line error and a pointer to -h, not the whole usage after it (which
	// would scroll the error away); -h prints the usage.
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			var defaults bytes.Buffer
			flags.SetOutput(&defaults)
			flags.PrintDefaults()
			fmt.Fprintf(stderr, usage, defaults.String())
			return exitOK
		}
		hint := ""
		if strings.Contains(err.Error(), "flag -timeout") {
			hint = ": use a duration such as 30s or 2m"
		}
		fmt.Fprintf(stderr, "bootstrap: %v%s (run with -h for the usage)\n", err, hint)
		return exitUsageError
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bootstrap: %v\n", err)
		return exitUsageError
	}
	if flags.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q (the event file goes after -event; -h shows the usage)", flags.Arg(0)))
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })

	// A flag overrides its variable (a flag's default is the variable's value).
	flagged := map[string]string{relayconfig.EnvMessenger: "-messenger", relayconfig.EnvTimezone: "-timezone", relayconfig.EnvLanguage: "-language"}
	values := map[string]string{relayconfig.EnvMessenger: *messengerName, relayconfig.EnvTimezone: *timezone, relayconfig.EnvLanguage: *language}
	s := settingsFromEnv(func(env string) string {
		if v, ok := values[env]; ok {
			return v
		}
		return getenv(env)
	})
	s.local, s.flagged = true, map[string]string{}
	for env, name := range flagged {
		if set[name[1:]] {
			s.flagged[env] = name
		}
	}
	log := slog.New(withoutRejects{slog.NewJSONHandler(stderr, nil)})

	if *timeout <= 0 {
		return fail(fmt.Errorf("-timeout %s: use a positive duration such as 30s", *timeout))
	}
	if set["replay-dead-letters"] {
		if set["event"] || *dryRun || set["at"] {
			return fail(errors.New("-replay-dead-letters delivers what waits in the queue: it takes no -event and no -dry-run, and no -at (it delivers now)"))
		}
		// A replay bounds each message by -timeout, as Lambda bounds each invocation.
		return replayDeadLetters(ctx, *queueURL, getenv, s, *timeout, stdout, stderr, log)
	}

	// Like Lambda's timeout: the SSM read, trend fetches and webhook retries (a Retry-After: 3600
	// included) all end before it, and the run reports what was not delivered.
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	ev, err := readEvent(*eventPath, stdin)
	if err != nil {
		return fail(err)
	}
	if reminder, err := scheduledEvent(ev); reminder {
		if err != nil {
			// The event's real problem (an unknown alarmRelay, an SNS event carrying one too), not
			// advice for an event that is no reminder.
			return fail(&relay.InvalidEventError{Err: err})
		}
		kind, asks := "reminder event", "which alarms are still in ALARM"
		if _, end, _ := maintenance.ParseEndEvent(ev); end {
			kind, asks = "window end event", "for its alarms' states to sum the window up"
		}
		if *dryRun {
			return fail(fmt.Errorf("-dry-run shows what an SNS event posts; a %s asks CloudWatch %s and posts for real: run it without -dry-run", kind, asks))
		}
		// As a replay checks its credentials up front: a reminder that cannot ask CloudWatch is a
		// settings problem, found before anything is posted.
		if _, err := cwalarms.NewFromEnv(getenv, http.DefaultClient); err != nil {
			return fail(fmt.Errorf("%s: %w", kind, err))
		}
	}
	var r *relay.Relay
	if *dryRun {
		// Nothing is delivered in a dry run: only problems are logged.
		quiet := slog.New(withoutRejects{slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})
		if r, err = newDryRunRelay(s, stdout, quiet); err == nil {
			r, err = withWindows(r, getenv)
		}
	} else {
		r, err = newRelay(ctx, getenv, s, log)
	}
	if err == nil {
		err = atClock(r, *at, ev, stdout)
	}
	if err != nil {
		return fail(err)
	}
	if err := r.HandleJSON(ctx, ev); err != nil {
		fmt.Fprintf(stderr, "bootstrap: %v\n", err)
		var invalid *relay.InvalidEventError
		if errors.As(err, &invalid) {
			return exitUsageError
		}
		return exitNotSent
	}
	return exitOK
}

// replayDeadLetters delivers the queue's messages with the relay the settings describe, prints the
// summary, and succeeds only when nothing is left in the queue.
func replayDeadLetters(ctx context.Context, queueURL string, getenv func(string) string, s settings, timeout time.Duration, stdout, stderr io.Writer, log *slog.Logger) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bootstrap: -replay-dead-letters: %v\n", err)
		return exitUsageError
	}
	if err := replay.CheckQueueURL(queueURL); err != nil {
		return fail(err)
	}
	r, err := newRelay(ctx, getenv, s, log)
	if err != nil {
		return fail(err)
	}
	queue, err := replay.NewClient(getenv)
	if err != nil {
		return fail(err)
	}
	// A dead-lettered reminder tick reminds about what is still in ALARM now.
	summary, err := replay.Run(ctx, queue, queueURL, r.Handle, log, replay.Options{Timeout: timeout, Remind: r.HandleJSON})
	fmt.Fprintf(stdout, "dead-letter queue %s: %s\n", queueURL, summary)
	if err != nil {
		fmt.Fprintf(stderr, "bootstrap: %v\n", err)
		return exitNotSent
	}
	if summary.Left() > 0 {
		return exitNotSent
	}
	return exitOK
}

// newDryRunRelay renders through the same relay, but prints each payload instead of posting it.
// A configured webhook still picks the messenger; without one, Slack is shown.
func newDryRunRelay(s settings, out io.Writer, log *slog.Logger) (*relay.Relay, error) {
	options, err := renderOptions(s)
	if err != nil {
		return nil, err
	}
	if s.Messenger == string(messenger.SlackApp) {
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

// readEvent reads an event (SNS, or the reminder schedule's) from a file or, for "-", standard
// input. A terminal on standard input is an error: waiting for an event to be typed would look
// like a hang.
func readEvent(path string, stdin io.Reader) ([]byte, error) {
	var data []byte
	var err error
	if path == "" {
		return nil, errors.New("-event is empty: pass -event FILE, or -event - to read standard input")
	}
	if path == "-" {
		if isTerminal(stdin) {
			return nil, errors.New("no event: pass -event FILE (for example -event function/testdata/latency-alarm.json) or pipe an SNS event to standard input; -h shows the usage")
		}
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	// An editor on Windows may start the file with a UTF-8 byte order mark; JSON has none.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("read event %s: it is empty; pass an SNS event such as function/testdata/latency-alarm.json", path)
	}
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("event %s is not an SNS event in JSON: %w", path, err)
	}
	if _, ok := probe.(map[string]any); !ok {
		return nil, fmt.Errorf("event %s is %s, not an SNS event: an event is a JSON object such as function/testdata/latency-alarm.json", path, jsonKind(probe))
	}
	return data, nil
}

// jsonKind names what a decoded JSON value is: a JSON array, JSON null…
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "JSON null"
	case []any:
		return "a JSON array"
	case string:
		return "a JSON string"
	case float64:
		return "a JSON number"
	case bool:
		return "a JSON boolean"
	}
	return "a JSON object"
}

// withoutRejects drops the relay's "event rejected" records: a local run prints the rejection as
// its error line (a replay logs it per message), so the log would only say it twice.
type withoutRejects struct{ slog.Handler }

func (h withoutRejects) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "event rejected" {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h withoutRejects) WithAttrs(attrs []slog.Attr) slog.Handler {
	return withoutRejects{h.Handler.WithAttrs(attrs)}
}

func (h withoutRejects) WithGroup(name string) slog.Handler {
	return withoutRejects{h.Handler.WithGroup(name)}
}

// isTerminal tells whether r is an interactive terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
