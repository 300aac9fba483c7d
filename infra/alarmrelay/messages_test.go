package alarmrelay

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/pulumimock"
)

// TestProblemsSpeakArgs: what is missing or contradicts is told in Args' words. The rules are the
// stack file's, whose messages say which `pulumi config set --path 'destinations[0].webhook'` to
// run: keys a program using the component does not have.
func TestProblemsSpeakArgs(t *testing.T) {
	for _, tt := range []struct {
		name  string
		args  func(api *apigateway.RestApi) *Args
		field string
		says  string
	}{
		{"no API", func(*apigateway.RestApi) *Args { return &Args{WebhookURL: secretOf(hook)} }, "APIName", "APIID"},
		{"blank label", func(api *apigateway.RestApi) *Args {
			return &Args{APIName: api.Name, APILabel: " ", WebhookURL: secretOf(hook)}
		}, "APILabel", "is blank"},
		{"no alarm API", func(*apigateway.RestApi) *Args {
			return &Args{WebhookURL: secretOf(hook), Alarms: []Alarm{{Kind: "latency"}}}
		}, "Alarms[0].APIName", "APIID"},
		{"no webhook", func(*apigateway.RestApi) *Args { return &Args{APIName: pulumi.String("orders-api")} }, "WebhookURL", "Destinations"},
		{"webhook and destinations", func(*apigateway.RestApi) *Args {
			return &Args{APIName: pulumi.String("orders-api"), WebhookURL: secretOf(hook), Destinations: []Destination{{Name: "team", Webhook: secretOf(hook)}}}
		}, "WebhookURL", "set WebhookURL (one destination) or Destinations, not both"},
		{"destination without webhook", func(*apigateway.RestApi) *Args {
			return &Args{APIName: pulumi.String("orders-api"), Destinations: []Destination{{Name: "team"}}}
		}, "Destinations[0].Webhook", "SlackToken and SlackChannel"},
		{"webhook and token", func(*apigateway.RestApi) *Args {
			return &Args{APIName: pulumi.String("orders-api"), Destinations: []Destination{{Name: "team", Webhook: secretOf(hook), SlackToken: secretOf(token)}}}
		}, "Destinations[0].SlackToken", "set Webhook or SlackToken, not both"},
		{"slack app without token", func(*apigateway.RestApi) *Args {
			return &Args{APIName: pulumi.String("orders-api"), Destinations: []Destination{{Name: "oncall", Messenger: "slack-app", SlackChannel: "C0123ABCDEF"}}}
		}, "Destinations[0].SlackToken", "Bot User OAuth Token"},
		{"slack app without channel", func(*apigateway.RestApi) *Args {
			return &Args{APIName: pulumi.String("orders-api"), Destinations: []Destination{{Name: "oncall", SlackToken: secretOf(token)}}}
		}, "Destinations[0].SlackChannel", "channel's id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			invalid, _ := refusal(t, func(ctx *pulumi.Context) (*Args, error) {
				api, err := apigateway.NewRestApi(ctx, "api", nil)
				if err != nil {
					return nil, err
				}
				return tt.args(api), nil
			})
			found := false
			for _, p := range invalid.Problems {
				for _, configSpeak := range []string{"pulumi config set --", "webhookUrl", "destinations", "slackToken", "apiName", "apiId"} {
					if strings.Contains(p.Message, configSpeak) && !strings.Contains(p.Message, `"webhookUrl")`) {
						t.Errorf("%s: %q speaks of the stack file's %s", p.Field, p.Message, configSpeak)
					}
				}
				if p.Field == tt.field {
					found = true
					if !strings.Contains(p.Message, tt.says) {
						t.Errorf("%s: %q does not say %q", p.Field, p.Message, tt.says)
					}
				}
			}
			if !found {
				t.Errorf("no problem under %s:\n%v", tt.field, invalid)
			}
		})
	}
}

// TestRegionProblemSpeaksArgs: without Region and the stack's aws:region, the problem names
// both.
func TestRegionProblemSpeaksArgs(t *testing.T) {
	t.Setenv(pulumi.EnvConfig, `{}`)
	t.Setenv(pulumi.EnvConfigSecretKeys, `[]`)
	var got error
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, got = New(ctx, "orders-alerts", &Args{APIName: pulumi.String("orders-api"), WebhookURL: secretOf(hook), RelayZip: "/nonexistent/relay.zip"})
		return nil
	}, pulumi.WithMocks("orders", "prod", &pulumimock.Provider{}))
	if err != nil {
		t.Fatal(err)
	}
	var invalid *Error
	if !errors.As(got, &invalid) || len(invalid.Problems) != 1 || invalid.Problems[0].Field != "Region" || !strings.Contains(invalid.Problems[0].Message, "set Region, or the stack's aws:region") {
		t.Fatalf("New without a region: %v", got)
	}
}
