// Command restapi is an example of the alarm-relay component in a program that describes its own
// API: it creates a REST API (one GET / answered by API Gateway itself) with a prod stage, and
// alerts on the API's latency through Slack or Teams. The API's name is an output of the program
// (Pulumi names the API), passed to the component as it is.
//
//	cd examples/restapi
//	pulumi stack init dev
//	pulumi config set aws:region ap-northeast-2
//	pulumi config set --secret webhookUrl https://hooks.slack.com/services/...
//	pulumi up
package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/alarmrelay"
)

// stage is the API's stage, and the alarms' Stage dimension.
const stage = "prod"

// openAPI is the API: GET / answers {"ok": true} from a mock integration.
const openAPI = `{
  "openapi": "3.0.1",
  "info": {"title": "orders", "version": "1.0"},
  "paths": {"/": {"get": {
    "responses": {"200": {"description": "ok"}},
    "x-amazon-apigateway-integration": {
      "type": "mock",
      "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
      "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json": "{\"ok\": true}"}}}
    }
  }}}
}`

func main() {
	pulumi.Run(program(""))
}

// program is the example; relayZip is a relay built already ("" builds it from source).
func program(relayZip string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		api, err := apigateway.NewRestApi(ctx, "orders", &apigateway.RestApiArgs{
			Body:        pulumi.String(openAPI),
			Description: pulumi.String("Orders API (alarm-relay example)"),
		})
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(openAPI))
		deployment, err := apigateway.NewDeployment(ctx, "orders", &apigateway.DeploymentArgs{
			RestApi:  api.ID(),
			Triggers: pulumi.StringMap{"body": pulumi.String(hex.EncodeToString(sum[:]))}, // a new body, a new deployment
		})
		if err != nil {
			return err
		}
		if _, err := apigateway.NewStage(ctx, "orders-"+stage, &apigateway.StageArgs{
			RestApi:    api.ID(),
			Deployment: deployment.ID(),
			StageName:  pulumi.String(stage),
		}); err != nil {
			return err
		}

		relay, err := alarmrelay.New(ctx, "orders-alerts", &alarmrelay.Args{
			APIName:    api.Name, // an output: the alarms watch whatever name the API gets
			APILabel:   "orders", // what the alarms are called meanwhile: "orders prod latency (restapi-alerts/dev)"
			APIStage:   stage,
			WebhookURL: webhook(ctx),
			Alarms: []alarmrelay.Alarm{
				{Kind: "latency", Statistic: "p99", Threshold: ptr(1000.0)},
				{Kind: "errorRate"},
			},
			RelayZip: relayZip,
		})
		if err != nil {
			return err
		}
		ctx.Export("apiName", api.Name)
		ctx.Export("topicArn", relay.TopicArn)
		ctx.Export("alarmNames", relay.AlarmNames)
		ctx.Export("functionName", relay.FunctionName)
		ctx.Export("testCommand", relay.TestCommand)
		return nil
	}
}

// webhook is the webhookUrl secret (config.RequireSecret(ctx, "webhookUrl") does the same with
// the SDK's config package); the component refuses it when it is missing or not a webhook.
func webhook(ctx *pulumi.Context) pulumi.StringOutput {
	hook, _ := ctx.GetConfig(ctx.Project() + ":webhookUrl")
	return pulumi.ToSecret(pulumi.String(hook)).(pulumi.StringOutput)
}

func ptr[T any](v T) *T { return &v }
