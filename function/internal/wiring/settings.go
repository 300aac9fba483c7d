package wiring

import (
	"errors"
	"slices"
	"strings"

	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// Settings are the relay's configuration (see relayconfig), its values typed, and where each
// value came from.
type Settings struct {
	relayconfig.Config
	// Parsed are the values typed, parsed once by relayconfig; meaningful only without problems,
	// which renderOptions makes sure of before any use.
	Parsed   relayconfig.Parsed
	problems error // what is wrong with it (a *relayconfig.Error); reported when the relay is built

	// Flagged maps an environment variable to the local flag that overrode it, so that an error
	// names what the user actually typed (-language, not LANGUAGE).
	Flagged map[string]string
	Local   bool // a local run: errors suggest flags
	// messengerUnset: no MESSENGER (and no -messenger), so auto is the default, not a choice
	// an error could blame on a setting.
	messengerUnset bool
}

// FromEnv reads the settings; their problems are reported when a relay is built from them.
func FromEnv(getenv func(string) string) Settings {
	c, parsed, err := relayconfig.Load(getenv)
	return Settings{Config: c, Parsed: parsed, problems: err, messengerUnset: strings.TrimSpace(getenv(relayconfig.EnvMessenger)) == ""}
}

// origin names where a setting came from: the flag that set it, else its environment variable.
func (s Settings) origin(env string) string {
	if f, ok := s.Flagged[env]; ok {
		return f
	}
	return env
}

// check is the configuration's problems, each named after where its value came from.
func (s Settings) check() error {
	var e *relayconfig.Error
	if errors.As(s.problems, &e) {
		return errors.New(e.Named(s.origin))
	}
	return s.problems
}

// toPost is s with the settings a relay that posts needs, and s lacks, added to its problems
// (relayconfig.Config.Missing), so that they are reported with the others, at once.
func (s Settings) toPost() Settings {
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
