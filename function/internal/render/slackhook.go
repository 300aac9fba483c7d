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

// slackWorkflowPaths are the first path segments of Slack's workflow webhooks on the same hosts
// (Workflow Builder's /workflows/…, the automation platform's /triggers/…). They answer a taken
// post with an empty 200 or {"ok":true}, never "ok"; the lenient judge reads them.
var slackWorkflowPaths = map[string]bool{"/triggers": true, "/workflows": true}

// isSlackHook tells an incoming webhook on Slack's own hosts from a Slack-compatible one
// elsewhere (Mattermost, Rocket.Chat, a local test server) and from Slack's workflow webhooks,
// which may answer a good post otherwise. webhook carries at most the path's first segment
// (webhook.URL.Service); without one, the host decides.
func isSlackHook(webhook *url.URL) bool {
	if webhook == nil || !slackHookHosts[strings.ToLower(strings.TrimSuffix(webhook.Hostname(), "."))] {
		return false
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(webhook.Path, "/"), "/")
	return !slackWorkflowPaths["/"+first]
}

// judgeSlackHook reads the answers of hooks.slack.com: delivered only on 200 "ok". Slack's error
// answers keep their meaning (judgeSlack: rate_limited is retried, invalid_payload is final);
// a 2xx that judgeSlack would let pass is not Slack's and fails, naming what came back (the
// deliverer redacts and clips the body). It is not retried: whoever answered it will again.
func judgeSlackHook(r chat.Response) chat.Verdict {
	if r.Status == http.StatusOK && r.Body == "ok" {
		return chat.Verdict{Means: chat.Delivered}
	}
	v := judgeSlack(r)
	if v.Means != chat.Delivered {
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
		Means:  chat.Failed,
		Reason: fmt.Sprintf("Slack's webhook answers a delivered post with HTTP 200 \"ok\"; this was HTTP %d with %s, so it was not delivered", r.Status, said),
		Detail: r.Body,
	}
}
