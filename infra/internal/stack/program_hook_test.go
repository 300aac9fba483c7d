package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/internal/build"
)

// DeployProgram is the program infra/main.go runs (program.Deploy: configuration → alarmrelay.Args
// → alarmrelay.New → this package), returning its stack outputs. program_link_test.go sets it: the
// program imports this package, so only an external test file can import the program. Every
// test of this package that deploys — snapshot, goldens, transitions — thus deploys the program
// as it runs.
var DeployProgram func(ctx *pulumi.Context, relay func() (build.Artifact, error)) (map[string]pulumi.Output, error)
