// Package messenger names the chat dialects and tells the webhook ones apart by host. The relay and
// the Pulumi program share it, so a destination the relay could not serve is refused at `pulumi up`
// already.
package messenger

import (
	"fmt"
	"net/url"
	"strings"
)

// Messenger is a chat dialect: a webhook's, or the Slack app's Web API.
type Messenger string

// The supported messengers, as MESSENGER and the stack's messenger key spell them.
const (
	Slack       Messenger = "slack"
	Teams       Messenger = "teams"        // Power Automate Workflows: Adaptive Card in a message envelope
	TeamsLegacy Messenger = "teams-legacy" // Office 365 connector: MessageCard
	// SlackApp posts with a bot token through Slack's Web API (chat.postMessage, chat.update), so
	// that one message per incident can be edited in place. It has no webhook URL and is never
	// detected from a host; it shows exactly Slack's webhook payload.
	SlackApp Messenger = "slack-app"
)

// All lists every messenger, for help texts and validation.
var All = []Messenger{Slack, Teams, TeamsLegacy, SlackApp}

// Webhook tells whether m posts to an incoming webhook URL (every messenger but SlackApp).
func (m Messenger) Webhook() bool { return m != SlackApp && m != "" }

// Parse reads a messenger name.
func Parse(s string) (Messenger, error) {
	m := Messenger(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range All {
		if m == known {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown messenger %q: use one of slack, teams, teams-legacy, slack-app (or auto to detect a webhook's from its host)", s)
}

// Detect names the messenger from the webhook's host. An unknown host is an error, not a guess:
// posting a Slack payload to a Teams webhook fails every alert.
func Detect(webhook *url.URL) (Messenger, error) {
	host := strings.TrimSuffix(strings.ToLower(webhook.Hostname()), ".") // hooks.slack.com. is hooks.slack.com
	switch {
	case host == "hooks.slack.com" || host == "hooks.slack-gov.com":
		return Slack, nil
	case strings.HasSuffix(host, ".webhook.office.com") || host == "outlook.office.com" || host == "outlook.office365.com":
		return TeamsLegacy, nil
	case strings.HasSuffix(host, ".powerplatform.com") || strings.HasSuffix(host, ".logic.azure.com"):
		return Teams, nil
	}
	// The host is not secret (the path is); naming it helps the user fix the configuration.
	return "", fmt.Errorf("cannot tell the messenger from webhook host %q: set the messenger to slack, teams or teams-legacy", host)
}
