// Command infra is the alarm-relay Pulumi program (Pulumi.yaml: main: infra/). It validates the
// stack configuration, builds the relay from function/ into a deterministic zip, and declares the
// stack through the public component (infra/alarmrelay): configuration → alarmrelay.Args →
// alarmrelay.New. `pulumi up` deploys current code; `pulumi destroy` removes everything it created.
package main

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/internal/program"
	"github.com/alarm-relay/alarm-relay/internal/build"
)

func main() {
	pulumi.Run(program.Run(buildRelay))
}

// buildRelay compiles the relay for Lambda's arm64 (Graviton) runtime.
func buildRelay() (build.Artifact, error) {
	ctx := context.Background()
	root, err := build.ModuleRoot(ctx)
	if err != nil {
		return build.Artifact{}, err
	}
	return build.Relay(ctx, root, "arm64")
}
