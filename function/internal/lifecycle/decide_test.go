package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
	"github.com/alarm-relay/alarm-relay/function/internal/blockkit"
	"github.com/alarm-relay/alarm-relay/function/internal/incident"
	"github.com/alarm-relay/alarm-relay/function/internal/render"
)

// TestDecide covers every branch of the plan without Slack or DynamoDB.
func TestDecide(t *testing.T) {
	en := render.NewIncidentLines(render.English, nil)
	payload := blockkit.Message{Text: "rendered", Blocks: []blockkit.Block{{Type: "header"}}}
	open := incident.Incident{Channel: "C1", RootTS: "1.1", State: "ALARM", StateSince: t0, OpenedAt: t0, LastChange: t0, Version: 1}
	closed := open
	closed.Closed, closed.State, closed.LastChange, closed.Version = true, "OK", t0.Add(10*time.Minute), 2
	byReminder := incident.Incident{Channel: "C1", RootTS: "1.2", State: "ALARM", StateSince: t0, OpenedAt: t0, Version: 1} // no LastChange
	// Opened by an ALARM at t0, updated by ALARMs at +5 and +10 min (issue 17, item 4).
	shown := open
	shown.LastChange, shown.Version = t0.Add(10*time.Minute), 3
	shown.Shown = []string{incident.ChangeKey("ALARM", t0), incident.ChangeKey("ALARM", t0.Add(5*time.Minute)), incident.ChangeKey("ALARM", t0.Add(10*time.Minute))}
	closedShown := closed
	closedShown.Shown = append(shown.Shown, incident.ChangeKey("OK", t0.Add(10*time.Minute)))
	tests := []struct {
		name      string
		inc       incident.Incident
		state     alarm.State
		at        time.Time
		action    Action
		post, upd bool
		reply     string // prefix
		next      func(incident.Incident) bool
	}{
		{"first ALARM", incident.Incident{}, alarm.StateAlarm, t0, ActionOpened, true, false, "",
			func(n incident.Incident) bool { return n.OpenedAt.Equal(t0) && !n.Closed && n.State == "ALARM" }},
		{"ALARM after a closed incident", closed, alarm.StateAlarm, t0.Add(time.Hour), ActionOpened, true, false, "",
			func(n incident.Incident) bool { return n.OpenedAt.Equal(t0.Add(time.Hour)) && !n.Closed }},
		{"repeat", open, alarm.StateAlarm, t0, ActionDuplicate, false, false, "", nil},
		{"late with a root", open, alarm.StateOK, t0.Add(-time.Minute), ActionLate, false, false, "✅ *OK* at 2026-11-20 09:14 UTC, received late", nil},
		{"late without a root", incident.Incident{State: "OK", LastChange: t0, Version: 1}, alarm.StateAlarm, t0.Add(-time.Minute), ActionLateAlone, true, false, "", nil},
		{"new datapoint", open, alarm.StateAlarm, t0.Add(5 * time.Minute), ActionUpdated, false, true, "🔴 *ALARM*",
			func(n incident.Incident) bool {
				return n.StateSince.Equal(t0) && n.LastChange.Equal(t0.Add(5*time.Minute))
			}},
		{"INSUFFICIENT_DATA while open", open, alarm.StateInsufficientData, t0.Add(5 * time.Minute), ActionUpdated, false, true, "⚪ *INSUFFICIENT_DATA* (was ALARM)",
			func(n incident.Incident) bool { return n.StateSince.Equal(t0.Add(5*time.Minute)) && !n.Closed }},
		{"OK while open", open, alarm.StateOK, t0.Add(14*time.Minute + 59*time.Second), ActionResolved, false, true, "✅ *Resolved after 14 min*",
			func(n incident.Incident) bool {
				return n.Closed && n.ClosedAt.Equal(t0.Add(14*time.Minute+59*time.Second))
			}},
		{"OK alone", incident.Incident{}, alarm.StateOK, t0, ActionAlone, true, false, "",
			func(n incident.Incident) bool { return n.Closed && n.State == "OK" && n.LastChange.Equal(t0) }},
		{"INSUFFICIENT_DATA after a closed incident", closed, alarm.StateInsufficientData, t0.Add(time.Hour), ActionAlone, true, false, "", nil},
		{"ALARM into an incident a reminder opened", byReminder, alarm.StateAlarm, t0, ActionUpdated, false, true, "🔴 *ALARM*", nil},
		// An OK of an earlier incident (the dead-letter queue replayed it) is older than the ALARM
		// a reminder found: it must not turn the root green while the alarm is still in ALARM.
		{"OK older than an incident a reminder opened", byReminder, alarm.StateOK, t0.Add(-50 * time.Minute), ActionLate, false, false, "✅ *OK* at 2026-11-20 08:25 UTC, received late", nil},
		{"the opening ALARM redelivered", shown, alarm.StateAlarm, t0, ActionDuplicate, false, false, "", nil},
		{"a middle ALARM redelivered", shown, alarm.StateAlarm, t0.Add(5 * time.Minute), ActionDuplicate, false, false, "", nil},
		{"the opening ALARM redelivered after the incident closed", closedShown, alarm.StateAlarm, t0, ActionDuplicate, false, false, "", nil},
		{"a late change not shown is remembered", shown, alarm.StateOK, t0.Add(7 * time.Minute), ActionLate, false, false, "✅ *OK*",
			func(n incident.Incident) bool {
				return n.HasShown(incident.ChangeKey("OK", t0.Add(7*time.Minute))) && n.RootTS == "1.1"
			}},
		{"OK after an incident a reminder opened", byReminder, alarm.StateOK, t0.Add(time.Hour), ActionResolved, false, true, "✅ *Resolved after 1 h*",
			func(n incident.Incident) bool { return n.Closed && n.ClosedAt.Equal(t0.Add(time.Hour)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decide(tt.inc, Change{State: tt.state, Message: payload}, tt.at, en)
			if p.action != tt.action || (p.post != nil) != tt.post || (p.update != nil) != tt.upd || !strings.HasPrefix(p.reply, tt.reply) || (tt.reply == "") != (p.reply == "") {
				t.Errorf("plan %q post %v update %v reply %q", p.action, p.post != nil, p.update != nil, p.reply)
			}
			if p.commit != (tt.next != nil || p.action == ActionAlone || p.action == ActionOpened || p.action == ActionUpdated || p.action == ActionLate || p.action == ActionLateAlone) {
				t.Errorf("commit = %v", p.commit)
			}
			if p.action == ActionLateAlone && (!p.keepRoot || p.next.RootTS != tt.inc.RootTS) {
				t.Errorf("a late message on its own would become the root: %+v", p)
			}
			if tt.next != nil && !tt.next(p.next) {
				t.Errorf("next %+v", p.next)
			}
		})
	}
}

// A new or changed alarm settling INSUFFICIENT_DATA → OK posts nothing, unless an incident is open:
// then the OK is its recovery (an alarm that went ALARM soon after a deploy, lost its data and
// came back within the settling window) and resolves it, whoever opened it.
func TestDecideLeavesSettlingToOpenIncidents(t *testing.T) {
	en := render.NewIncidentLines(render.English, nil)
	settling := Change{State: alarm.StateOK, Settling: true, Message: blockkit.Message{Text: "ok"}}
	open := incident.Incident{Channel: "C1", RootTS: "1.1", State: "INSUFFICIENT_DATA", StateSince: t0.Add(5 * time.Minute), OpenedAt: t0, LastChange: t0.Add(5 * time.Minute), Version: 2}
	byReminder := incident.Incident{Channel: "C1", RootTS: "1.2", State: "ALARM", StateSince: t0, OpenedAt: t0, Version: 1}
	closed := incident.Incident{Channel: "C1", RootTS: "1.1", State: "OK", StateSince: t0, LastChange: t0, Closed: true, ClosedAt: t0, Version: 3}
	for _, tt := range []struct {
		name   string
		inc    incident.Incident
		action Action
	}{
		{"no incident", incident.Incident{}, ActionSettling},
		{"a closed incident", closed, ActionSettling},
		{"an open incident", open, ActionResolved},
		{"an incident a reminder opened", byReminder, ActionResolved},
	} {
		p := decide(tt.inc, settling, t0.Add(10*time.Minute), en)
		if p.action != tt.action {
			t.Errorf("%s: %q, want %q", tt.name, p.action, tt.action)
		}
		if tt.action == ActionSettling && (p.post != nil || p.update != nil || p.reply != "" || p.commit) {
			t.Errorf("%s: settling posts or remembers something: %+v", tt.name, p)
		}
	}
}
