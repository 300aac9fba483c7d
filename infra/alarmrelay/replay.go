package alarmrelay

import (
	"runtime/debug"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// projectRunner is how a replay command runs the relay in the alarm-relay project: its source is
// the directory the command runs in.
const projectRunner = " go run ./function -replay-dead-letters "

// importerRunner runs the relay from another program's directory: the relay's source is where
// that program's module finds alarm-relay (the module cache, or a replace), the same source the
// deployed relay was built from. That module cannot `go run` the relay by its import path: its
// go.sum lacks the relay's own dependencies.
const importerRunner = ` go -C "$(go list -m -f '{{.Dir}}' ` + modulePath + `)" run ./function -replay-dead-letters `

// mainModule is the module of the running program ("" when the binary does not say).
var mainModule = func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info.Main.Path
	}
	return ""
}

// replayCommands makes replay commands (one per line) runnable from the program's directory: in
// another program's module there is no ./function.
func replayCommands(cmds pulumi.StringOutput) pulumi.StringOutput {
	if cmds.OutputState == nil || mainModule() == modulePath {
		return cmds
	}
	return cmds.ApplyT(func(s string) string {
		lines := strings.Split(s, "\n")
		for i, line := range lines {
			// The last one: quoted values come before it.
			if at := strings.LastIndex(line, projectRunner); at >= 0 {
				lines[i] = line[:at] + importerRunner + line[at+len(projectRunner):]
			}
		}
		return strings.Join(lines, "\n")
	}).(pulumi.StringOutput)
}
