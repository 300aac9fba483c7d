package lifecycle

import "testing"

// Only a duplicate and a settling alarm without an incident post nothing; every other action
// posted or edited something.
func TestResultNothingPosted(t *testing.T) {
	for action, want := range map[string]bool{
		actionDuplicate: true, actionSettling: true,
		actionLate: false, actionLateAlone: false, actionOpened: false, actionUpdated: false, actionResolved: false, actionAlone: false,
	} {
		if got := (Result{Action: action}).NothingPosted(); got != want {
			t.Errorf("%q: NothingPosted %v, want %v", action, got, want)
		}
	}
}
