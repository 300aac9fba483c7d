package settings

import (
	"strings"
	"testing"
)

// TestSecretValuesNeverShown: a key stored with --secret is a secret whatever the key. A webhook
// set on the wrong key (pulumi config set --secret timezone https://hooks...) was printed by that
// key's check; an e-mail address kept secret was printed by alertEmail's.
func TestSecretValuesNeverShown(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0/B0/XYZsecret"
	tests := []struct {
		name   string
		config map[string]string
		secret []string
		want   string
	}{
		{"webhook on timezone", base(map[string]string{"timezone": hook}), []string{"webhookUrl", "timezone"},
			"timezone: the value (a secret, not shown) is not an IANA time zone name"},
		{"secret e-mail", base(map[string]string{"alertEmail": "Ops Team <ops@example.com>"}), []string{"webhookUrl", "alertEmail"},
			"alertEmail: the value (a secret, not shown) is not a plain e-mail address"},
		{"short secret", base(map[string]string{"memoryMb": "64"}), []string{"webhookUrl", "memoryMb"},
			"memoryMb: the value (a secret, not shown) must be between 128 and 10240"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.config, tt.secret...)
			hasProblem(t, problems, tt.want)
			for _, p := range problems {
				for _, v := range []string{hook, "ops@example.com", " 64 "} {
					if strings.Contains(p, v) {
						t.Errorf("a secret is shown: %s", p)
					}
				}
			}
		})
	}
	// A key that is not secret still shows its value.
	hasProblem(t, problemsOf(t, base(map[string]string{"timezone": "Asia/Seol"}), "webhookUrl"), `timezone: "Asia/Seol" is not an IANA time zone name`)
}
