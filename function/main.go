// Command bootstrap is the alarm relay. In Lambda (AWS_LAMBDA_RUNTIME_API set) it handles SNS
// events and the reminder schedule's events; anywhere else it reads an event file and prints
// (-dry-run) or delivers what the Lambda would send, so a change can be tried without AWS, or it
// replays a dead-letter queue. The relay is built in package wiring, the same way for both.
package main

import (
	"os"
	_ "time/tzdata" // provided.al2023 has no zoneinfo: TIMEZONE must work anyway
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		runLambda()
		return
	}
	os.Exit(runCommand())
}
