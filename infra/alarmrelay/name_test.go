package alarmrelay

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestNameIsRequired: an empty or blank name is refused by name, before anything else is checked
// or declared. Pulumi would refuse it only after the relay was built, in its own words, and with
// an output APIName the blank label made the problem read "set apiName", which was set.
func TestNameIsRequired(t *testing.T) {
	for _, name := range []string{"", "  "} {
		for _, apiName := range []string{"plain", "output"} {
			var got error
			m, err := run(t, func(ctx *pulumi.Context) error {
				api, err := apigateway.NewRestApi(ctx, "api", &apigateway.RestApiArgs{Name: pulumi.String("orders-7f3a")})
				if err != nil {
					return err
				}
				args := &Args{APIName: pulumi.String("orders-api"), APIStage: "prod", WebhookURL: secretOf(hook), RelayZip: "/nonexistent/relay.zip"}
				if apiName == "output" {
					args.APIName = api.Name
				}
				_, got = New(ctx, name, args)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var invalid *Error
			if !errors.As(got, &invalid) || len(invalid.Problems) != 1 || invalid.Problems[0].Field != "name" {
				t.Errorf("New(%q) with a %s APIName: %v; want one problem under name", name, apiName, got)
			}
			if len(m.Resources()) != 1 { // the API
				t.Errorf("New(%q) declared %d resources besides the API", name, len(m.Resources())-1)
			}
		}
	}
}
