package slackapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/secretmask"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// redacted is what a Token prints as, whichever way it is printed.
const redacted = "[slack token]"

// Token is a Slack bot token (xoxb-…). It is a secret: String, GoString, Format, LogValue,
// MarshalJSON and MarshalText all print "[slack token]". The value sits behind a pointer so that
// even fmt's raw printing of a struct holding a Token (unexported fields bypass String) shows an
// address, not the token.
type Token struct{ value *string }

// ParseToken checks a bot token by the stack's and the relay's one rule
// (relayconfig.CheckSlackToken). Its errors describe the problem without repeating the token.
func ParseToken(raw string) (Token, error) {
	if err := relayconfig.CheckSlackToken(raw); err != nil {
		return Token{}, fmt.Errorf("slack token %w", err)
	}
	s := strings.TrimSpace(raw)
	return Token{value: &s}, nil
}

// IsZero reports whether no token is set.
func (t Token) IsZero() bool { return t.value == nil }

// reveal is the token itself, for the Authorization header only.
func (t Token) reveal() string {
	if t.value == nil {
		return ""
	}
	return *t.value
}

func (Token) String() string               { return redacted }
func (Token) GoString() string             { return redacted }
func (Token) Format(f fmt.State, _ rune)   { _, _ = io.WriteString(f, redacted) }
func (Token) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (Token) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }
func (Token) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (t Token) redact(s string) string     { return redactToken(s, t.reveal()) }
func redactToken(s, token string) string {
	if token == "" {
		return s
	}
	// The token as written and in any other spelling (percent-encoded, \u-escaped, case-changed),
	// and its last, random part on its own: the ids before it are not secret, the part after is.
	secrets := []string{token}
	if i := strings.LastIndexByte(token, '-'); i >= 0 && len(token)-i > 16 {
		secrets = append(secrets, token[i+1:])
	}
	return secretmask.Mask(s, secrets, []string{redacted})
}

// LoadToken returns the bot token the configuration names: SLACK_TOKEN for local runs, else the
// SSM SecureString named by SLACK_TOKEN_PARAMETER, read with readParameter (called only then, so
// local runs need no AWS configuration). Errors name the variable or parameter, never the token.
func LoadToken(ctx context.Context, c relayconfig.Config, readParameter func(ctx context.Context, name string) (string, error)) (Token, error) {
	if raw := c.SlackToken.Reveal(); raw != "" {
		t, err := ParseToken(raw)
		if err != nil {
			return Token{}, fmt.Errorf("%s: %w", relayconfig.EnvSlackToken, err)
		}
		return t, nil
	}
	name := strings.TrimSpace(c.SlackTokenParameter)
	if name == "" {
		return Token{}, fmt.Errorf("no Slack bot token configured: set %s to the SSM SecureString parameter holding it (the Pulumi stack does), or %s for a local run",
			relayconfig.EnvSlackTokenParameter, relayconfig.EnvSlackToken)
	}
	raw, err := readParameter(ctx, name)
	if err != nil {
		return Token{}, fmt.Errorf("read Slack token from SSM parameter %q: %w", name, err)
	}
	t, err := ParseToken(raw)
	if err != nil {
		return Token{}, fmt.Errorf("SSM parameter %q: %w", name, err)
	}
	return t, nil
}
