package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// skipAPICheck is how a user whose API does not exist yet (or lives in another account) skips
// the lookup.
const skipAPICheck = "pulumi config set checkApis false"

// maxListed caps the APIs an error lists.
const maxListed = 10

// CheckAPIs looks up every API an alarm watches, at preview, with the provider's API Gateway
// data sources: an alarm on an API that does not exist has no metric and never fires (with
// treatMissingData notBreaching it sits OK forever). The provider offers getRestApi (REST APIs by
// name; there is no list of REST APIs in pulumi-aws v6.83.4), and getApi / getApis (HTTP and
// WebSocket APIs, by id or by name and protocol). A WebSocket API publishes none of the metrics
// the API kinds watch (Latency, 4XXError, 5XXError, Count): its metrics are ConnectCount,
// MessageCount, IntegrationError, ClientError, ExecutionError and IntegrationLatency
// (API Gateway Developer Guide, "Monitoring WebSocket API execution with CloudWatch metrics").
func CheckAPIs(ctx *pulumi.Context, cfg settings.Settings) []settings.Problem {
	var out []settings.Problem
	checked := map[string]bool{}
	for _, a := range cfg.Alarms {
		if a.APIDimension == "" || checked[a.APIDimension+" "+a.API] {
			continue
		}
		checked[a.APIDimension+" "+a.API] = true
		var msg string
		if a.APIDimension == "ApiName" {
			msg = checkRestAPI(ctx, a.API, cfg.Region)
		} else {
			msg = checkHTTPAPI(ctx, a.API, cfg.Region)
		}
		if msg != "" {
			out = append(out, settings.Problem{Key: a.APIKey, Message: msg})
		}
	}
	return out
}

// checkRestAPI: apiName names a REST API. Not found, it may be an HTTP API's id or name.
func checkRestAPI(ctx *pulumi.Context, name, region string) string {
	_, err := apigateway.LookupRestApi(ctx, &apigateway.LookupRestApiArgs{Name: name})
	switch {
	case err == nil, strings.Contains(err.Error(), "multiple REST APIs"): // the metric covers them all
		return ""
	case denied(err):
		return deniedMessage("REST API "+quote(name), region, "apigateway:GET on arn:aws:apigateway:"+region+"::/restapis")
	case !notFound(err):
		return fmt.Sprintf("looking up REST API %q in %s failed: %v. To deploy without the check: %s", name, region, err, skipAPICheck)
	}
	if api, err := apigatewayv2.LookupApi(ctx, &apigatewayv2.LookupApiArgs{ApiId: name}); err == nil {
		return fmt.Sprintf("no REST API %s in %s; %q is the id of %s API %q: set apiId to it instead of apiName", name, region, name, api.ProtocolType, api.Name)
	}
	if ids := httpAPIs(ctx, &apigatewayv2.GetApisArgs{Name: &name}); len(ids) > 0 {
		return fmt.Sprintf("no REST API %s in %s; an HTTP or WebSocket API has that name (id %s): for an HTTP API set apiId to its id instead of apiName", name, region, strings.Join(ids, ", "))
	}
	return fmt.Sprintf("no REST API %s in %s (check the name and the stack's aws:region; REST APIs are matched by exact name). If the API is created later or lives in another account: %s", name, region, skipAPICheck)
}

// checkHTTPAPI: apiId names an HTTP API, not a WebSocket one.
func checkHTTPAPI(ctx *pulumi.Context, id, region string) string {
	api, err := apigatewayv2.LookupApi(ctx, &apigatewayv2.LookupApiArgs{ApiId: id})
	switch {
	case err == nil && strings.EqualFold(api.ProtocolType, "WEBSOCKET"):
		return fmt.Sprintf("%s is WebSocket API %q: WebSocket APIs publish no Latency, 4XXError, 5XXError or Count metrics, so the alarm would never fire; watch an HTTP API (apiId) or a REST API (apiName), or use kind custom on its IntegrationLatency", id, api.Name)
	case err == nil:
		return ""
	case denied(err):
		return deniedMessage("HTTP API "+id, region, "apigateway:GET on arn:aws:apigateway:"+region+"::/apis/"+id)
	case !notFound(err):
		return fmt.Sprintf("looking up HTTP API %s in %s failed: %v. To deploy without the check: %s", id, region, err, skipAPICheck)
	}
	http := "HTTP"
	found := httpAPIs(ctx, &apigatewayv2.GetApisArgs{ProtocolType: &http})
	list := "none"
	if len(found) > 0 {
		list = strings.Join(found, ", ")
	}
	return fmt.Sprintf("no HTTP API %s in %s; HTTP APIs: %s. (A REST API is named with apiName.) If the API is created later or lives in another account: %s", id, region, list, skipAPICheck)
}

// httpAPIs lists HTTP and WebSocket APIs as "id (name)", at most maxListed; none when the
// lookup fails (the message is then about what was asked).
func httpAPIs(ctx *pulumi.Context, args *apigatewayv2.GetApisArgs) []string {
	res, err := apigatewayv2.GetApis(ctx, args)
	if err != nil {
		return nil
	}
	ids := slices.Sorted(slices.Values(res.Ids))
	var out []string
	for i, id := range ids {
		if i == maxListed {
			out = append(out, fmt.Sprintf("and %d more", len(ids)-maxListed))
			break
		}
		if api, err := apigatewayv2.LookupApi(ctx, &apigatewayv2.LookupApiArgs{ApiId: id}); err == nil {
			id += " (" + api.Name + ")"
		}
		out = append(out, id)
	}
	return out
}

func deniedMessage(what, region, grant string) string {
	return fmt.Sprintf("could not look up %s in %s: the deployer is not allowed to (AccessDenied). Grant %s, or deploy without the check: %s", what, region, grant, skipAPICheck)
}

// denied tells an authorization failure from the AWS SDK's error text, as the provider passes it on.
func denied(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "accessdenied") || strings.Contains(s, "not authorized") || strings.Contains(s, "statuscode: 403")
}

// notFound: getRestApi says "no REST APIs with name ... found"; getApi "couldn't find resource"
// (NotFoundException).
func notFound(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "no rest apis") || strings.Contains(s, "notfound") || strings.Contains(s, "couldn't find") || strings.Contains(s, "not found")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
