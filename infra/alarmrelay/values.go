package alarmrelay

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// values writes args as the configuration values the stack's rules read (settings.FromValues):
// one rule book for the program's configuration and for Args. Secrets are read here, once, to
// be checked; settings keeps them secret.
func values(ctx *pulumi.Context, args *Args, label string) (settings.Values, []Problem) {
	v := settings.Values{}
	var problems []Problem
	text := func(key, s string) {
		if s != "" {
			v[key] = s
		}
	}
	whole := func(key string, n int) {
		if n != 0 {
			v[key] = strconv.Itoa(n)
		}
	}
	text("apiName", label)
	text("apiId", args.APIID)
	text("apiStage", args.APIStage)
	if args.LatencyThresholdMs != 0 {
		v["latencyThresholdMs"] = strconv.FormatFloat(args.LatencyThresholdMs, 'f', -1, 64)
	}
	whole("periodSeconds", args.PeriodSeconds)
	whole("evaluationPeriods", args.EvaluationPeriods)
	whole("datapointsToAlarm", args.DatapointsToAlarm)
	text("treatMissingData", args.TreatMissingData)
	text("messenger", args.Messenger)
	text("timezone", args.Timezone)
	text("language", args.Language)
	text("mentions", strings.Join(args.Mentions, ","))
	if args.Trend != nil {
		v["trend"] = strconv.FormatBool(*args.Trend)
	}
	text("runbookUrl", args.RunbookURL)
	whole("remindEveryMinutes", args.RemindEveryMinutes)
	text(settings.RegionKey, args.Region)
	if args.Region == "" {
		if region, ok := ctx.GetConfig(settings.RegionKey); ok {
			v[settings.RegionKey] = region
		}
	}
	if args.LogRetentionDays != nil {
		v["logRetentionDays"] = strconv.Itoa(*args.LogRetentionDays)
	}
	text("alertEmail", args.AlertEmail)
	whole("memoryMb", args.MemoryMB)
	whole("timeoutSeconds", args.TimeoutSeconds)
	whole("reservedConcurrency", args.ReservedConcurrency)
	if args.MaxRetryAttempts != nil {
		v["maxRetryAttempts"] = strconv.Itoa(*args.MaxRetryAttempts)
	}
	whole("maxEventAgeSeconds", args.MaxEventAgeSeconds)
	if args.EncryptTopic {
		v["encryptTopic"] = "true"
	}

	if args.WebhookURL != nil {
		hook, p := secret(ctx, "WebhookURL", args.WebhookURL)
		problems = append(problems, p...)
		text(settings.WebhookKey, hook)
	}
	if len(args.Alarms) > 0 {
		// JSON has no word for NaN or ±Inf: such a threshold is named here, and the rest of the
		// entry is checked with the default threshold.
		alarms := slices.Clone(args.Alarms)
		for i, a := range alarms {
			if a.Threshold != nil && (math.IsNaN(*a.Threshold) || math.IsInf(*a.Threshold, 0)) {
				problems = append(problems, Problem{Field: fmt.Sprintf("Alarms[%d].Threshold", i), Message: fmt.Sprintf("%v is not a finite number", *a.Threshold)})
				alarms[i].Threshold = nil
			}
		}
		v["alarms"] = encode("Alarms", alarms, &problems)
	}
	if args.MaintenanceWindows != nil {
		v[settings.WindowsKey] = encode("MaintenanceWindows", args.MaintenanceWindows, &problems)
	}
	if len(args.Destinations) > 0 {
		entries := make([]map[string]any, len(args.Destinations))
		for i, d := range args.Destinations {
			entries[i] = destination(ctx, i, d, &problems)
		}
		v["destinations"] = encode("Destinations", entries, &problems)
	}
	return v, problems
}

// destination is one Destinations entry as the destinations key holds it: its secrets read, and
// MaintenanceWindows kept when empty (an empty list is "none", nil is "the top-level ones").
func destination(ctx *pulumi.Context, i int, d Destination, problems *[]Problem) map[string]any {
	entry := map[string]any{}
	_ = json.Unmarshal([]byte(encode(fmt.Sprintf("Destinations[%d]", i), d, problems)), &entry)
	if d.MaintenanceWindows != nil {
		entry[settings.WindowsKey] = d.MaintenanceWindows
	}
	for _, s := range []struct {
		field, key string
		input      pulumi.StringInput
	}{{"Webhook", "webhook", d.Webhook}, {"SlackToken", "slackToken", d.SlackToken}} {
		if s.input == nil {
			continue
		}
		value, p := secret(ctx, fmt.Sprintf("Destinations[%d].%s", i, s.field), s.input)
		*problems = append(*problems, p...)
		entry[s.key] = value
	}
	return entry
}

// secret reads a secret input to check it, as the program checks a configuration secret. A value
// not known yet (another resource's output during a preview) cannot be checked, nor written into
// a parameter by this component: it is refused.
func secret(ctx *pulumi.Context, field string, in pulumi.StringInput) (string, []Problem) {
	res, err := internals.UnsafeAwaitOutput(ctx.Context(), in.ToStringOutput())
	if err != nil {
		return "", []Problem{{Field: field, Message: "could not be read: " + err.Error()}}
	}
	if !res.Known {
		return "", []Problem{{Field: field, Message: "is not known while the program runs (an output of a resource not created yet): pass a configuration secret (config.RequireSecret)"}}
	}
	s, _ := res.Value.(string)
	return s, nil
}

// encode writes plain data as JSON; only a number JSON has no word for (NaN, ±Inf) fails.
func encode(field string, v any, problems *[]Problem) string {
	data, err := json.Marshal(v)
	if err != nil {
		*problems = append(*problems, Problem{Field: field, Message: "holds a number that is not finite (NaN or infinity): " + err.Error()})
		return "[]"
	}
	return string(data)
}
