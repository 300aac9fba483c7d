package messenger

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
)

// Mention is someone to notify on ALARM. Slack mentions are written in Slack's own syntax
// (<!here>, <!subteam^ID>, <@U123>); a Teams mention is a user's UPN (e-mail form).
type Mention struct {
	Slack string // e.g. "<!subteam^S0123ABCD>"; empty for a Teams-only mention
	UPN   string // e.g. "alice@contoso.com"; empty for a Slack-only mention
}

var (
	slackGroup = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	slackUser  = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
)

// ParseMentions reads MENTIONS: comma-separated @here, @channel, Slack user group ids (S…),
// Slack user ids (U… or W…) and Teams UPNs (alice@contoso.com). They come from configuration,
// never from alarm text, so an alarm can never mention anyone by itself.
func ParseMentions(s string) ([]Mention, error) {
	var out []Mention
	for _, raw := range strings.Split(s, ",") {
		m := strings.TrimSpace(raw)
		switch {
		case m == "":
			continue
		case m == "@here" || m == "@channel":
			out = append(out, Mention{Slack: "<!" + m[1:] + ">"})
		case slackGroup.MatchString(m):
			out = append(out, Mention{Slack: "<!subteam^" + m + ">"})
		case slackUser.MatchString(m):
			out = append(out, Mention{Slack: "<@" + m + ">"})
		default:
			if a, err := mail.ParseAddress(m); err == nil && a.Address == m {
				out = append(out, Mention{UPN: m})
				continue
			}
			return nil, fmt.Errorf("mention %q is not @here, @channel, a Slack user group (S…) or user id (U…), or a Teams user's e-mail", m)
		}
	}
	return out, nil
}
