package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/relay"
	"github.com/alarm-relay/alarm-relay/internal/maintenance"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// withWindows gives the relay its maintenance windows (MAINTENANCE_WINDOWS, as the stack writes
// it); windows it cannot read are a start-up problem, like any other setting.
func withWindows(r *relay.Relay, getenv func(string) string) (*relay.Relay, error) {
	set, err := maintenance.Decode(getenv(maintenance.EnvWindows))
	if err != nil {
		return nil, err
	}
	r.SetWindows(set)
	return r, nil
}

// scheduledEvent tells whether ev is one of the stack's scheduled events, a reminder tick or a
// window's end (both ask CloudWatch for the alarms' states and post for real), and checks it.
func scheduledEvent(ev []byte) (bool, error) {
	if _, ok, err := maintenance.ParseEndEvent(ev); ok {
		return true, err
	}
	_, ok, err := relayconfig.ParseReminderEvent(ev)
	return ok, err
}

// atClock (-at TIME) runs the relay as if the event happened at TIME and says, for each alarm
// notification of an SNS event, whether a maintenance window holds it then, and which. Without
// -at, a relay with windows says so too, for the notification's own change time: a held
// notification prints no payload, and a run that printed nothing would leave the reason unsaid.
func atClock(r *relay.Relay, at string, ev []byte, out io.Writer) error {
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return fmt.Errorf("-at %q: write a time in RFC 3339 with its offset, e.g. 2026-12-06T02:30:00+09:00", at)
		}
		r.At(t)
	} else if len(r.Windows()) == 0 {
		return nil
	}
	var sns alarm.Event
	if json.Unmarshal(ev, &sns) != nil || len(sns.Records) == 0 {
		return nil // a scheduled event: it runs at TIME
	}
	if len(r.Windows()) == 0 {
		fmt.Fprintf(out, "not held: no maintenance windows (%s is not set, or empty)\n", maintenance.EnvWindows)
		return nil
	}
	notifications, err := alarm.Parse(sns)
	if err != nil {
		return nil // the run reports the event's problem
	}
	const layout = "2006-01-02 15:04 MST"
	for _, n := range notifications {
		if n.Alarm == nil {
			fmt.Fprintf(out, "not held: %q is no alarm notification (windows hold alarms only)\n", n.Title())
			continue
		}
		w, o, when, ok := r.HeldBy(n)
		if !ok {
			fmt.Fprintf(out, "not held: %q changed at %s, in no maintenance window\n", n.Alarm.Name, r.ChangedAt(n).Format(time.RFC3339))
			continue
		}
		fmt.Fprintf(out, "held: %q changed at %s, inside window %s (%s until %s); its summary comes at the end\n",
			n.Alarm.Name, when.Format(time.RFC3339), w.Name, o.Start.In(w.Location()).Format(layout), o.End.In(w.Location()).Format(layout))
	}
	return nil
}
