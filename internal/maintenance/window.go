// Package maintenance is the one definition of a maintenance window, shared by the stack (which
// validates the configuration and creates a schedule for each window's end) and the relay (which
// holds notifications inside a window and sums them up when the schedule says it ended). It is
// pure: the clock is always a parameter, and it imports nothing beyond the standard library.
//
// A window is recurring (days of the week, a start "HH:MM", a duration in minutes, an IANA time
// zone) or one-off (start and end as RFC 3339 timestamps). Times are exact to the minute.
//
// The rules for the clock on the wall, which both sides follow:
//   - durationMinutes is counted on the wall clock of the window's zone: "02:00 for 120 minutes"
//     ends at 04:00 local time every time, also on the nights the clocks change (it then lasts
//     60 or 180 minutes). That is what a cron schedule in the zone can express.
//   - A start that does not exist that day (inside the hour a spring-forward skips) starts the
//     window when the clock jumps: 02:30 in Europe/Berlin on the last Sunday of March starts at
//     03:00 CEST (a window wholly inside that hour is empty that day). A start that happens twice (the hour repeated in autumn) starts at the first.
//   - An end that does not exist or happens twice on a day the window ends is refused:
//     EventBridge Scheduler skips a cron time in a gap (the summary would never come) and runs a
//     repeated one only once (at a time it does not document). Check names the first such day.
//   - A window holds [start, end): a notification at 04:00:00 of a window ending 04:00 is posted.
package maintenance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Spec is a window as the configuration and the relay's environment write it.
type Spec struct {
	Name string `json:"name"`
	// Recurring windows.
	Days            []string `json:"days,omitempty"`            // Mon … Sun
	Start           string   `json:"start"`                     // "HH:MM" (recurring) or RFC 3339 (one-off)
	DurationMinutes int      `json:"durationMinutes,omitempty"` // 5 … 1440
	Timezone        string   `json:"timezone,omitempty"`        // IANA; recurring windows only
	// One-off windows.
	End string `json:"end,omitempty"` // RFC 3339
	// Alarms are the CloudWatch alarm names the window holds; none holds every alarm.
	Alarms []string `json:"alarms,omitempty"`
}

// Limits on a window.
const (
	MinMinutes = 5
	MaxMinutes = 24 * 60
	// nameChars is the longest name: it appears in schedule names (64 characters at most).
	nameChars = 32
)

// validName: 1 to 32 of a-z, 0-9 and '-', not starting with '-' (no regexp: the relay compiles
// nothing at start-up that it does not need).
func validName(s string) bool {
	if s == "" || len(s) > nameChars || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Problem is one thing wrong with a window: the field ("timezone", "days[1]") and what is wrong,
// with the value and what is allowed.
type Problem struct {
	Field, Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Window is a checked Spec, ready to evaluate.
type Window struct {
	Spec
	recurring bool
	days      [7]bool // by time.Weekday
	startMin  int     // minutes after local midnight
	loc       *time.Location
	from, to  time.Time // one-off
}

// Recurring tells a recurring window from a one-off.
func (w Window) Recurring() bool { return w.recurring }

// Location is a recurring window's zone, UTC for a one-off.
func (w Window) Location() *time.Location {
	if w.loc == nil {
		return time.UTC
	}
	return w.loc
}

var dayNames = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// parseDay reads Sun, sunday, SUN … as a weekday.
func parseDay(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, d := range dayNames {
		long := strings.ToLower(time.Weekday(i).String())
		if s == strings.ToLower(d) || s == long {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// Compile checks a window without the clock (Check adds the DST rule for its end) and returns it
// in canonical form: days as Mon … Sun in week order, spaces trimmed.
func Compile(s Spec) (Window, []Problem) {
	var problems []Problem
	add := func(field, format string, args ...any) {
		problems = append(problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	s.Name = strings.TrimSpace(s.Name)
	s.Start = strings.TrimSpace(s.Start)
	s.End = strings.TrimSpace(s.End)
	s.Timezone = strings.TrimSpace(s.Timezone)
	w := Window{}
	if !validName(s.Name) {
		add("name", "%q must be 1 to %d lowercase letters, digits or '-', starting with a letter or digit (it names the window's schedule)", s.Name, nameChars)
	}
	for i, a := range s.Alarms {
		if strings.TrimSpace(a) == "" {
			add(fmt.Sprintf("alarms[%d]", i), "is empty: name an alarm, or leave alarms out to hold every alarm")
		}
		s.Alarms[i] = strings.TrimSpace(a)
	}
	recurring := len(s.Days) > 0 || s.DurationMinutes != 0 || s.Timezone != ""
	switch {
	case recurring && s.End != "":
		add("end", "a window is recurring (days, start \"HH:MM\", durationMinutes, timezone) or one-off (start and end timestamps), not both: remove end or the recurring fields")
	case recurring:
		w.recurring = true
		compileRecurring(&s, &w, add)
	case s.End != "" || s.Start != "":
		compileOneOff(&s, &w, add)
	default:
		add("start", "not set: a recurring window has days, start \"HH:MM\", durationMinutes and timezone; a one-off window start and end timestamps (2026-12-06T01:00:00+09:00)")
	}
	w.Spec = s
	return w, problems
}

func compileRecurring(s *Spec, w *Window, add func(field, format string, args ...any)) {
	if len(s.Days) == 0 {
		add("days", "not set: list the days the window starts on, e.g. [Sun] or [Mon, Wed]")
	}
	var days []string
	for i, d := range s.Days {
		wd, ok := parseDay(d)
		switch {
		case !ok:
			add(fmt.Sprintf("days[%d]", i), "%q is not a day: use %s", d, strings.Join(dayNames, ", "))
		case w.days[wd]:
			add(fmt.Sprintf("days[%d]", i), "%q is listed twice", d)
		default:
			w.days[wd] = true
		}
	}
	for i, on := range w.days {
		if on {
			days = append(days, dayNames[i])
		}
	}
	s.Days = days
	if h, m, ok := parseClock(s.Start); ok {
		w.startMin = h*60 + m
		s.Start = fmt.Sprintf("%02d:%02d", h, m)
	} else {
		add("start", "%q is not a time of day: write \"HH:MM\" on the 24-hour clock, e.g. \"02:00\"", s.Start)
	}
	if s.DurationMinutes < MinMinutes || s.DurationMinutes > MaxMinutes {
		add("durationMinutes", "%d must be %d to %d (5 minutes to 24 hours)", s.DurationMinutes, MinMinutes, MaxMinutes)
	}
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil || s.Timezone == "" || s.Timezone == "Local" {
		add("timezone", "%q is not an IANA time zone name (for example Asia/Seoul, Europe/Berlin or UTC); a recurring window needs one", s.Timezone)
	} else {
		w.loc = loc
	}
}

func compileOneOff(s *Spec, w *Window, add func(field, format string, args ...any)) {
	parse := func(field, v string) (time.Time, bool) {
		t, err := time.Parse(time.RFC3339, v)
		switch {
		case v == "":
			add(field, "not set: a one-off window has start and end as RFC 3339 timestamps, e.g. 2026-12-06T01:00:00+09:00")
		case err != nil:
			add(field, "%q is not an RFC 3339 timestamp with its offset, e.g. 2026-12-06T01:00:00+09:00", v)
		case t.Second() != 0 || t.Nanosecond() != 0:
			add(field, "%q: windows are exact to the minute; leave the seconds at 00", v)
		default:
			return t, true
		}
		return time.Time{}, false
	}
	from, okFrom := parse("start", s.Start)
	to, okTo := parse("end", s.End)
	if okFrom && okTo {
		if d := to.Sub(from); d < MinMinutes*time.Minute || d > MaxMinutes*time.Minute {
			add("end", "%s after start: a window lasts 5 minutes to 24 hours", d)
		}
	}
	w.from, w.to = from.UTC(), to.UTC()
}

// parseClock reads "HH:MM" (two digits each) on the 24-hour clock.
func parseClock(s string) (h, m int, ok bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 || h < 0 || m < 0 {
		return 0, 0, false
	}
	for _, c := range s[:2] + s[3:] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	return h, m, true
}

// CheckYears is how far ahead Check looks for an end in a DST gap or repeat.
const CheckYears = 3

// Check is Compile plus the rule for the end (see the package comment), checked from `from` for
// CheckYears years: the stack's validation.
func Check(s Spec, from time.Time) (Window, []Problem) {
	w, problems := Compile(s)
	if len(problems) > 0 || !w.recurring {
		return w, problems
	}
	if day, n, ok := w.ambiguousEnd(from, from.AddDate(CheckYears, 0, 0)); ok {
		what := "does not exist (the clocks jump forward over it)"
		if n == 2 {
			what = "happens twice (the clocks go back over it)"
		}
		endMin := (w.startMin + w.DurationMinutes) % (24 * 60)
		problems = append(problems, Problem{Field: "durationMinutes", Message: fmt.Sprintf(
			"the window ends at %02d:%02d %s, a time that %s on %s: EventBridge Scheduler skips or runs once such a time, so the window's end would be uncertain; end it outside the hour the clocks change",
			endMin/60, endMin%60, w.Timezone, what, day.Format("Mon 2006-01-02"))})
	}
	return w, problems
}

// ambiguousEnd finds the first local day in [from, to) on which an occurrence of w ends at a
// wall time that does not exist (n 0) or happens twice (n 2).
func (w Window) ambiguousEnd(from, to time.Time) (time.Time, int, bool) {
	lf := from.In(w.loc)
	day := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, time.UTC)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		if !w.days[day.Weekday()] {
			continue
		}
		endNaive := day.Add(time.Duration(w.startMin+w.DurationMinutes) * time.Minute)
		if n := len(instants(w.loc, endNaive)); n != 1 {
			return endNaive, n, true
		}
	}
	return time.Time{}, 0, false
}

// instants are the instants at which the clock in loc shows the wall time naive (a time in UTC
// standing for the wall clock): none in a gap, two in a repeated hour, else one.
func instants(loc *time.Location, naive time.Time) []time.Time {
	var out []time.Time
	for _, probe := range []time.Duration{-48 * time.Hour, -24 * time.Hour, 0, 24 * time.Hour, 48 * time.Hour} {
		_, off := naive.Add(probe).In(loc).Zone()
		t := naive.Add(-time.Duration(off) * time.Second)
		if wall(t, loc).Equal(naive) && !slices.ContainsFunc(out, t.Equal) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// wall is t's wall clock in loc, as a UTC time.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// resolve is the instant a wall time stands for: the first of two, or, in a gap, the moment the
// clock jumps (the first instant whose wall time is later).
func resolve(loc *time.Location, naive time.Time) time.Time {
	if in := instants(loc, naive); len(in) > 0 {
		return in[0]
	}
	// In a gap: search between the two offsets around it, to the minute.
	_, before := naive.Add(-48 * time.Hour).In(loc).Zone()
	_, after := naive.Add(48 * time.Hour).In(loc).Zone()
	lo := naive.Add(-time.Duration(max(before, after)) * time.Second)
	hi := naive.Add(-time.Duration(min(before, after)) * time.Second)
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if wall(mid, loc).Before(naive) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.Truncate(time.Second)
}

// bounds is the occurrence of a recurring window starting on the local day (a UTC midnight
// standing for the day).
func (w Window) bounds(day time.Time) (start, end time.Time) {
	start = resolve(w.loc, day.Add(time.Duration(w.startMin)*time.Minute))
	end = resolve(w.loc, day.Add(time.Duration(w.startMin+w.DurationMinutes)*time.Minute))
	if end.Before(start) {
		end = start
	}
	return start, end
}

// localDay is the UTC midnight standing for t's local day in loc, shifted by `shift` days.
func localDay(t time.Time, loc *time.Location, shift int) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+shift, 0, 0, 0, 0, time.UTC)
}

// Occurrence is one stretch of time a window holds: [Start, End).
type Occurrence struct {
	Start, End time.Time
}

// Contains tells whether t is inside the occurrence.
func (o Occurrence) Contains(t time.Time) bool { return !t.Before(o.Start) && t.Before(o.End) }

// At is the occurrence holding t, if any.
func (w Window) At(t time.Time) (Occurrence, bool) {
	if !w.recurring {
		o := Occurrence{w.from, w.to}
		return o, o.Contains(t)
	}
	// A window lasts at most a day on the wall clock, so it started today, yesterday or (around
	// a change of clocks) the day before.
	for shift := 0; shift >= -2; shift-- {
		day := localDay(t, w.loc, shift)
		if !w.days[day.Weekday()] {
			continue
		}
		s, e := w.bounds(day)
		if o := (Occurrence{s, e}); o.Contains(t) {
			return o, true
		}
	}
	return Occurrence{}, false
}

// Next is the first occurrence starting at or after t.
func (w Window) Next(t time.Time) (Occurrence, bool) {
	if !w.recurring {
		o := Occurrence{w.from, w.to}
		return o, !o.Start.Before(t)
	}
	for shift := -1; shift <= 8; shift++ {
		day := localDay(t, w.loc, shift)
		if !w.days[day.Weekday()] {
			continue
		}
		if s, e := w.bounds(day); !s.Before(t) {
			return Occurrence{s, e}, true
		}
	}
	return Occurrence{}, false
}

// LastEnded is the latest occurrence that ended at or before t: the one a window-end event that
// arrives at t is about (the schedule runs within the minute; a retry later).
func (w Window) LastEnded(t time.Time) (Occurrence, bool) {
	if !w.recurring {
		o := Occurrence{w.from, w.to}
		return o, !o.End.After(t)
	}
	var best Occurrence
	found := false
	for shift := -9; shift <= 1; shift++ {
		day := localDay(t, w.loc, shift)
		if !w.days[day.Weekday()] {
			continue
		}
		s, e := w.bounds(day)
		if !e.After(t) && (!found || e.After(best.End)) {
			best, found = Occurrence{s, e}, true
		}
	}
	return best, found
}

// Holds tells whether the window holds the alarm's notifications (its alarms list names it, or
// is empty).
func (w Window) Holds(alarmName string) bool {
	return len(w.Alarms) == 0 || slices.Contains(w.Alarms, alarmName)
}

// EndSchedule is the EventBridge Scheduler expression and time zone that fire at every end of
// the window: cron(M H ? * DAYS *) in the window's zone for a recurring window (the end may fall
// on the next day), at(…) in UTC for a one-off window.
func (w Window) EndSchedule() (expression, timezone string) {
	if !w.recurring {
		return "at(" + w.to.UTC().Format("2006-01-02T15:04:05") + ")", "UTC"
	}
	end := w.startMin + w.DurationMinutes
	shift := end / (24 * 60)
	end %= 24 * 60
	var days []string
	for i := range 7 {
		if w.days[(i-shift+7)%7] {
			days = append(days, strings.ToUpper(dayNames[i]))
		}
	}
	return fmt.Sprintf("cron(%d %d ? * %s *)", end%60, end/60, strings.Join(days, ",")), w.Timezone
}

// String is the window in canonical form, as the relay's environment holds it.
func (w Window) String() string {
	out, _ := json.Marshal(w.Spec) // strings and ints always marshal
	return string(out)
}
