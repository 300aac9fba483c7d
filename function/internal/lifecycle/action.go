package lifecycle

// Action is what a change, a reminder or a message did to its incident. Logic asks it
// (NothingPosted); its String is the log line's words.
type Action int

// The actions. The zero value is no action (a call that failed before deciding).
const (
	ActionDuplicate         Action = iota + 1 // already shown: nothing posted
	ActionLate                                // older than what the root shows: a reply only
	ActionLateAlone                           // older, and the root is gone: a message of its own
	ActionOpened                              // a new incident: the root message posted
	ActionUpdated                             // the root edited, a reply in its thread
	ActionResolved                            // the root turned green, a reply in its thread
	ActionAlone                               // no open incident: a message of its own
	ActionSettling                            // a settling alarm with no open incident: nothing posted
	ActionMessage                             // no alarm change: a message of its own
	ActionRemindedRecently                    // a retried tick: nothing posted
	ActionRemindedInThread                    // a reminder in the incident's thread
	ActionRemindedRoot                        // a reminder opening an incident with a root message
	ActionDigestPosted                        // a storm batch: a shared digest root posted
	ActionDigestUpdated                       // a storm batch: its lines edited into the digest root
	ActionDigestLineUpdated                   // a change of an alarm a digest root shows: its line edited
)

var actionWords = [...]string{
	ActionDuplicate:         "duplicate: already shown, nothing posted",
	ActionLate:              "late: replied in the thread, root unchanged",
	ActionLateAlone:         "late: posted on its own",
	ActionOpened:            "opened: posted the root message",
	ActionUpdated:           "updated the root message and replied in its thread",
	ActionResolved:          "resolved: updated the root message and replied in its thread",
	ActionAlone:             "no open incident: posted on its own",
	ActionSettling:          "alarm settling after a configuration change, no open incident; not posted",
	ActionMessage:           "posted on its own",
	ActionRemindedRecently:  "reminded recently: nothing posted",
	ActionRemindedInThread:  "reminded in the thread",
	ActionRemindedRoot:      "reminded: posted a root message",
	ActionDigestPosted:      "storm digest: posted the root",
	ActionDigestUpdated:     "storm digest: updated the root",
	ActionDigestLineUpdated: "updated the storm digest's root",
}

// String is the action in the log's words; "" for no action.
func (a Action) String() string {
	if a <= 0 || int(a) >= len(actionWords) {
		return ""
	}
	return actionWords[a]
}

// NothingPosted tells an action that handled its change without a post or an edit: one already
// shown, an alarm settling with no open incident, a reminder made moments ago.
func (a Action) NothingPosted() bool {
	return a == ActionDuplicate || a == ActionSettling || a == ActionRemindedRecently
}
