package relay

import (
	"context"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/lifecycle"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// Destination is where a relay's notifications go, one type per kind: a webhook (Webhook) or a
// Slack app's incident messages (SlackApp). The relay parses, holds in maintenance windows,
// trends, renders and reports; the destination delivers and says what it did. A new kind
// (paging, say) is a new type, not a new branch in the relay; alarm storms' digests wrap a
// destination from outside (package overflow).
type Destination interface {
	// Screen sees every alarm notification before a window holds it or anything is rendered
	// for it, and says whether it is news for this destination.
	Screen(n Notice) Skip
	// Deliver shows one rendered notification. The payload is encoded by the destination, once:
	// a webhook posts its JSON, a Slack app hands Slack's typed message to the Web API.
	Deliver(ctx context.Context, n Notice, payload render.Payload) (Delivery, error)
	// Remind reminds about an alarm still in ALARM. text is the reminder rendered as a message
	// of its own, for a destination that has no thread to remind in.
	Remind(ctx context.Context, rem lifecycle.Reminder, every time.Duration, text render.Payload) (Delivery, error)
	// Announce posts a message of the relay's own (a maintenance window's summary); a
	// destination that keeps state posts it once per key.
	Announce(ctx context.Context, key string, payload render.Payload) (Delivery, error)
}

// Notice is one notification as the relay hands it to its destination.
type Notice struct {
	alarm.Notification
	// AfterWindow: the alarm changed inside a maintenance window, and its state now (as
	// DescribeAlarms tells it) is shown at the window's end, after the summary.
	AfterWindow bool
	// Now is the relay's clock when it took the notification in.
	Now time.Time
}

// Skip is a destination's answer to Screen: Skip true is no news (not posted, no error); Why,
// when not "", is logged with Attrs.
type Skip struct {
	Skip  bool
	Why   string
	Attrs []any
}

// Delivery says what a destination did, for the log line.
type Delivery struct {
	Attrs []any // what it did: the HTTP status and attempts, or the incident's action and message
	// NothingPosted tells a notification handled without anything reaching chat (one already
	// shown, a settling alarm): the log line says Why instead of "delivered".
	NothingPosted bool
	Why           string
}
