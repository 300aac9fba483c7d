package alarmrelay

import (
	"strings"
	"sync"
	"weak"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// fieldNames are the Args fields whose names are not their configuration key with a capital.
var fieldNames = map[string]string{
	"aws:region": "Region",
	"apiName":    "APIName",
	"apiId":      "APIID",
	"apiStage":   "APIStage",
	"webhookUrl": "WebhookURL",
	"runbookUrl": "RunbookURL",
	"memoryMb":   "MemoryMB",
}

// fieldOf names the Args field of a configuration key path: alarms[1].threshold is
// Alarms[1].Threshold. What follows dimensions is a dimension's own name, kept as it is.
func fieldOf(key string) string {
	raw := strings.Split(key, ".")
	parts := make([]string, 0, len(raw))
	for i, part := range raw {
		name, index, _ := strings.Cut(part, "[")
		if index != "" {
			index = "[" + index
		}
		if f, ok := fieldNames[name]; ok {
			name = f
		} else if name != "" {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		parts = append(parts, name+index)
		if name == "Dimensions" {
			parts = append(parts, raw[i+1:]...)
			break
		}
	}
	return strings.Join(parts, ".")
}

// stacks are the programs that declared an AlarmRelay: a second one in the same stack would
// declare the first one's AWS names (alarms, functions, parameters) again.
var stacks sync.Map // weak.Pointer[pulumi.Context] → struct{}

func claimStack(ctx *pulumi.Context, name string) error {
	if _, taken := stacks.LoadOrStore(weak.Make(ctx), struct{}{}); taken {
		return &Error{Component: name, Problems: []Problem{{Field: "New", Message: "a stack holds one AlarmRelay: the AWS names of its alarms, functions and parameters come from the project and stack names"}}}
	}
	return nil
}
