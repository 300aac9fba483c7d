package settings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// botToken is a well-formed bot token; "SECRET" in it lets problemsOf catch a token in a message.
const botToken = "xoxb-test-settings-SECRETabcdefgh"

// slackAppEntry is a destinations entry of a Slack app, with fields added or replaced.
func slackAppEntry(fields map[string]any) string {
	e := map[string]any{"name": "oncall", "slackToken": botToken, "slackChannel": "C0123ABCDEF"}
	for k, v := range fields {
		if v == nil {
			delete(e, k)
		} else {
			e[k] = v
		}
	}
	out, _ := json.Marshal(e)
	return string(out)
}

func destinationsOf(entries ...string) map[string]string {
	return base(map[string]string{"webhookUrl": "", "destinations": "[" + strings.Join(entries, ",") + "]"})
}

func TestSlackAppDestinations(t *testing.T) {
	hook := `{"name":"team","webhook":"` + slack + `"}`
	t.Run("beside a webhook", func(t *testing.T) {
		s := mustLoad(t, destinationsOf(hook, slackAppEntry(nil)), "destinations")
		if len(s.Destinations) != 2 || !s.SlackApps() {
			t.Fatalf("destinations %+v", s.Destinations)
		}
		team, oncall := s.Destinations[0], s.Destinations[1]
		expectEq(t, "team messenger", team.Messenger, "auto")
		expectEq(t, "team is a Slack app", team.SlackApp(), false)
		expectEq(t, "oncall messenger", oncall.Messenger, "slack-app")
		expectEq(t, "oncall channel", oncall.SlackChannel, "C0123ABCDEF")
		expectEq(t, "oncall reminders", oncall.RemindEveryMinutes, 0)
		token := await(t, oncall.SlackToken)
		if !token.Secret || token.Value != botToken {
			t.Errorf("slack token = %+v, want the token as a secret", token)
		}
		if oncall.Webhook.OutputState != nil {
			t.Error("a Slack app destination carries a webhook")
		}
	})
	for _, messenger := range []string{"slack-app", "Slack-App", "auto"} {
		t.Run("messenger "+messenger, func(t *testing.T) {
			s := mustLoad(t, destinationsOf(slackAppEntry(map[string]any{"messenger": messenger})), "destinations")
			expectEq(t, "messenger", s.Destinations[0].Messenger, "slack-app")
		})
	}
	t.Run("no Slack app, no table", func(t *testing.T) {
		expectEq(t, "SlackApps", mustLoad(t, destinationsOf(hook), "destinations").SlackApps(), false)
		expectEq(t, "SlackApps", mustLoad(t, base(nil), "webhookUrl").SlackApps(), false)
	})
	expectEq(t, "table name", StateTableName(project, "dev"), "alarm-relay-dev-incidents")
	expectEq(t, "table name of a stack with a dot", StateTableName(project, "dev.eu"), "alarm-relay-dev-eu-"+ShortHash(project, "dev.eu", "")+"-incidents")
}

func TestSlackAppProblems(t *testing.T) {
	hook := `{"name":"team","webhook":"` + slack + `"}`
	tests := []struct {
		name   string
		cfg    map[string]string
		secret []string
		want   []string
	}{
		{"webhook and token", destinationsOf(slackAppEntry(map[string]any{"webhook": slack})), []string{"destinations"},
			[]string{"destinations[0].slackToken: set webhook or slackToken, not both"}},
		{"slack-app with a webhook", destinationsOf(`{"name":"a","messenger":"slack-app","webhook":"` + slack + `"}`), []string{"destinations"},
			[]string{"destinations[0].messenger: slack-app posts with a bot token (slackToken), not to a webhook"}},
		{"slack-app without a token", destinationsOf(`{"name":"a","messenger":"slack-app","slackChannel":"C0123ABCDEF"}`), []string{"destinations"},
			[]string{"destinations[0].slackToken: not set: pulumi config set --secret --path 'destinations[0].slackToken' xoxb-"}},
		{"a webhook messenger with a token", destinationsOf(slackAppEntry(map[string]any{"messenger": "slack"})), []string{"destinations"},
			[]string{"destinations[0].messenger: slack posts to a webhook; a destination with slackToken is a Slack app"}},
		{"token in plain text", destinationsOf(slackAppEntry(nil)), nil,
			[]string{"destinations[0].slackToken: is stored in plain text: set it again with pulumi config set --secret --path 'destinations[0].slackToken'"}},
		{"a user token", destinationsOf(slackAppEntry(map[string]any{"slackToken": "xoxp-1234-SECRET"})), []string{"destinations"},
			[]string{`destinations[0].slackToken: must be a bot token starting with xoxb- (it is a "xoxp-" token; value not shown`}},
		{"a webhook as token", destinationsOf(slackAppEntry(map[string]any{"slackToken": slack})), []string{"destinations"},
			[]string{"destinations[0].slackToken: must be a bot token starting with xoxb- (the value does not"}},
		{"token too long", destinationsOf(slackAppEntry(map[string]any{"slackToken": "xoxb-SECRET" + strings.Repeat("a", 250)})), []string{"destinations"},
			[]string{"destinations[0].slackToken: is 261 characters long"}},
		{"token with a space", destinationsOf(slackAppEntry(map[string]any{"slackToken": "xoxb-12 SECRET"})), []string{"destinations"},
			[]string{"destinations[0].slackToken: has an unexpected character at position 8"}},
		{"token not text", destinationsOf(slackAppEntry(map[string]any{"slackToken": []string{"xoxb-SECRET"}})), []string{"destinations"},
			[]string{"destinations[0].slackToken: the value (not shown: it is a secret) is a list: write text"}},
		{"empty token", destinationsOf(slackAppEntry(map[string]any{"slackToken": " "})), []string{"destinations"},
			[]string{"destinations[0].slackToken: not set"}},
		{"no channel", destinationsOf(slackAppEntry(map[string]any{"slackChannel": nil})), []string{"destinations"},
			[]string{"destinations[0].slackChannel: not set: pulumi config set --path 'destinations[0].slackChannel' C0123ABCDEF"}},
		{"channel name", destinationsOf(slackAppEntry(map[string]any{"slackChannel": "#alerts"})), []string{"destinations"},
			[]string{`destinations[0].slackChannel: "#alerts" looks like a channel name; use the channel's id (C…)`}},
		{"token and channel swapped", destinationsOf(slackAppEntry(map[string]any{"slackToken": "C0123ABCDEF", "slackChannel": botToken})), []string{"destinations"},
			[]string{"destinations[0].slackChannel: looks like a Slack token or a URL (value not shown: it may be a secret): a bot token belongs in slackToken"}},
		{"direct message", destinationsOf(slackAppEntry(map[string]any{"slackChannel": "D0123ABCDEF"})), []string{"destinations"},
			[]string{`destinations[0].slackChannel: "D0123ABCDEF" is not a channel id`}},
		{"channel on a webhook", destinationsOf(`{"name":"team","webhook":"` + slack + `","slackChannel":"C0123ABCDEF"}`), []string{"destinations"},
			[]string{"destinations[0].slackChannel: is for Slack app destinations (with slackToken)"}},
		{"misspelt field", destinationsOf(slackAppEntry(map[string]any{"slackChanel": "C0123ABCDEF"})), []string{"destinations"},
			[]string{"destinations[0].slackChanel: unknown field (did you mean slackChannel?)"}},
		{"top-level messenger", base(map[string]string{"messenger": "slack-app"}), []string{"webhookUrl"},
			[]string{"messenger: slack-app is a destination's messenger: configure destinations with slackToken and slackChannel (see docs/slack-app.md)"}},
		{"second entry only", destinationsOf(hook, slackAppEntry(map[string]any{"name": "oncall", "slackChannel": "general"})), []string{"destinations"},
			[]string{`destinations[1].slackChannel: "general" looks like a channel name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.cfg, tt.secret...)
			for _, want := range tt.want {
				hasProblem(t, problems, want)
			}
			for _, p := range problems {
				if strings.HasPrefix(p, "destinations[0].webhook:") {
					t.Errorf("a Slack app is asked for a webhook: %s", p)
				}
				if strings.Contains(p, "xoxb-") && !strings.Contains(p, "starting with xoxb-") && !strings.Contains(p, "' xoxb-...") {
					t.Errorf("a problem shows a token: %s", p)
				}
			}
		})
	}
}

func TestRemindEveryMinutes(t *testing.T) {
	hook := `{"name":"team","webhook":"` + slack + `"}`
	t.Run("top level, inherited and overridden", func(t *testing.T) {
		cfg := destinationsOf(hook, slackAppEntry(map[string]any{"remindEveryMinutes": 0}), slackAppEntry(map[string]any{"name": "leads", "remindEveryMinutes": "1440"}))
		cfg["remindEveryMinutes"] = "60"
		s := mustLoad(t, cfg, "destinations")
		expectEq(t, "top level", s.RemindEveryMinutes, 60)
		for i, want := range []int{60, 0, 1440} {
			expectEq(t, s.Destinations[i].Name, s.Destinations[i].RemindEveryMinutes, want)
		}
	})
	t.Run("the webhookUrl destination", func(t *testing.T) {
		s := mustLoad(t, base(map[string]string{"remindEveryMinutes": "5"}), "webhookUrl")
		expectEq(t, "reminders", s.Destinations[0].RemindEveryMinutes, 5)
	})
	t.Run("off by default", func(t *testing.T) {
		expectEq(t, "reminders", mustLoad(t, base(nil), "webhookUrl").Destinations[0].RemindEveryMinutes, 0)
	})
	for _, tt := range []struct {
		top, entry any
		want       string
	}{
		{"4", nil, "remindEveryMinutes: 4 must be 0 (no reminders) or 5 to 1440 minutes"},
		{"1441", nil, "remindEveryMinutes: 1441 must be 0 (no reminders) or 5 to 1440 minutes"},
		{"-5", nil, "remindEveryMinutes: -5 must be 0"},
		{"hourly", nil, `remindEveryMinutes: "hourly" is not a whole number`},
		{nil, 1, "destinations[0].remindEveryMinutes: 1 must be 0 (no reminders) or 5 to 1440 minutes"},
		{nil, 10080, "destinations[0].remindEveryMinutes: 10080 must be 0"},
		{nil, "1h", `destinations[0].remindEveryMinutes: "1h" is not a whole number: write minutes such as 60, or 0 for no reminders`},
		{nil, 2.5, "destinations[0].remindEveryMinutes: 2.5 is not a whole number"},
	} {
		t.Run("invalid "+tt.want, func(t *testing.T) {
			cfg := destinationsOf(slackAppEntry(map[string]any{"remindEveryMinutes": tt.entry}))
			if tt.top != nil {
				cfg["remindEveryMinutes"] = tt.top.(string)
			}
			hasProblem(t, problemsOf(t, cfg, "destinations"), tt.want)
		})
	}
}

// TestReminderLimits: a destination's reminders list its alarms' ARNs in the schedule's input
// (8 KB) and in its role policy (10,240 characters); too many alarms is a problem at preview.
func TestReminderLimits(t *testing.T) {
	alarms, ids := manyAlarms(120)
	refs, _ := json.Marshal(ids[:40])
	cfg := func(top string, entry map[string]any) map[string]string {
		c := destinationsOf(slackAppEntry(entry))
		c["alarms"] = alarms
		if top != "" {
			c["remindEveryMinutes"] = top
		}
		return c
	}
	hasProblem(t, problemsOf(t, cfg("60", nil), "destinations"),
		"remindEveryMinutes: destination oncall's reminders list 120 alarms, about 11")
	hasProblem(t, problemsOf(t, cfg("", map[string]any{"remindEveryMinutes": 30}), "destinations"),
		"destinations[0].remindEveryMinutes: destination oncall's reminders list 120 alarms")
	mustLoad(t, cfg("", nil), "destinations")                                                    // no reminders: no limit
	mustLoad(t, cfg("60", map[string]any{"alarms": json.RawMessage(refs)}), "destinations")      // 40 alarms fit
	long, _ := manyAlarms(60)                                                                    // the role policy binds first
	korean := strings.ReplaceAll(long, `"name":"jobs `, `"name":"`+strings.Repeat("작업", 20)+` `) // 120 more bytes a name
	c := base(map[string]string{"alarms": korean, "remindEveryMinutes": "60"})
	hasProblem(t, problemsOf(t, c, "webhookUrl"), "remindEveryMinutes: the webhookUrl destination's reminders list 60 alarms")
	// The policy writes each * of a name as ${*}: 30 of them make a name 90 characters longer there.
	starred := strings.ReplaceAll(long, `"name":"jobs `, `"name":"`+strings.Repeat("*", 30)+` `)
	c = base(map[string]string{"alarms": starred, "remindEveryMinutes": "60"})
	hasProblem(t, problemsOf(t, c, "webhookUrl"), "remindEveryMinutes: the webhookUrl destination's reminders list 60 alarms, about 1")
}

type awaitedOutput struct {
	Value  string
	Secret bool
}

func await(t *testing.T, out pulumi.StringOutput) awaitedOutput {
	t.Helper()
	var got awaitedOutput
	if err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		res, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
		got.Value, _ = res.Value.(string)
		got.Secret = res.Secret
		return err
	}, pulumi.WithMocks(project, "dev", noResources{})); err != nil {
		t.Fatal(err)
	}
	return got
}

func expectEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
