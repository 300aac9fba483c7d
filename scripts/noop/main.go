// Command noop is the smallest aws-lambda-go function: it takes any event and returns. The
// benchmark (scripts/emulatorbench) builds it exactly as the relay is built and measures it
// beside the relay, so that the relay's own cold-start cost reads as the difference.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) error { return nil })
}
