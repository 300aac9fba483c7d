// Command slackstandin serves the repository's scripted Slack Web API (internal/slacktest) on a
// loopback port, so that a Slack app destination can be tried locally without a Slack workspace:
//
//	go run ./scripts/slackstandin -addr 127.0.0.1:9001 -token xoxb-local-try -channel C0123ABCDEF
//
// It prints one line per call it answers (method, channel, ts, thread, the message's text and the
// answer) until it is stopped with Ctrl-C. It keeps messages in memory only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/slacktest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("slackstandin", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:9001", "loopback `HOST:PORT` to listen on")
	token := flags.String("token", "xoxb-local-try", "the bot `TOKEN` it accepts (SLACK_TOKEN of the relay)")
	channels := flags.String("channel", "C0123ABCDEF", "comma-separated channel `IDS` the bot is in (SLACK_CHANNEL of the relay)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	ln, err := listen(*addr)
	if err != nil {
		fmt.Fprintln(stderr, "slackstandin:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = serve(ctx, ln, *token, strings.Split(*channels, ","), stdout)
	if err != nil {
		fmt.Fprintln(stderr, "slackstandin:", err)
		return 1
	}
	return 0
}

// listen refuses anything but a loopback address: the stand-in accepts a bot token and is no
// service for other machines.
func listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("-addr %q: listens on loopback only (127.0.0.1, ::1 or localhost)", addr)
	}
	return net.Listen("tcp", addr)
}

// serve answers Web API calls on ln until ctx ends, printing each call to out.
func serve(ctx context.Context, ln net.Listener, token string, channels []string, out io.Writer) error {
	slack := slacktest.NewHandler(token, channels...)
	var mu sync.Mutex
	printed := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slack.ServeHTTP(w, r)
		mu.Lock()
		defer mu.Unlock()
		calls := slack.Calls()
		for _, c := range calls[printed:] {
			fmt.Fprintf(out, "%s channel=%s ts=%s thread_ts=%s answer=%s\n  %s\n", c.Method, c.Channel, c.TS, c.ThreadTS, c.Answer, firstLine(c.Text))
		}
		printed = len(calls)
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(out, "stand-in Slack Web API on http://%s/api/ (token %s, channels %s); Ctrl-C stops it\n"+
		"  export SLACK_API_URL=http://%s/api/ SLACK_TOKEN=%s SLACK_CHANNEL=%s\n",
		ln.Addr(), token, strings.Join(channels, ","), ln.Addr(), token, channels[0])
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
