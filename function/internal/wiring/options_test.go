package wiring

import (
	"testing"

	"github.com/alarm-relay/alarm-relay/function/internal/render"
	"github.com/alarm-relay/alarm-relay/internal/relayconfig"
)

// TestRenderOptionsAreTheParsedValues: the options are relayconfig's typed values, and a
// configuration with problems gives none, naming each problem after its flag or variable.
func TestRenderOptionsAreTheParsedValues(t *testing.T) {
	env := map[string]string{relayconfig.EnvTimezone: "Asia/Seoul", relayconfig.EnvLanguage: "ko", relayconfig.EnvMentions: "@here"}
	o, err := renderOptions(FromEnv(func(k string) string { return env[k] }))
	if err != nil || o.Location.String() != "Asia/Seoul" || o.Language != render.Korean || len(o.Mentions) != 1 || o.Mentions[0].Slack != "<!here>" {
		t.Errorf("renderOptions = %+v, %v", o, err)
	}
	env[relayconfig.EnvLanguage] = "jp"
	s := FromEnv(func(k string) string { return env[k] })
	s.Flagged = map[string]string{relayconfig.EnvLanguage: "-language"}
	if o, err := renderOptions(s); err == nil || err.Error() != `-language: unknown language "jp": use en or ko` || o.Location != nil {
		t.Errorf("with a bad language: %+v, %v", o, err)
	}
}
