// Package pulumimock is the Pulumi mock provider the tests of the component and its users share
// (pulumi.WithMocks): it records every resource declared and answers as AWS would, closely
// enough for what the programs read back: a resource's name, ARN and, for a queue, URL.
package pulumimock

import (
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Provider records the resources a program declares. Its zero value is ready to use.
type Provider struct {
	// Names gives the resources of a type token the name the provider makes up for them (a REST
	// API's, say), whatever the program asked for: a program that reads it back must take it
	// from the output.
	Names map[string]string

	mu        sync.Mutex
	resources []pulumi.MockResourceArgs
}

// NewResource records the resource and answers with its inputs plus a name (its "name" input,
// else its Pulumi name), an ARN of the resource's service in us-east-1 and, for an SQS queue,
// its URL. The resource's id is its name with "-id".
func (p *Provider) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	p.mu.Lock()
	p.resources = append(p.resources, args)
	p.mu.Unlock()
	outs := args.Inputs.Copy()
	name := args.Name
	if v, ok := args.Inputs["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	if made, ok := p.Names[args.TypeToken]; ok {
		name = made
	}
	outs["name"] = resource.NewStringProperty(name)
	service, _, _ := strings.Cut(strings.TrimPrefix(args.TypeToken, "aws:"), "/") // aws:sqs/queue:Queue: sqs
	arn := "arn:aws:" + service + ":us-east-1:123456789012:" + name
	switch service {
	case "iam":
		arn = "arn:aws:iam::123456789012:role/" + name
	case "lambda":
		arn = "arn:aws:lambda:us-east-1:123456789012:function:" + name
	case "dynamodb":
		arn = "arn:aws:dynamodb:us-east-1:123456789012:table/" + name
	}
	outs["arn"] = resource.NewStringProperty(arn)
	if args.TypeToken == "aws:sqs/queue:Queue" {
		outs["url"] = resource.NewStringProperty("https://sqs.us-east-1.amazonaws.com/123456789012/" + name)
	}
	return name + "-id", outs, nil
}

// Call answers every provider function with nothing.
func (p *Provider) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// Resources are the resources declared so far, in the order they were declared.
func (p *Provider) Resources() []pulumi.MockResourceArgs {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]pulumi.MockResourceArgs(nil), p.resources...)
}

// ByType are the resources of a type token, in the order they were declared.
func (p *Provider) ByType(token string) []pulumi.MockResourceArgs {
	var out []pulumi.MockResourceArgs
	for _, r := range p.Resources() {
		if r.TypeToken == token {
			out = append(out, r)
		}
	}
	return out
}
