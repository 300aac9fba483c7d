package maintenance

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scheduler plays EventBridge Scheduler from the expression alone, as its documentation
// describes it: a cron time in the schedule's zone fires once on each matching day; a time that
// does not exist that day (spring forward) is skipped; a time that happens twice (fall back)
// fires once — which of the two is not documented, so the simulation fails on one: Check
// refuses windows whose end could be either.
func scheduler(t *testing.T, expr, tz string, from, to time.Time) []time.Time {
	t.Helper()
	if m := regexp.MustCompile(`^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$`).FindStringSubmatch(expr); m != nil {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
		if err != nil {
			t.Fatal(err)
		}
		if !at.Before(from) && at.Before(to) {
			return []time.Time{at}
		}
		return nil
	}
	m := regexp.MustCompile(`^cron\((\d+) (\d+) \? \* ([A-Z,]+) \*\)$`).FindStringSubmatch(expr)
	if m == nil {
		t.Fatalf("expression %q is not one this test understands", expr)
	}
	minute, _ := strconv.Atoi(m[1])
	hour, _ := strconv.Atoi(m[2])
	days := map[string]bool{}
	for _, d := range strings.Split(m[3], ",") {
		days[d] = true
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	var fires []time.Time
	for day := from.In(loc).AddDate(0, 0, -1); day.Before(to.AddDate(0, 0, 1)); day = day.AddDate(0, 0, 1) {
		if !days[strings.ToUpper(day.Weekday().String()[:3])] {
			continue
		}
		// Every instant of the day whose wall clock shows hour:minute.
		// Every instant of the day whose wall clock shows hour:minute: the wall time read with
		// each UTC offset the zone has during that day, kept where the zone agrees.
		var hits []time.Time
		y, mo, d := day.Date()
		naive := time.Date(y, mo, d, hour, minute, 0, 0, time.UTC)
		for _, h := range []int{-26, -13, -6, 0, 6, 13, 26} { // a zone changes its offset at most once a day
			_, off := naive.Add(time.Duration(h) * time.Hour).In(loc).Zone()
			probe := naive.Add(-time.Duration(off) * time.Second)
			l := probe.In(loc)
			dup := len(hits) > 0 && hits[len(hits)-1].Equal(probe)
			for _, hit := range hits {
				dup = dup || hit.Equal(probe)
			}
			if !dup && l.Year() == y && l.Month() == mo && l.Day() == d && l.Hour() == hour && l.Minute() == minute {
				hits = append(hits, probe)
			}
		}
		switch len(hits) {
		case 0: // skipped in a gap
		case 1:
			if !hits[0].Before(from) && hits[0].Before(to) {
				fires = append(fires, hits[0])
			}
		default:
			t.Fatalf("%s in %s: %02d:%02d happens twice on %s; the scheduler's choice is undocumented", expr, tz, hour, minute, day.Format("2006-01-02"))
		}
	}
	return fires
}

// relayEnds are the ends of every occurrence the relay sees in [from, to), found by walking Next.
func relayEnds(w Window, from, to time.Time) []time.Time {
	var ends []time.Time
	seen := map[time.Time]bool{}
	for t := from.AddDate(0, 0, -2); t.Before(to); {
		o, ok := w.Next(t)
		if !ok {
			break
		}
		if !o.End.Before(from) && o.End.Before(to) && !seen[o.End] {
			ends = append(ends, o.End)
			seen[o.End] = true
		}
		t = o.Start.Add(time.Minute)
	}
	return ends
}

// TestScheduleMatchesRelay holds the two sides against each other over a year of windows across
// daylight-saving changes: the schedule the stack creates (EndSchedule, played by scheduler)
// fires exactly at the end of every occurrence the relay holds, and at no other time; just
// before each firing the relay holds, at the firing it does not, and the window-end event at
// the firing (or a minute later) finds that occurrence.
func TestScheduleMatchesRelay(t *testing.T) {
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Seoul"}
	var specs []Spec
	for _, zone := range zones {
		for _, start := range []string{"00:00", "01:30", "02:00", "02:30", "03:00", "22:45", "23:30"} {
			for _, minutes := range []int{5, 30, 60, 120, 150, 600, 1440} {
				specs = append(specs, Spec{Name: "w", Days: []string{"Sun"}, Start: start, DurationMinutes: minutes, Timezone: zone})
				specs = append(specs, Spec{Name: "w", Days: []string{"Sat", "Sun", "Mon"}, Start: start, DurationMinutes: minutes, Timezone: zone})
			}
		}
	}
	specs = append(specs,
		Spec{Name: "o", Start: "2027-03-28T01:00:00+01:00", End: "2027-03-28T04:00:00+02:00"},
		Spec{Name: "o", Start: "2026-11-01T00:30:00-04:00", End: "2026-11-01T01:30:00-05:00"},
	)
	checked, refused := 0, 0
	for _, s := range specs {
		w, problems := Check(s, from)
		if len(problems) > 0 {
			refused++
			continue
		}
		checked++
		name := fmt.Sprintf("%s %v %s+%d", s.Timezone, s.Days, s.Start, s.DurationMinutes)
		expr, tz := w.EndSchedule()
		fires := scheduler(t, expr, tz, from, to)
		ends := relayEnds(w, from, to)
		if len(fires) != len(ends) {
			t.Errorf("%s: the schedule %s fires %d times in the year, the relay's window ends %d times", name, expr, len(fires), len(ends))
			continue
		}
		for i := range fires {
			if !fires[i].Equal(ends[i]) {
				t.Errorf("%s: firing %d at %s, the relay's end at %s", name, i, fires[i].In(w.Location()), ends[i].In(w.Location()))
				break
			}
			f := fires[i]
			// A window wholly inside the hour a spring-forward skips is empty that day.
			if o, _ := w.LastEnded(f); o.Start.Equal(o.End) {
				continue
			}
			if _, held := w.At(f.Add(-time.Second)); !held {
				t.Errorf("%s: not held a second before the end at %s", name, f.In(w.Location()))
			}
			for _, late := range []time.Duration{0, 59 * time.Second} {
				if o, held := w.At(f.Add(late)); held && o.End.Equal(f) {
					t.Errorf("%s: still held %s after the end at %s", name, late, f.In(w.Location()))
				}
				if o, ok := w.LastEnded(f.Add(late)); !ok || !o.End.Equal(f) {
					t.Errorf("%s: the end event at %s+%s finds %v", name, f.In(w.Location()), late, o)
				}
			}
		}
	}
	// Both kinds occur: windows that pass (most) and windows refused for an ambiguous end.
	if checked < 200 || refused == 0 {
		t.Errorf("checked %d windows, refused %d: the table no longer covers both", checked, refused)
	}
	t.Logf("%d windows held against their schedules over a year; %d refused for an end in a DST gap or repeat", checked, refused)
}
