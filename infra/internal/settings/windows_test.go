package settings

import (
	"strings"
	"testing"
	"time"
)

func fixedNow(t *testing.T) {
	t.Helper()
	prev := Now
	Now = func() time.Time { return time.Date(2026, 12, 3, 9, 45, 0, 0, time.UTC) }
	t.Cleanup(func() { Now = prev })
}

const sundayDeployWindow = `{"name":"sunday-deploy","days":["Sun"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul"}`

func TestMaintenanceWindows(t *testing.T) {
	fixedNow(t)
	alarms := `[{"kind":"latency","name":"orders-api latency","apiName":"orders-api","threshold":300},{"kind":"errorRate","name":"orders-api errors","apiName":"orders-api","threshold":5}]`
	windows := `[` + sundayDeployWindow + `,{"name":"migration","start":"2026-12-06T01:00:00+09:00","end":"2026-12-06T03:00:00+09:00","alarms":["orders-api-errors"]}]`
	dests := `[{"name":"team","webhook":"` + slack + `"},{"name":"loud","webhook":"` + slack + `","maintenanceWindows":[]},` +
		`{"name":"own","webhook":"` + slack + `","maintenanceWindows":[{"name":"nightly","days":"Mon, Tue","start":"23:30","durationMinutes":"60","timezone":"Europe/Berlin","alarms":["orders-api latency"]}]}]`
	s := mustLoad(t, base(map[string]string{"webhookUrl": "", "alarms": alarms, "destinations": dests, "maintenanceWindows": windows}), "destinations")
	if len(s.Windows) != 2 {
		t.Fatalf("Windows = %+v", s.Windows)
	}
	got := map[string]string{}
	for _, d := range s.Destinations {
		enc, err := d.Windows.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got[d.Name] = enc
	}
	want := map[string]string{
		"team": `[{"name":"sunday-deploy","days":["Sun"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul"},{"name":"migration","start":"2026-12-06T01:00:00+09:00","end":"2026-12-06T03:00:00+09:00","alarms":["orders-api errors (alarm-relay/dev)"]}]`,
		"loud": ``,
		"own":  `[{"name":"nightly","days":["Mon","Tue"],"start":"23:30","durationMinutes":60,"timezone":"Europe/Berlin","alarms":["orders-api latency (alarm-relay/dev)"]}]`,
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s's windows =\n%s\nwant\n%s", name, got[name], w)
		}
	}

	// The shorthand destination takes the top-level windows.
	s = mustLoad(t, base(map[string]string{"maintenanceWindows": `[` + sundayDeployWindow + `]`}), "webhookUrl")
	if len(s.Destinations[0].Windows) != 1 || s.Destinations[0].Windows[0].Name != "sunday-deploy" {
		t.Errorf("shorthand windows = %+v", s.Destinations[0].Windows)
	}
}

func TestMaintenanceWindowProblems(t *testing.T) {
	fixedNow(t)
	windows := `[{"name":"Sunday Deploy","days":["Sun","Someday"],"start":"2am","durationMinutes":2000,"timezone":"Asia/Seol","alarms":["nope"]},` +
		`{"name":"gap","days":["Sun"],"start":"01:00","durationMinutes":90,"timezone":"Europe/Berlin"},` +
		`{"name":"gap","start":"2026-12-06T01:00:00","end":"2026-12-06","colour":"red"},` +
		`{"name":"x","days":["Sun"],"start":"02:00","durationMinutes":"two hours","timezone":"UTC"},` +
		`"sunday"]`
	problems := problemsOf(t, base(map[string]string{"maintenanceWindows": windows}), "webhookUrl")
	for _, want := range []string{
		`maintenanceWindows[0].alarms[0]: unknown alarm "nope"`,
		`maintenanceWindows[0].name: "Sunday Deploy" must be 1 to 32 lowercase letters`,
		`maintenanceWindows[0].days[1]: "Someday" is not a day: use Sun, Mon, Tue, Wed, Thu, Fri, Sat`,
		`maintenanceWindows[0].start: "2am" is not a time of day`,
		`maintenanceWindows[0].durationMinutes: 2000 must be 5 to 1440`,
		`maintenanceWindows[0].timezone: "Asia/Seol" is not an IANA time zone name`,
		`maintenanceWindows[1].durationMinutes: the window ends at 02:30 Europe/Berlin, a time that does not exist (the clocks jump forward over it) on Sun 2027-03-28`,
		`maintenanceWindows[2].colour: unknown field`,
		`maintenanceWindows[2].start: "2026-12-06T01:00:00" is not an RFC 3339 timestamp`,
		`maintenanceWindows[2].end: "2026-12-06" is not an RFC 3339 timestamp`,
		`maintenanceWindows[2].name: "gap" also names window [1]`,
		`maintenanceWindows[3].durationMinutes: "two hours" is not a whole number`,
		`maintenanceWindows[4]: text is not an object`,
	} {
		hasProblem(t, problems, want)
	}
	// An unreadable field is one problem, not also "must be 5 to 1440".
	for _, p := range problems {
		if strings.HasPrefix(p, "maintenanceWindows[3].durationMinutes: 0 must be") {
			t.Errorf("unreadable durationMinutes reported twice: %s", p)
		}
	}

	hasProblem(t, problemsOf(t, base(map[string]string{"maintenanceWindows": `{"name":"x"}`}), "webhookUrl"), "maintenanceWindows: is an object: must be a list of windows")
	dests := `[{"name":"team","webhook":"` + slack + `","maintenanceWindows":[{"name":"x","days":["Sun"],"start":"02:00","durationMinutes":120}]}]`
	hasProblem(t, problemsOf(t, base(map[string]string{"webhookUrl": "", "destinations": dests}), "destinations"),
		`destinations[0].maintenanceWindows[0].timezone: "" is not an IANA time zone name`)
}

// TestMaintenanceWindowsFitLambdaEnvironment: the windows go into the relay's environment, which
// Lambda limits to 4 KB with every other setting.
func TestMaintenanceWindowsFitLambdaEnvironment(t *testing.T) {
	fixedNow(t)
	var many []string
	for i := range 40 {
		many = append(many, strings.Replace(sundayDeployWindow, "sunday-deploy", "deploy-"+string(rune('a'+i%26))+string(rune('a'+i/26)), 1))
	}
	problems := problemsOf(t, base(map[string]string{"maintenanceWindows": "[" + strings.Join(many, ",") + "]"}), "webhookUrl")
	hasProblem(t, problems, "maintenanceWindows: 40 windows take 4666 bytes of the relay's environment (as Lambda measures it, in JSON), which has 3518 left of Lambda's 4 KB")
	// Lambda measures the variables as JSON: 35 windows are 3431 bytes as written, 4086 in JSON
	// their quotes escaped (with their key), which is more than is left; 29 windows (3390) fit.
	hasProblem(t, problemsOf(t, base(map[string]string{"maintenanceWindows": "[" + strings.Join(many[:35], ",") + "]"}), "webhookUrl"),
		"maintenanceWindows: 35 windows take 4086 bytes of the relay's environment (as Lambda measures it, in JSON), which has 3518 left")
	mustLoad(t, base(map[string]string{"maintenanceWindows": "[" + strings.Join(many[:29], ",") + "]"}), "webhookUrl")
}
