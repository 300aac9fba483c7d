package stack_test

import (
	"github.com/alarm-relay/alarm-relay/infra/internal/program"
	"github.com/alarm-relay/alarm-relay/infra/internal/stack"
)

func init() { stack.DeployProgram = program.Deploy }
