package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/emulator"
)

// The function writes its log lines before it answers, but they reach the emulator's log
// through a pipe, after the answer: a test that reads the log right after Invoke races them.
// A line that must come is awaited (logsShow); a line that must not come is looked for in the
// complete log, after Stop (noSecretLogged stops the emulators), or at least after the line that
// comes with it.

// logWait bounds the wait for a line that must come; only a failing test waits that long.
const logWait = 30 * time.Second

// logsShow waits until the log of one of es holds want (up to logWait), and tells whether it does.
func logsShow(want string, es ...*emulator.Emulator) bool {
	ctx, cancel := context.WithTimeout(context.Background(), logWait)
	defer cancel()
	found := make(chan bool, len(es))
	for _, e := range es {
		go func() { found <- e.Logs.Await(ctx, want) }()
	}
	for range es {
		if <-found {
			return true
		}
	}
	return false
}

// secrets are the parts of the test credentials no log may contain: the webhook's secret path
// and the Slack bot token's tail.
var secrets = []string{"e2eSECRETtoken", "/services/T0E2E", "e2eBOTsecret"}

// noSecretLogged stops each emulator, which leaves its log complete (emulator.Stop waits for
// every line the function wrote), and fails the test if the log holds a secret.
func noSecretLogged(t *testing.T, es ...*emulator.Emulator) {
	t.Helper()
	for _, e := range es {
		e.Stop()
		logs := e.Logs.String()
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("emulator logs contain the secret %q:\n%s", s, logs)
			}
		}
	}
}
