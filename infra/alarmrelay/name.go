package alarmrelay

import (
	"fmt"
	"strings"
)

// nameProblem is what is wrong with a component's name, "" when nothing. Every URN holds the
// name, an output APIName's alarms are labelled by it, and the resources Pulumi names (the
// queues, topics and roles: <name>-dead-letters-1a2b3c4) start with it, so it takes only what
// SQS and SNS names take.
func nameProblem(name string) string {
	if strings.TrimSpace(name) == "" {
		return fmt.Sprintf("%q is blank: name the component, e.g. \"orders-alerts\" (its resources' names start with it)", name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Sprintf("%q has %q: use letters, digits, '-' and '_' only, e.g. \"orders-alerts\" (the names of its queues, topics and roles start with it, and SQS and SNS take nothing else)", name, c)
		}
	}
	return ""
}
