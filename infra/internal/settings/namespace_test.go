package settings

import "testing"

// TestKeysOfAnotherProject: a stack whose project is not named alarm-relay (pulumi new names it
// after its directory) and whose stack file was copied from the docs holds alarm-relay:alarms,
// which the program never reads: its alarms were silently the single default. A key of another
// namespace that is one of the program's keys is refused with the key the program reads.
func TestKeysOfAnotherProject(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]string
		want   string // "" for accepted
	}{
		{"a known key", base(map[string]string{"orders-alarms:latencyThresholdMs": "500"}),
			"orders-alarms:latencyThresholdMs: the program reads the keys of this project, alarm-relay, and ignores this one: set it as latencyThresholdMs (pulumi config set latencyThresholdMs ..., or alarm-relay:latencyThresholdMs in Pulumi.dev.yaml) and remove it (pulumi config rm orders-alarms:latencyThresholdMs)"},
		{"a structured key", base(map[string]string{"orders-alarms:alarms": `[{"kind":"errorRate"}]`}),
			"orders-alarms:alarms: the program reads the keys of this project, alarm-relay, and ignores this one"},
		{"a path set without --path", base(map[string]string{"orders-alarms:destinations[0].name": "team"}),
			"orders-alarms:destinations[0].name: the program reads the keys of this project, alarm-relay, and ignores this one"},
		{"a misspelt namespace", base(map[string]string{"alarm_relay:timezone": "Asia/Seoul"}),
			"alarm_relay:timezone: the program reads the keys of this project, alarm-relay, and ignores this one"},
		{"the provider's keys", base(map[string]string{"aws:profile": "ops", "aws:skipRegionValidation": "true"}), ""},
		{"pulumi's", base(map[string]string{"pulumi:tags": `{"team":"ops"}`}), ""},
		{"another namespace's own key", base(map[string]string{"orders-alarms:owner": "ops"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				mustLoad(t, tt.config, "webhookUrl")
				return
			}
			hasProblem(t, problemsOf(t, tt.config, "webhookUrl"), tt.want)
		})
	}
}
