package maintenance

import (
	"strings"
	"testing"
	"time"
)

func mustCompile(t *testing.T, s Spec) Window {
	t.Helper()
	w, problems := Compile(s)
	if len(problems) > 0 {
		t.Fatalf("Compile(%+v): %v", s, problems)
	}
	return w
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sundayDeploy is the example.
var sundayDeploy = Spec{Name: "sunday-deploy", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 120, Timezone: "Asia/Seoul"}

func TestAt(t *testing.T) {
	tests := []struct {
		name      string
		spec      Spec
		t         string
		held      bool
		wantStart string // the occurrence's bounds, when held
		wantEnd   string
	}{
		// Recurring, Asia/Seoul (no DST). 2026-12-06 is a Sunday.
		{"seoul before", sundayDeploy, "2026-12-06T01:59:59+09:00", false, "", ""},
		{"seoul at start", sundayDeploy, "2026-12-06T02:00:00+09:00", true, "2026-12-06T02:00:00+09:00", "2026-12-06T04:00:00+09:00"},
		{"seoul inside", sundayDeploy, "2026-12-06T02:30:00+09:00", true, "2026-12-06T02:00:00+09:00", "2026-12-06T04:00:00+09:00"},
		{"seoul last second", sundayDeploy, "2026-12-06T03:59:59+09:00", true, "2026-12-06T02:00:00+09:00", "2026-12-06T04:00:00+09:00"},
		{"seoul at end", sundayDeploy, "2026-12-06T04:00:00+09:00", false, "", ""},
		{"seoul other day", sundayDeploy, "2026-12-07T02:30:00+09:00", false, "", ""},
		{"seoul same instant from UTC", sundayDeploy, "2026-12-05T17:30:00Z", true, "2026-12-06T02:00:00+09:00", "2026-12-06T04:00:00+09:00"},
		// Midnight-spanning: Fri 23:00 for 3 hours holds Saturday 01:30, not Friday 01:30.
		{"midnight spanning, next day", Spec{Name: "n", Days: []string{"fri"}, Start: "23:00", DurationMinutes: 180, Timezone: "UTC"}, "2026-12-05T01:30:00Z", true, "2026-12-04T23:00:00Z", "2026-12-05T02:00:00Z"},
		{"midnight spanning, same morning", Spec{Name: "n", Days: []string{"Friday"}, Start: "23:00", DurationMinutes: 180, Timezone: "UTC"}, "2026-12-04T01:30:00Z", false, "", ""},
		{"24 hours", Spec{Name: "n", Days: []string{"Mon"}, Start: "00:00", DurationMinutes: 1440, Timezone: "UTC"}, "2026-12-07T23:59:00Z", true, "2026-12-07T00:00:00Z", "2026-12-08T00:00:00Z"},
		// Europe/Berlin: spring forward 2027-03-28 02:00 CET -> 03:00 CEST; back 2026-10-25 03:00 CEST -> 02:00 CET.
		{"berlin start in the gap starts when the clock jumps", Spec{Name: "g", Days: []string{"Sun"}, Start: "02:30", DurationMinutes: 90, Timezone: "Europe/Berlin"},
			"2027-03-28T03:00:00+02:00", true, "2027-03-28T03:00:00+02:00", "2027-03-28T04:00:00+02:00"},
		{"berlin start in the gap: not before the jump", Spec{Name: "g", Days: []string{"Sun"}, Start: "02:30", DurationMinutes: 90, Timezone: "Europe/Berlin"},
			"2027-03-28T01:59:00+01:00", false, "", ""},
		{"berlin wall-clock duration over spring forward is one hour shorter", Spec{Name: "s", Days: []string{"Sun"}, Start: "01:00", DurationMinutes: 180, Timezone: "Europe/Berlin"},
			"2027-03-28T03:59:00+02:00", true, "2027-03-28T01:00:00+01:00", "2027-03-28T04:00:00+02:00"},
		{"berlin start in the repeated hour takes the first", Spec{Name: "r", Days: []string{"Sun"}, Start: "02:30", DurationMinutes: 90, Timezone: "Europe/Berlin"},
			"2026-10-25T02:30:00+02:00", true, "2026-10-25T02:30:00+02:00", "2026-10-25T04:00:00+01:00"},
		{"berlin repeated hour: the second 02:30 is still inside", Spec{Name: "r", Days: []string{"Sun"}, Start: "02:30", DurationMinutes: 90, Timezone: "Europe/Berlin"},
			"2026-10-25T02:30:00+01:00", true, "2026-10-25T02:30:00+02:00", "2026-10-25T04:00:00+01:00"},
		{"berlin fall back lasts an hour longer", Spec{Name: "f", Days: []string{"Sun"}, Start: "01:00", DurationMinutes: 180, Timezone: "Europe/Berlin"},
			"2026-10-25T03:30:00+01:00", true, "2026-10-25T01:00:00+02:00", "2026-10-25T04:00:00+01:00"},
		// America/New_York: spring forward 2027-03-14 02:00 EST -> 03:00 EDT; back 2026-11-01 02:00 EDT -> 01:00 EST.
		{"new york gap start", Spec{Name: "g", Days: []string{"Sun"}, Start: "02:15", DurationMinutes: 60, Timezone: "America/New_York"},
			"2027-03-14T03:00:00-04:00", true, "2027-03-14T03:00:00-04:00", "2027-03-14T03:15:00-04:00"},
		{"new york repeated start", Spec{Name: "r", Days: []string{"Sun"}, Start: "01:30", DurationMinutes: 90, Timezone: "America/New_York"},
			"2026-11-01T01:45:00-05:00", true, "2026-11-01T01:30:00-04:00", "2026-11-01T03:00:00-05:00"},
		// One-off.
		{"one-off inside", Spec{Name: "o", Start: "2026-12-06T01:00:00+09:00", End: "2026-12-06T03:00:00+09:00"}, "2026-12-05T16:00:00Z", true, "2026-12-06T01:00:00+09:00", "2026-12-06T03:00:00+09:00"},
		{"one-off at end", Spec{Name: "o", Start: "2026-12-06T01:00:00+09:00", End: "2026-12-06T03:00:00+09:00"}, "2026-12-06T03:00:00+09:00", false, "", ""},
		{"one-off before", Spec{Name: "o", Start: "2026-12-06T01:00:00+09:00", End: "2026-12-06T03:00:00+09:00"}, "2026-12-06T00:59:00+09:00", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := mustCompile(t, tt.spec)
			o, held := w.At(at(t, tt.t))
			if held != tt.held {
				t.Fatalf("At(%s) held = %v, want %v (occurrence %v)", tt.t, held, tt.held, o)
			}
			if held && (!o.Start.Equal(at(t, tt.wantStart)) || !o.End.Equal(at(t, tt.wantEnd))) {
				t.Errorf("occurrence = [%s, %s), want [%s, %s)", o.Start.Format(time.RFC3339), o.End.Format(time.RFC3339), tt.wantStart, tt.wantEnd)
			}
		})
	}
}

func TestSetOverlapping(t *testing.T) {
	set, problems := CompileAll([]Spec{
		{Name: "a", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 120, Timezone: "UTC", Alarms: []string{"orders"}},
		{Name: "b", Days: []string{"Sun"}, Start: "03:00", DurationMinutes: 120, Timezone: "UTC"},
		{Name: "c", Days: []string{"Sun"}, Start: "04:30", DurationMinutes: 60, Timezone: "UTC"},
	})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	// 2026-12-06 is a Sunday.
	tests := []struct {
		alarm, t, window string
	}{
		{"orders", "2026-12-06T02:10:00Z", "a"},
		{"payments", "2026-12-06T02:10:00Z", ""}, // a holds only orders
		{"payments", "2026-12-06T03:10:00Z", "b"},
		{"orders", "2026-12-06T04:10:00Z", "b"}, // a ended, b still holds
		{"orders", "2026-12-06T05:10:00Z", "c"},
		{"orders", "2026-12-06T05:30:00Z", ""},
	}
	for _, tt := range tests {
		w, _, ok := set.Holding(tt.alarm, at(t, tt.t))
		if got := map[bool]string{true: w.Name}[ok]; got != tt.window {
			t.Errorf("Holding(%s, %s) = %q, want %q", tt.alarm, tt.t, got, tt.window)
		}
	}
	// orders was held without a break from 02:00 (a) through b and c until 05:30.
	c, _ := set.Find("c")
	o, _ := c.LastEnded(at(t, "2026-12-06T05:30:30Z"))
	if since := set.HeldSince("orders", o); !since.Equal(at(t, "2026-12-06T02:00:00Z")) {
		t.Errorf("HeldSince(orders) = %s, want 02:00", since)
	}
	if since := set.HeldSince("payments", o); !since.Equal(at(t, "2026-12-06T03:00:00Z")) {
		t.Errorf("HeldSince(payments) = %s, want 03:00", since)
	}
}

func TestNextAndLastEnded(t *testing.T) {
	w := mustCompile(t, sundayDeploy)
	now := at(t, "2026-12-03T10:00:00Z") // a Thursday
	next, ok := w.Next(now)
	if !ok || !next.Start.Equal(at(t, "2026-12-06T02:00:00+09:00")) {
		t.Errorf("Next = %v, %v", next, ok)
	}
	if next, _ := w.Next(at(t, "2026-12-06T02:00:00+09:00")); !next.Start.Equal(at(t, "2026-12-06T02:00:00+09:00")) {
		t.Errorf("Next at a start is that start, got %v", next.Start)
	}
	if next, _ := w.Next(at(t, "2026-12-06T02:01:00+09:00")); !next.Start.Equal(at(t, "2026-12-13T02:00:00+09:00")) {
		t.Errorf("Next after a start is the next week's, got %v", next.Start)
	}
	last, ok := w.LastEnded(at(t, "2026-12-06T04:00:30+09:00"))
	if !ok || !last.End.Equal(at(t, "2026-12-06T04:00:00+09:00")) {
		t.Errorf("LastEnded = %v, %v", last, ok)
	}
	last, _ = w.LastEnded(at(t, "2026-12-06T03:59:00+09:00"))
	if !last.End.Equal(at(t, "2026-11-29T04:00:00+09:00")) {
		t.Errorf("LastEnded inside a window is the previous week's, got %v", last.End)
	}
}

func TestEndSchedule(t *testing.T) {
	tests := []struct {
		spec     Spec
		expr, tz string
	}{
		{sundayDeploy, "cron(0 4 ? * SUN *)", "Asia/Seoul"},
		{Spec{Name: "n", Days: []string{"Fri", "Sat"}, Start: "23:30", DurationMinutes: 45, Timezone: "Europe/Berlin"}, "cron(15 0 ? * SUN,SAT *)", "Europe/Berlin"},
		{Spec{Name: "n", Days: []string{"Mon"}, Start: "00:00", DurationMinutes: 1440, Timezone: "UTC"}, "cron(0 0 ? * TUE *)", "UTC"},
		{Spec{Name: "n", Days: []string{"Sat"}, Start: "22:00", DurationMinutes: 120, Timezone: "UTC"}, "cron(0 0 ? * SUN *)", "UTC"},
		{Spec{Name: "o", Start: "2026-12-06T01:00:00+09:00", End: "2026-12-06T03:10:00+09:00"}, "at(2026-12-05T18:10:00)", "UTC"},
	}
	for _, tt := range tests {
		expr, tz := mustCompile(t, tt.spec).EndSchedule()
		if expr != tt.expr || tz != tt.tz {
			t.Errorf("%+v: EndSchedule = %s %s, want %s %s", tt.spec, expr, tz, tt.expr, tt.tz)
		}
	}
}

func TestCheckProblems(t *testing.T) {
	from := at(t, "2026-12-03T00:00:00Z")
	tests := []struct {
		name string
		spec Spec
		want []string // "field: part of the message"
	}{
		{"every problem at once", Spec{Name: "Bad Name", Days: []string{"Sun", "Funday", "sunday"}, Start: "2:00", DurationMinutes: 4, Timezone: "Mars/Olympus"},
			[]string{"name: \"Bad Name\"", "days[1]: \"Funday\" is not a day", "days[2]: \"sunday\" is listed twice", "start: \"2:00\" is not a time of day", "durationMinutes: 4 must be 5 to 1440", "timezone: \"Mars/Olympus\""}},
		{"too long", Spec{Name: "x", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 1441, Timezone: "UTC"}, []string{"durationMinutes: 1441"}},
		{"local refused", Spec{Name: "x", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 60, Timezone: "Local"}, []string{"timezone: \"Local\""}},
		{"no days", Spec{Name: "x", Start: "02:00", DurationMinutes: 60, Timezone: "UTC"}, []string{"days: not set"}},
		{"24:00", Spec{Name: "x", Days: []string{"Sun"}, Start: "24:00", DurationMinutes: 60, Timezone: "UTC"}, []string{"start: \"24:00\""}},
		{"mixed", Spec{Name: "x", Days: []string{"Sun"}, Start: "02:00", End: "2026-12-06T03:00:00Z", DurationMinutes: 60, Timezone: "UTC"}, []string{"end: a window is recurring"}},
		{"nothing", Spec{Name: "x"}, []string{"start: not set"}},
		{"one-off without end", Spec{Name: "x", Start: "2026-12-06T01:00:00+09:00"}, []string{"end: not set"}},
		{"one-off without offset", Spec{Name: "x", Start: "2026-12-06T01:00:00", End: "2026-12-06T02:00:00+09:00"}, []string{"start: \"2026-12-06T01:00:00\" is not an RFC 3339"}},
		{"one-off seconds", Spec{Name: "x", Start: "2026-12-06T01:00:30+09:00", End: "2026-12-06T02:00:00+09:00"}, []string{"start: \"2026-12-06T01:00:30+09:00\": windows are exact to the minute"}},
		{"one-off backwards", Spec{Name: "x", Start: "2026-12-06T03:00:00+09:00", End: "2026-12-06T02:00:00+09:00"}, []string{"end: -1h0m0s after start"}},
		{"one-off too long", Spec{Name: "x", Start: "2026-12-06T00:00:00Z", End: "2026-12-07T00:01:00Z"}, []string{"end: 24h1m0s after start"}},
		{"empty alarm", Spec{Name: "x", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 60, Timezone: "UTC", Alarms: []string{"a", " "}}, []string{"alarms[1]: is empty"}},
		{"berlin end in the gap", Spec{Name: "x", Days: []string{"Sun"}, Start: "01:00", DurationMinutes: 90, Timezone: "Europe/Berlin"},
			[]string{"durationMinutes: the window ends at 02:30 Europe/Berlin, a time that does not exist (the clocks jump forward over it) on Sun 2027-03-28"}},
		{"berlin end in the gap and the repeat: the first day is named", Spec{Name: "x", Days: []string{"Sat"}, Start: "23:00", DurationMinutes: 210, Timezone: "Europe/Berlin"},
			[]string{"durationMinutes: the window ends at 02:30 Europe/Berlin, a time that does not exist (the clocks jump forward over it) on Sun 2027-03-28"}},
		{"new york end repeated", Spec{Name: "x", Days: []string{"Sun"}, Start: "00:00", DurationMinutes: 90, Timezone: "America/New_York"},
			[]string{"happens twice (the clocks go back over it) on Sun 2027-11-07"}},
		{"seoul never ambiguous", Spec{Name: "x", Days: []string{"Sun"}, Start: "01:00", DurationMinutes: 90, Timezone: "Asia/Seoul"}, nil},
		{"berlin end on a weekday is fine", Spec{Name: "x", Days: []string{"Mon"}, Start: "01:00", DurationMinutes: 90, Timezone: "Europe/Berlin"}, nil},
		{"berlin start in the gap is fine", Spec{Name: "x", Days: []string{"Sun"}, Start: "02:30", DurationMinutes: 90, Timezone: "Europe/Berlin"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := Check(tt.spec, from)
			var got []string
			for _, p := range problems {
				got = append(got, p.Error())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d: %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) && !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestCheckAllNamesAndDuplicates(t *testing.T) {
	_, problems := CheckAll([]Spec{sundayDeploy, {Name: "x", Days: []string{"Sun"}, Start: "02:00", DurationMinutes: 1, Timezone: "UTC"}, sundayDeploy}, time.Now())
	var got []string
	for _, p := range problems {
		got = append(got, p.Error())
	}
	want := []string{"[1].durationMinutes: 1 must be 5 to 1440 (5 minutes to 24 hours)", "[2].name: \"sunday-deploy\" also names window [0]: each window needs its own name"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEncodeDecode(t *testing.T) {
	set, problems := CompileAll([]Spec{
		{Name: " sunday-deploy ", Days: []string{"sunday", "WED"}, Start: "02:00", DurationMinutes: 120, Timezone: "Asia/Seoul", Alarms: []string{"orders-api latency (alarm-relay/dev)"}},
		{Name: "migration", Start: "2026-12-06T01:00:00+09:00", End: "2026-12-06T03:00:00+09:00"},
	})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	raw, err := set.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"name":"sunday-deploy","days":["Sun","Wed"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul","alarms":["orders-api latency (alarm-relay/dev)"]},{"name":"migration","start":"2026-12-06T01:00:00+09:00","end":"2026-12-06T03:00:00+09:00"}]`
	if raw != want {
		t.Errorf("Encode =\n%s\nwant\n%s", raw, want)
	}
	back, err := Decode(raw)
	if err != nil || len(back) != 2 || back[0].Name != "sunday-deploy" || !back[1].to.Equal(at(t, "2026-12-06T03:00:00+09:00")) {
		t.Errorf("Decode = %+v, %v", back, err)
	}
	for _, bad := range []string{`{}`, `[{"name":"x","dayz":["Sun"]}]`, `[{"name":"x","days":["Sun"],"start":"02:00","durationMinutes":2,"timezone":"UTC"}]`} {
		if _, err := Decode(bad); err == nil || !strings.Contains(err.Error(), EnvWindows) {
			t.Errorf("Decode(%s) = %v, want an error naming %s", bad, err, EnvWindows)
		}
	}
	if set, err := Decode(" "); err != nil || set != nil {
		t.Errorf("Decode(blank) = %v, %v", set, err)
	}
}

func TestEndEvent(t *testing.T) {
	arn := "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:orders-api latency (alarm-relay/dev)"
	in, err := EndInput("sunday-deploy", []string{arn})
	if err != nil {
		t.Fatal(err)
	}
	ev, ok, err := ParseEndEvent([]byte(in))
	if !ok || err != nil || ev.Window != "sunday-deploy" || len(ev.AlarmARNs) != 1 {
		t.Fatalf("ParseEndEvent(%s) = %+v %v %v", in, ev, ok, err)
	}
	for raw, wantErr := range map[string]string{
		`{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["x"]}`: "", // another event
		`{"Records":[]}`: "",
		`{"alarmRelay":"windowEnd","window":"","alarmArns":["` + arn + `"]}`:  "window is empty",
		`{"alarmRelay":"windowEnd","window":"w","alarmArns":[]}`:              "alarmArns is empty",
		`{"alarmRelay":"windowEnd","window":"w","alarmArns":["nope"]}`:        "not a CloudWatch alarm ARN",
		`{"alarmRelay":"windowEnd","window":"w","alarmArns":["x"],"extra":1}`: "unknown field",
	} {
		_, ok, err := ParseEndEvent([]byte(raw))
		if wantErr == "" {
			if ok || err != nil {
				t.Errorf("ParseEndEvent(%s) = %v, %v; want not a window event", raw, ok, err)
			}
			continue
		}
		if !ok || err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseEndEvent(%s) = %v, %v; want %q", raw, ok, err, wantErr)
		}
	}
	if _, err := EndInput("w", nil); err == nil {
		t.Error("EndInput without alarms: want an error")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`[{"name":"sunday-deploy","days":["Sun"],"start":"02:00","durationMinutes":120,"timezone":"Asia/Seoul"}]`)
	f.Add(`[{"name":"o","start":"2026-12-06T01:00:00+09:00","end":"2026-12-06T03:00:00+09:00"}]`)
	f.Fuzz(func(t *testing.T, raw string) {
		set, err := Decode(raw)
		if err != nil {
			return
		}
		now := time.Date(2026, 12, 6, 2, 30, 0, 0, time.UTC)
		for _, w := range set {
			if o, ok := w.At(now); ok && !o.Contains(now) {
				t.Errorf("At returned an occurrence %v that does not contain %v", o, now)
			}
			w.EndSchedule()
			w.Next(now)
			w.LastEnded(now)
		}
	})
}
