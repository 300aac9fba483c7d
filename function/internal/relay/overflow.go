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

// Poster is the relay's webhook poster; nil for a Slack app destination.
func (r *Relay) Poster() Poster { return r.poster }

// Log is the relay's logger.
func (r *Relay) Log() *slog.Logger { return r.log }

// WithPoster makes the relay post with p: a storm-aware relay posts with a poster that gives up at
// the first 429, so that the notification goes to the overflow queue at once.
func (r *Relay) WithPoster(p Poster) *Relay {
	r.poster = p
	return r
}

// Alarms is how the relay reads alarms' current states (nil: it cannot).
func (r *Relay) Alarms() AlarmsFunc { return r.alarms }

// Incidents is the relay's incident keeper; nil for a webhook destination.
func (r *Relay) Incidents() Incidents { return r.incidents }

// WithPushBack tells the relay which errors are a messenger's push-back that its caller hands to
// the overflow queue: such a post is logged as pushed back (info), not as "not delivered" — the
// notification is not lost, and the overflow logs where it went.
func (r *Relay) WithPushBack(pushedBack func(error) bool) *Relay {
	r.pushedBack = pushedBack
	return r
}
