package overflow

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/internal/stormtest"
	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestSlackAppOwnEventsWaitOutTheChannel: the relay's own events (a reminder tick, a window's end)
// are no SNS records, so nothing queues what the channel refuses: their posts wait out Slack's
// Retry-After instead of giving up at the first ratelimited as the direct path of an alarm change
// does (one tick reminding of a storm's alarms posts many messages at the channel's pace), and
// none is logged as handed to the overflow queue.
func TestSlackAppOwnEventsWaitOutTheChannel(t *testing.T) {
	dest, slack := slackAppDest()
	sqsSrv := httptest.NewServer(stormtest.NewMemSQS())
	defer sqsSrv.Close()
	cw := stormtest.NewCloudWatch()
	cwSrv := httptest.NewServer(cw)
	defer cwSrv.Close()
	env := map[string]string{}
	for _, kv := range testsupport.AWSEnv(sqsSrv.URL) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env["AWS_ENDPOINT_URL_CLOUDWATCH"] = cwSrv.URL
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	queueURL, _, err := stormtest.SQS{Endpoint: sqsSrv.URL}.Queues(ctx, "own-events", time.Minute, 5)
	if err != nil {
		t.Fatal(err)
	}
	dest.start(t, getenv)
	var logs bytes.Buffer
	h, err := dest.handler(getenv, queueURL, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}

	var arns []string
	for i := range 3 {
		c := stormtest.Change{Alarm: stormtest.AlarmName(i), State: "ALARM", Previous: "OK", At: time.Now().Add(-2 * time.Hour)}
		cw.Set(c)
		arns = append(arns, fmt.Sprintf("%q", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"+c.Alarm))
	}
	tick := `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":[` + strings.Join(arns, ",") + `]}`
	if _, err := h(ctx, []byte(tick)); err != nil {
		t.Errorf("reminder tick: %v; want every reminder posted at the channel's pace", err)
	}
	if roots := (*slack).Roots(stormChannel); len(roots) != 3 {
		t.Errorf("%d reminders in the channel; want 3", len(roots))
	}
	if strings.Contains(logs.String(), "overflow queue") {
		t.Errorf("a reminder logged as handed to the overflow queue, which never sees it:\n%s", logs.String())
	}
}
