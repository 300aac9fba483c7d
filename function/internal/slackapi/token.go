package slackapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// The environment variables a bot token is read from.
const (
	EnvToken          = "SLACK_TOKEN"           // the token itself; for local runs and tests
	EnvTokenParameter = "SLACK_TOKEN_PARAMETER" // an SSM SecureString name, optionally "name:version"
)

// redacted is what a Token prints as, whichever way it is printed.
const redacted = "[slack token]"

// Token is a Slack bot token (xoxb-…). It is a secret: String, GoString, Format, LogValue,
// MarshalJSON and MarshalText all print "[slack token]". The value sits behind a pointer so that
// even fmt's raw printing of a struct holding a Token (unexported fields bypass String) shows an
// address, not the token.
type Token struct{ value *string }

// ParseToken checks a bot token: the xoxb- prefix Slack gives bot tokens, then letters, digits and
// dashes. Its errors describe the problem without repeating the token.
func ParseToken(raw string) (Token, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return Token{}, fmt.Errorf("slack token is empty")
	case !strings.HasPrefix(s, "xoxb-"):
		kind := "it"
		if len(s) > 5 && strings.HasPrefix(s, "xox") && s[4] == '-' {
			kind = fmt.Sprintf("it is a %q token", s[:5]) // the type prefix is no secret
		}
		return Token{}, fmt.Errorf("slack token must be a bot token starting with xoxb- (%s does not; value not shown: it is a secret); "+
			"find it under OAuth & Permissions → Bot User OAuth Token", kind)
	case len(s) > 255:
		return Token{}, fmt.Errorf("slack token is %d characters long; bot tokens are far shorter (value not shown: it is a secret)", len(s))
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return Token{}, fmt.Errorf("slack token has an unexpected character at position %d; bot tokens hold letters, digits and dashes only (value not shown: it is a secret)", i+1)
		}
	}
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
	return strings.ReplaceAll(s, token, redacted)
}

// LoadToken returns the bot token named by the environment: SLACK_TOKEN for local runs, else the
// SSM SecureString named by SLACK_TOKEN_PARAMETER, read with readParameter (called only then, so
// local runs need no AWS configuration). Errors name the variable or parameter, never the token.
func LoadToken(ctx context.Context, getenv func(string) string, readParameter func(ctx context.Context, name string) (string, error)) (Token, error) {
	if raw := getenv(EnvToken); raw != "" {
		t, err := ParseToken(raw)
		if err != nil {
			return Token{}, fmt.Errorf("%s: %w", EnvToken, err)
		}
		return t, nil
	}
	name := strings.TrimSpace(getenv(EnvTokenParameter))
	if name == "" {
		return Token{}, fmt.Errorf("no Slack bot token configured: set %s to the SSM SecureString parameter holding it (the Pulumi stack does), or %s for a local run", EnvTokenParameter, EnvToken)
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
