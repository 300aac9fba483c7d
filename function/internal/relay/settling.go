package relay

import (
	"sync"
	"time"

	"github.com/alarm-relay/alarm-relay/function/internal/alarm"
)

// settling tells a webhook destination's notification that is no news: a new or changed alarm
// going INSUFFICIENT_DATA → OK (alarm.Settling). The SNS message names only the state just before,
// so an alarm that went ALARM soon after the change, lost its data and came back looks the same;
// when this container saw it in ALARM since the change, the OK is that incident's recovery and
// is posted. (A Slack app destination asks its incident instead: lifecycle.Change.Settling.)
func (r *Relay) settling(a *alarm.Alarm) bool {
	if !a.Settling() {
		return false
	}
	at, seen := r.alarmed.get(a.ARN)
	return !seen || at.Before(a.ConfigUpdatedAt)
}

// noteAlarm remembers when a notification shows the alarm in ALARM (going into it, or out of it).
func (r *Relay) noteAlarm(a *alarm.Alarm) {
	if a.ARN == "" || (a.State != alarm.StateAlarm && a.PreviousState != alarm.StateAlarm) {
		return
	}
	at := a.ChangedAt
	if at.IsZero() {
		at = r.now()
	}
	r.alarmed.note(a.ARN, at)
}

// alarmTimes remembers, per alarm ARN, the latest time it was seen in ALARM. It is bounded: past
// capacity, times too old to matter for a settling window are forgotten (and, should that not
// be enough, all of them: a missed recovery then posts as it did before, never an error).
type alarmTimes struct {
	mu       sync.Mutex
	at       map[string]time.Time
	capacity int
}

func newAlarmTimes(capacity int) *alarmTimes {
	return &alarmTimes{at: map[string]time.Time{}, capacity: capacity}
}

func (m *alarmTimes) note(arn string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.at[arn]; ok && old.After(at) {
		return // a late message: the later time stands
	}
	if _, ok := m.at[arn]; !ok && len(m.at) >= m.capacity {
		for k, t := range m.at {
			if t.Before(at.Add(-2 * alarm.SettleWindow)) {
				delete(m.at, k)
			}
		}
		if len(m.at) >= m.capacity {
			clear(m.at)
		}
	}
	m.at[arn] = at
}

func (m *alarmTimes) get(arn string) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.at[arn]
	return t, ok
}
