package render

// digestWords are a digest's own words, per language (the states and "was %s" are the single
// messages' words).
type digestWords struct {
	changes  string // "%d alarm changes"
	folded   string // "%d changes": an alarm that changed more than once in the batch
	more     string // "and %d more: open the alarm list"
	other    string // the group of notifications that are not alarms
	open     string // a line's link to its alarm
	openList string // the button to the console's alarm list
}

var digestLanguages = map[Language]*digestWords{
	English: {
		changes:  "%d alarm changes",
		folded:   "%d changes",
		more:     "…and %d more (they follow in the next digest; the alarm list shows every state now)",
		other:    "Other notifications",
		open:     "Open",
		openList: "Open the alarm list in CloudWatch",
	},
	Korean: {
		changes:  "알람 변경 %d건",
		folded:   "변경 %d회",
		more:     "…외 %d건 (다음 요약에 이어서 표시됩니다. 현재 상태는 알람 목록에서 볼 수 있습니다)",
		other:    "기타 알림",
		open:     "열기",
		openList: "CloudWatch에서 알람 목록 열기",
	},
}

func digestWordsFor(l Language) *digestWords {
	if w, ok := digestLanguages[l]; ok {
		return w
	}
	return digestLanguages[English]
}
