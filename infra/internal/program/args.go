package program

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/alarm-relay/alarm-relay/infra/alarmrelay"
	"github.com/alarm-relay/alarm-relay/infra/internal/settings"
)

// Args is the stack configuration, checked already (cfg), as the component's Args: the plain keys
// from cfg, the lists (alarms, destinations, maintenanceWindows) from the keys as written, so
// that the component reads exactly what the stack file says.
func Args(ctx *pulumi.Context, cfg settings.Settings) (*alarmrelay.Args, error) {
	args := &alarmrelay.Args{
		APIID: cfg.APIID, APIStage: cfg.APIStage,
		LatencyThresholdMs: cfg.LatencyThresholdMs, PeriodSeconds: cfg.PeriodSeconds,
		EvaluationPeriods: cfg.EvaluationPeriods, DatapointsToAlarm: cfg.DatapointsToAlarm, TreatMissingData: cfg.TreatMissingData,
		Messenger: cfg.Messenger, Timezone: cfg.Timezone, Language: cfg.Language, Trend: &cfg.Trend, RunbookURL: cfg.RunbookURL,
		RemindEveryMinutes: cfg.RemindEveryMinutes, Region: cfg.Region, LogRetentionDays: &cfg.LogRetentionDays, AlertEmail: cfg.AlertEmail,
		MemoryMB: cfg.MemoryMB, TimeoutSeconds: cfg.TimeoutSeconds, MaxRetryAttempts: &cfg.MaxRetryAttempts,
		MaxEventAgeSeconds: cfg.MaxEventAgeSeconds, EncryptTopic: cfg.EncryptTopic,
	}
	if cfg.APIName != "" {
		args.APIName = pulumi.String(cfg.APIName)
	}
	if cfg.Mentions != "" {
		args.Mentions = strings.Split(cfg.Mentions, ",") // joined again with ","
	}
	if cfg.ReservedConcurrency > 0 {
		args.ReservedConcurrency = cfg.ReservedConcurrency
	}
	raw := func(key string) (string, bool) {
		v, ok := ctx.GetConfig(ctx.Project() + ":" + key)
		if strings.TrimSpace(v) == "[]" || strings.TrimSpace(v) == "" {
			return "", false
		}
		return v, ok
	}
	if hook, ok := raw(settings.WebhookKey); ok {
		args.WebhookURL = pulumi.ToSecret(pulumi.String(hook)).(pulumi.StringOutput)
	}
	if v, ok := raw("alarms"); ok {
		if err := decode(v, &args.Alarms); err != nil {
			return nil, fmt.Errorf("alarms: %w", err)
		}
	}
	if v, ok := raw(settings.WindowsKey); ok {
		if err := decode(v, &args.MaintenanceWindows); err != nil {
			return nil, fmt.Errorf("%s: %w", settings.WindowsKey, err)
		}
	}
	if v, ok := raw("destinations"); ok {
		if err := decode(v, &args.Destinations); err != nil {
			return nil, fmt.Errorf("destinations: %w", err)
		}
		var secrets []struct {
			Webhook, SlackToken *string
		}
		if err := json.Unmarshal([]byte(v), &secrets); err != nil {
			return nil, fmt.Errorf("destinations: %w", err)
		}
		for i, s := range secrets {
			if s.Webhook != nil {
				args.Destinations[i].Webhook = pulumi.ToSecret(pulumi.String(*s.Webhook)).(pulumi.StringOutput)
			}
			if s.SlackToken != nil {
				args.Destinations[i].SlackToken = pulumi.ToSecret(pulumi.String(*s.SlackToken)).(pulumi.StringOutput)
			}
		}
	}
	return args, nil
}

// decode reads a list key into out the way the configuration's rules read it (settings checked
// it already): a number where text belongs is its text, text where a number or true/false
// belongs is read as one, and one comma-separated text where a list of text belongs is the list.
func decode(raw string, out any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	data, err := json.Marshal(normalize(v, reflect.TypeOf(out).Elem()))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// normalize shapes v (decoded JSON) as type t takes it; what does not fit is left for
// json.Unmarshal to refuse.
func normalize(v any, t reflect.Type) any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		if v == nil && t.Kind() == reflect.String {
			return "" // stage: null is set, to nothing (the whole API), as settings reads it
		}
	}
	switch t.Kind() {
	case reflect.String:
		if n, ok := v.(json.Number); ok {
			return n.String()
		}
	case reflect.Int, reflect.Float64:
		if s, ok := v.(string); ok {
			return json.Number(strings.TrimSpace(s))
		}
	case reflect.Bool:
		if s, ok := v.(string); ok {
			if b, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
				return b
			}
		}
	case reflect.Slice:
		if s, ok := v.(string); ok && t.Elem().Kind() == reflect.String {
			var out []any
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			return out
		}
		if items, ok := v.([]any); ok {
			out := make([]any, len(items))
			for i, item := range items {
				out[i] = normalize(item, t.Elem())
			}
			return out
		}
	case reflect.Map:
		if fields, ok := v.(map[string]any); ok {
			out := map[string]any{}
			for k, e := range fields {
				out[k] = normalize(e, t.Elem())
			}
			return out
		}
	case reflect.Struct:
		fields, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if e, set := fields[name]; set && name != "" && name != "-" {
				out[name] = normalize(e, f.Type)
			}
		}
		return out
	}
	return v
}
