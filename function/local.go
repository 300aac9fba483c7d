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
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/cwalarms"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/function/internal/wiring"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Exit codes of a local run.
const (
	exitOK         = 0
	exitNotSent    = 1 // something was not delivered (a replay: something is left in the queue)
	exitUsageError = 2 // bad flags, file or configuration
)

// usage is the local command's help: what it does, where its settings come from, exit codes.
const usage = `Usage:
  bootstrap -event FILE [-dry-run] [-at TIME] [-messenger NAME] [-timezone ZONE] [-language en|ko] [-timeout DURATION]
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
  OVERFLOW_QUEUE_URL the destination's overflow queue, as the stack sets it (in Lambda only: pushed-back
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

// runCommand is the command line outside Lambda, on the process's arguments, streams and
// environment. Ctrl-C stops a replay between messages (the one in flight finishes) and it still
// puts back what it holds; a second Ctrl-C kills the process at once.
func runCommand() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	return runLocal(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
}

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
	s := wiring.FromEnv(func(env string) string {
		if v, ok := values[env]; ok {
			return v
		}
		return getenv(env)
	})
	s.Local, s.Flagged = true, map[string]string{}
	for env, name := range flagged {
		if set[name[1:]] {
			s.Flagged[env] = name
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
		if r, err = wiring.NewDryRunRelay(s, stdout, quiet); err == nil {
			err = wiring.SetWindows(r, getenv)
		}
	} else {
		r, err = wiring.NewRelay(ctx, getenv, s, log)
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
