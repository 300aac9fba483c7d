package render

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/alarm-relay/alarm-relay/function/internal/chat"
)

// slackHookHosts are Slack's own incoming-webhook hosts. Slack answers a post taken there with
// HTTP 200 and the body "ok", nothing else; any other 2xx came from something in between (a
// corporate proxy's block page, a TLS-inspecting gateway answering "{}") and delivered nothing.
var slackHookHosts = map[string]bool{"hooks.slack.com": true, "hooks.slack-gov.com": true}

// isSlackHook tells a webhook on Slack's own hosts from a Slack-compatible one elsewhere
// (Mattermost, Rocket.Chat, a local test server), which may answer a good post otherwise.
func isSlackHook(webhook *url.URL) bool {
	return webhook != nil && slackHookHosts[strings.ToLower(strings.TrimSuffix(webhook.Hostname(), "."))]
}

// judgeSlackHook reads the answers of hooks.slack.com: delivered only on 200 "ok". Slack's error
// answers keep their meaning (judgeSlack: rate_limited is retried, invalid_payload is final);
// a 2xx that judgeSlack would let pass is not Slack's and fails, naming what came back (the
// deliverer redacts and clips the body). It is not retried: whoever answered it will again.
func judgeSlackHook(r chat.Response) chat.Verdict {
	if r.Status == http.StatusOK && r.Body == "ok" {
		return chat.Verdict{Outcome: chat.Delivered}
	}
	v := judgeSlack(r)
	if v.Outcome != chat.Delivered {
		return v
	}
	said := "an empty body"
	if r.Body != "" {
		said = "a body other than \"ok\""
	}
	if looksLikeHTML(r.Body) {
		said = "an HTML page (a proxy's block or sign-in page?)"
	}
	return chat.Verdict{
		Outcome: chat.Fail,
		Reason:  fmt.Sprintf("Slack's webhook answers a delivered post with HTTP 200 \"ok\"; this was HTTP %d with %s, so it was not delivered", r.Status, said),
		Detail:  r.Body,
	}
}
