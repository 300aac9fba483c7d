package lifecycle

import "testing"

// Only a duplicate, a settling alarm without an incident and a reminder made moments ago post nothing; every other action
// posted or edited something.
func TestResultNothingPosted(t *testing.T) {
	for action, want := range map[Action]bool{
		ActionDuplicate: true, ActionSettling: true,
		ActionLate: false, ActionLateAlone: false, ActionOpened: false, ActionUpdated: false, ActionResolved: false, ActionAlone: false,
		ActionMessage: false, ActionRemindedRecently: true, ActionRemindedInThread: false, ActionRemindedRoot: false,
	} {
		if got := (Result{Action: action}).NothingPosted(); got != want {
			t.Errorf("%q: NothingPosted %v, want %v", action, got, want)
		}
	}
}
