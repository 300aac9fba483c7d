package relayconfig

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alarm-relay/alarm-relay/internal/loopback"
	"github.com/alarm-relay/alarm-relay/internal/messenger"
)

// ParseWebhookURL checks a webhook URL: absolute, https (plain http only to a loopback address,
// for local tests), with a host, without user credentials, spaces or invisible characters. Its errors say what is wrong
// without repeating the URL, which is a secret.
func ParseWebhookURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	// url.Parse takes a space in the path (and the webhook would answer 404 to every alert):
	// a space or an invisible character inside a pasted URL is a copying mistake.
	if i := strings.IndexFunc(raw, invisible); i >= 0 {
		return nil, fmt.Errorf("webhook URL has a space or an invisible character (%U) at character %d (value not shown: it is a secret): copy the URL again, in one piece",
			[]rune(raw[i:])[0], utf8.RuneCountInString(raw[:i])+1)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("webhook URL is malformed (value not shown: it is a secret)")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("webhook URL has no host; expected https://hooks.slack.com/services/... or a Teams webhook")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback.IsHost(u.Hostname()):
	default:
		return nil, fmt.Errorf("webhook URL must use https (got scheme %q)", u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("webhook URL must not carry user credentials")
	}
	return u, nil
}

// invisible tells a space, a control character or an invisible format character (such as a
// zero-width space): none belongs in a URL.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// ResolveMessenger is the messenger that posts to webhook: the one named, or for auto (or "")
// the one the webhook's host says. A named messenger on a host that says another one is an
// error (a Slack payload fails every alert on a Teams webhook); on an unknown host (a proxy, a
// gateway, a local test server) the named one is what the user chose. webhook nil (a dry run
// without one) resolves auto to Slack. Errors start with the messenger asked for.
func ResolveMessenger(name string, webhook *url.URL) (messenger.Messenger, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || name == Auto {
		return Resolve("", webhook)
	}
	chosen, err := messenger.Parse(name)
	if err != nil {
		return "", err
	}
	return Resolve(chosen, webhook)
}

// Resolve is ResolveMessenger for a messenger already parsed (Parsed.Messenger): "" is auto.
func Resolve(chosen messenger.Messenger, webhook *url.URL) (messenger.Messenger, error) {
	if chosen == "" {
		if webhook == nil {
			return messenger.Slack, nil
		}
		m, err := messenger.Detect(webhook)
		if err != nil {
			return "", fmt.Errorf("%s: %w", Auto, err)
		}
		return m, nil
	}
	if webhook == nil {
		return chosen, nil
	}
	detected, err := messenger.Detect(webhook)
	if err != nil {
		return chosen, nil
	}
	if !compatible(chosen, detected) {
		return "", fmt.Errorf("%s cannot post to a %s webhook (host %s): set messenger to %s or auto, or use a %s webhook",
			chosen, detected, webhook.Hostname(), detected, chosen)
	}
	return chosen, nil
}

// compatible tells whether a messenger's payload works on a webhook whose host says detected.
// Both Teams webhooks take an Adaptive Card (the teams messenger) — the way off Office 365
// connectors; a Workflows webhook cannot read a connector MessageCard.
func compatible(chosen, detected messenger.Messenger) bool {
	switch chosen {
	case messenger.Teams:
		return detected == messenger.Teams || detected == messenger.TeamsLegacy
	default:
		return chosen == detected
	}
}
