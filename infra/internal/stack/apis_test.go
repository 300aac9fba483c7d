package stack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/build"
)

// apiWorld is an account's API Gateway as the provider's data sources see it, with the errors
// they return (the provider's texts for a missing API, the AWS SDK's for a denied call).
type apiWorld struct {
	rest   []string             // REST API names
	http   map[string][2]string // HTTP and WebSocket APIs by id: name, protocol type
	denied bool                 // the deployer may not call apigateway:GET
}

func (w *apiWorld) call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if w == nil { // every API exists
		switch args.Token {
		case "aws:apigateway/getRestApi:getRestApi":
			return resource.NewPropertyMapFromMap(map[string]any{"id": "r3st1d", "name": args.Args["name"].StringValue()}), nil
		case "aws:apigatewayv2/getApi:getApi":
			return resource.NewPropertyMapFromMap(map[string]any{"apiId": args.Args["apiId"].StringValue(), "name": "orders-http", "protocolType": "HTTP"}), nil
		}
		return nil, errors.New("unexpected call " + args.Token)
	}
	if w.denied {
		return nil, errors.New("reading API Gateway REST APIs: operation error API Gateway: GetRestApis, https response error StatusCode: 403, RequestID: 1, api error AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: apigateway:GET")
	}
	switch args.Token {
	case "aws:apigateway/getRestApi:getRestApi":
		name := args.Args["name"].StringValue()
		if slices.Contains(w.rest, name) {
			return resource.NewPropertyMapFromMap(map[string]any{"id": "r3st1d", "name": name}), nil
		}
		return nil, fmt.Errorf("no REST APIs with name %q found in this region", name)
	case "aws:apigatewayv2/getApi:getApi":
		id := args.Args["apiId"].StringValue()
		if api, ok := w.http[id]; ok {
			return resource.NewPropertyMapFromMap(map[string]any{"apiId": id, "name": api[0], "protocolType": api[1]}), nil
		}
		return nil, fmt.Errorf("reading API Gateway v2 API (%s): couldn't find resource", id)
	case "aws:apigatewayv2/getApis:getApis":
		var ids []any
		for id, api := range w.http {
			if v, ok := args.Args["name"]; ok && v.IsString() && v.StringValue() != api[0] {
				continue
			}
			if v, ok := args.Args["protocolType"]; ok && v.IsString() && v.StringValue() != api[1] {
				continue
			}
			ids = append(ids, id)
		}
		return resource.NewPropertyMapFromMap(map[string]any{"id": region, "ids": ids}), nil
	}
	return nil, errors.New("unexpected call " + args.Token)
}

// TestAPIsAreLookedUp: an alarm on an API that does not exist never fires; preview refuses it,
// naming the key and what it found instead, before any resource or build.
func TestAPIsAreLookedUp(t *testing.T) {
	world := &apiWorld{
		rest: []string{"orders-api"},
		http: map[string][2]string{"a1b2c3": {"orders-http", "HTTP"}, "w5s0ck": {"orders-live", "WEBSOCKET"}},
	}
	entries := func(e string) map[string]string { return devConfigWith(map[string]string{"alarms": "[" + e + "]"}) }
	tests := []struct {
		name   string
		world  *apiWorld
		config map[string]string
		want   string // "" for accepted
	}{
		{"REST API found", world, devConfig(), ""},
		{"HTTP API found", world, devConfigWith(map[string]string{"apiName": "", "apiId": "a1b2c3"}), ""},
		{"REST API misspelt", world, devConfigWith(map[string]string{"apiName": "orders-apl"}),
			"apiName: no REST API orders-apl in us-east-1 (check the name and the stack's aws:region; REST APIs are matched by exact name). If the API is created later or lives in another account: pulumi config set checkApis false"},
		{"an HTTP API's id in apiName", world, devConfigWith(map[string]string{"apiName": "a1b2c3"}),
			`apiName: no REST API a1b2c3 in us-east-1; "a1b2c3" is the id of HTTP API "orders-http": set apiId to it instead of apiName`},
		{"an HTTP API's name in apiName", world, devConfigWith(map[string]string{"apiName": "orders-http"}),
			"apiName: no REST API orders-http in us-east-1; an HTTP or WebSocket API has that name (id a1b2c3 (orders-http)): for an HTTP API set apiId to its id instead of apiName"},
		{"HTTP API not found", world, devConfigWith(map[string]string{"apiName": "", "apiId": "zzz999"}),
			"apiId: no HTTP API zzz999 in us-east-1; HTTP APIs: a1b2c3 (orders-http). (A REST API is named with apiName.)"},
		{"WebSocket API", world, entries(`{"kind": "errorRate", "apiId": "w5s0ck"}`),
			`alarms[0].apiId: w5s0ck is WebSocket API "orders-live": WebSocket APIs publish no Latency, 4XXError, 5XXError or Count metrics`},
		{"inherited API named at the top", world, devConfigWith(map[string]string{"apiName": "orders-apl", "alarms": `[{"kind": "errorRate"}]`}),
			"apiName: no REST API orders-apl in us-east-1"},
		{"lookup not allowed", &apiWorld{denied: true}, devConfig(),
			"apiName: could not look up REST API \"orders-api\" in us-east-1: the deployer is not allowed to (AccessDenied). Grant apigateway:GET on arn:aws:apigateway:us-east-1::/restapis, or deploy without the check: pulumi config set checkApis false"},
		{"lookup not allowed, skipped", &apiWorld{denied: true}, devConfigWith(map[string]string{"checkApis": "false"}), ""},
		{"missing API, skipped", world, devConfigWith(map[string]string{"apiName": "orders-apl", "checkApis": "false"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := false
			m, _, err := deployMocked(t, &mocks{apis: tt.world}, project, stackName, tt.config, []string{"webhookUrl"}, func() (build.Artifact, error) {
				built = true
				return artifact()
			})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
			if built || len(m.resources) > 0 {
				t.Errorf("refused stack built the relay (%v) or declared %d resources", built, len(m.resources))
			}
		})
	}
	t.Run("skipped: no lookup at all", func(t *testing.T) {
		m, _, err := deployMocked(t, &mocks{apis: &apiWorld{denied: true}}, project, stackName, devConfigWith(map[string]string{"checkApis": "false"}), []string{"webhookUrl"}, artifact)
		if err != nil {
			t.Fatal(err)
		}
		for _, token := range m.invokes {
			if strings.Contains(token, "apigateway") {
				t.Errorf("checkApis false still called %s", token)
			}
		}
	})
}
