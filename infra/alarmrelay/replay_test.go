package alarmrelay

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/alarm-relay/alarm-relay/internal/testsupport"
)

// TestReplayCommandOfAnImporter: in another program's module the replay commands run the relay
// from the source that module resolves (go list -m), as there is no ./function in that program's
// directory; in the alarm-relay project they stay `go run ./function`. Each is evaluated in bash,
// as the docs say, with stand-ins for aws and go that print what they were given.
func TestReplayCommandOfAnImporter(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	stubs := testsupport.NewStubs(t)
	bin, stub := stubs.Dir, stubs.Stub
	stub("aws", `echo "export AWS_ACCESS_KEY_ID=AKIDEXAMPLE"`)
	stub("go", `if [ "$1" = list ]; then [ "$*" = "list -m -f {{.Dir}} `+modulePath+`" ] && echo "/go/pkg/mod/alarm-relay@v1.2.3"; exit; fi; printf '%s|' "$@"; echo "param=$WEBHOOK_PARAMETER"`)

	for _, tt := range []struct {
		main string
		want []string // what go runs, per relay
	}{
		{"example.com/importer", []string{
			"-C|/go/pkg/mod/alarm-relay@v1.2.3|run|./function|-replay-dead-letters|https://sqs.us-east-1.amazonaws.com/123456789012/orders-alerts-team-dead-letters|param=/orders/prod/team/webhook-url",
			"-C|/go/pkg/mod/alarm-relay@v1.2.3|run|./function|-replay-dead-letters|https://sqs.us-east-1.amazonaws.com/123456789012/orders-alerts-ops-dead-letters|param=/orders/prod/ops/webhook-url"}},
		{modulePath, []string{
			"run|./function|-replay-dead-letters|https://sqs.us-east-1.amazonaws.com/123456789012/orders-alerts-team-dead-letters|param=/orders/prod/team/webhook-url",
			"run|./function|-replay-dead-letters|https://sqs.us-east-1.amazonaws.com/123456789012/orders-alerts-ops-dead-letters|param=/orders/prod/ops/webhook-url"}},
	} {
		t.Run(tt.main, func(t *testing.T) {
			saved := mainModule
			mainModule = func() string { return tt.main }
			t.Cleanup(func() { mainModule = saved })
			var first, all string
			_, err := run(t, func(ctx *pulumi.Context) error {
				r, err := New(ctx, "orders-alerts", &Args{APIName: pulumi.String("orders-api"), RelayZip: zip(t),
					Destinations: []Destination{{Name: "team", Webhook: secretOf(hook)}, {Name: "ops", Webhook: secretOf(hook)}}})
				if err != nil {
					return err
				}
				for out, s := range map[*string]pulumi.StringOutput{&first: r.ReplayCommand, &all: r.ReplayCommands} {
					res, err := internals.UnsafeAwaitOutput(ctx.Context(), s)
					if err != nil {
						return err
					}
					*out, _ = res.Value.(string)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(all, "\n")
			if len(lines) != len(tt.want) || lines[0] != first {
				t.Fatalf("ReplayCommands = %q, want %d lines, the first ReplayCommand (%q)", all, len(tt.want), first)
			}
			for i, cmd := range lines {
				c := exec.Command(bash, "-c", `eval "$(printf '%s' "$CMD")"`)
				c.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "CMD=" + cmd}
				out, err := c.CombinedOutput()
				if err != nil || strings.TrimSpace(string(out)) != tt.want[i] {
					t.Errorf("ran %s(%v)\nwant %s\ncommand: %s", out, err, tt.want[i], cmd)
				}
			}
		})
	}
}
