package alarmrelay

import "strings"

// argsMessages word the configuration rules' messages that tell a stack file's user what to run
// (pulumi config set --path 'destinations[0].webhook' ...) for Args instead: a program using
// the component has no such keys. field is the last part of the problem's field; prefix starts
// the rule's message.
var argsMessages = []struct{ field, prefix, message string }{
	{"APIName", "set apiName to the REST API's name", `not set: name the REST API (APIName: pulumi.String("orders-api") or restApi.Name), or give an HTTP API's id (APIID)`},
	{"APILabel", "set apiName to the REST API's name", "is blank: name the API in the alarms' names, or leave APILabel empty (the component's name)"},
	{"WebhookURL", "not set:", `not set: pass the webhook, a secret (config.RequireSecret(ctx, "webhookUrl")), or Destinations`},
	{"WebhookURL", "set webhookUrl (one destination) or destinations, not both", "set WebhookURL (one destination) or Destinations, not both"},
	{"Webhook", "not set:", "not set: a destination posts to Webhook (a secret), or through a Slack app (SlackToken and SlackChannel)"},
	{"SlackToken", "set webhook or slackToken, not both", "set Webhook or SlackToken, not both: a destination posts to a webhook or through a Slack app"},
	{"SlackToken", "not set:", "not set: the Slack app's Bot User OAuth Token, xoxb-... (a secret)"},
	{"SlackChannel", "not set:", "not set: the channel's id, C0123ABCDEF (at the bottom of the channel's details)"},
	{"Region", "not set:", "not set: set Region, or the stack's aws:region (pulumi config set aws:region ap-northeast-2): without either the stack would deploy to whatever region the caller's AWS_REGION or profile names"},
}

// argsMessage is message as a problem of field in Args.
func argsMessage(field, message string) string {
	last := field[strings.LastIndexByte(field, '.')+1:]
	if i := strings.IndexByte(last, '['); i >= 0 {
		last = last[:i]
	}
	for _, m := range argsMessages {
		if m.field == last && strings.HasPrefix(message, m.prefix) {
			return m.message
		}
	}
	return message
}
