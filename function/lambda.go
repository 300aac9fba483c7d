package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alarm-relay/alarm-relay/function/internal/wiring"
)

// runLambda configures the relay once per container and serves invocations. A configuration
// error stops the container at start-up with a clear log line, rather than failing each alert.
func runLambda() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx := context.Background()
	r, err := wiring.NewRelay(ctx, os.Getenv, wiring.FromEnv(os.Getenv), log)
	if err != nil {
		log.Error("start-up failed", "error", err.Error())
		os.Exit(1)
	}
	// Raw JSON: the reminder schedule's events (and the overflow queue's batches) are told apart
	// from SNS events by their content.
	handler, err := wiring.LambdaHandler(r, os.Getenv, log)
	if err != nil {
		log.Error("start-up failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(handler)
}
