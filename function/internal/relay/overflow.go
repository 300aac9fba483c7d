package relay

import (
	"log/slog"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// What a digest of this relay's destination needs (package overflow posts them).

// Messenger is the messenger the relay renders for.
func (r *Relay) Messenger() render.Messenger { return r.messenger }

// Options are the relay's rendering options.
func (r *Relay) Options() render.Options { return r.options }

// Log is the relay's logger.
func (r *Relay) Log() *slog.Logger { return r.log }

// Alarms is how the relay reads alarms' current states (nil: it cannot).
func (r *Relay) Alarms() AlarmsFunc { return r.alarms }

// SetPushBack tells the relay which errors are a messenger's push-back that its caller hands to
// the overflow queue: such a post is logged as pushed back (info), not as "not delivered" — the
// notification is not lost, and the overflow logs where it went.
func (r *Relay) SetPushBack(pushedBack func(error) bool) { r.pushedBack = pushedBack }
