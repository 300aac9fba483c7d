package alarmrelay

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Args configure an AlarmRelay. Each field is the stack configuration key of the same name
// (docs/configuration.md); a zero value takes that key's default unless the field says otherwise.
// Secrets (WebhookURL, Destination.Webhook, Destination.SlackToken) are inputs, so that a
// configuration secret (config.RequireSecret) stays one; they must be known when the program
// runs (configuration, not another resource's output).
type Args struct {
	// APIName is the REST API whose latency the single alarm watches, and the API of Alarms
	// entries that name none: pulumi.String("orders-api"), or an output such as restApi.Name.
	APIName pulumi.StringInput
	// APILabel names that API in alarm names and descriptions where APIName is an output (names
	// must be known before the API exists); "" takes the component's name. Setting it with a
	// plain APIName names the alarms after the label too.
	APILabel string
	// APIID is an HTTP API's id instead of APIName; APIStage the optional Stage dimension.
	APIID    string
	APIStage string

	LatencyThresholdMs float64 // 0: 300
	PeriodSeconds      int     // 0: 300
	EvaluationPeriods  int     // 0: 1
	DatapointsToAlarm  int     // 0: 1
	TreatMissingData   string  // "": notBreaching
	// Alarms replace the single latency alarm; the fields above are their defaults.
	Alarms []Alarm

	// WebhookURL is the one destination's webhook (a secret) when Destinations is empty.
	WebhookURL pulumi.StringInput
	Messenger  string   // "": auto (from the webhook's host)
	Timezone   string   // IANA name; "": UTC
	Language   string   // en or ko; "": en
	Mentions   []string // notified on ALARM
	Trend      *bool    // nil: true (single-metric alarms show their last hour)
	RunbookURL string   // the single latency alarm's runbook
	// RemindEveryMinutes reminds destinations of alarms still in ALARM (0: never).
	RemindEveryMinutes int
	Destinations       []Destination
	MaintenanceWindows []MaintenanceWindow

	// Region is where everything is, the API's region; "": the stack's aws:region.
	Region              string
	LogRetentionDays    *int // nil: 14; 0 keeps logs forever
	AlertEmail          string
	MemoryMB            int  // 0: 128
	TimeoutSeconds      int  // 0: 30
	ReservedConcurrency int  // 0: no reservation
	MaxRetryAttempts    *int // nil: 2
	MaxEventAgeSeconds  int  // 0: 21600
	EncryptTopic        bool

	// RelayZip is a relay deployment zip built already; "" builds the relay from this module's
	// source (needs the go command), as the alarm-relay program does.
	RelayZip string
}

// Alarm is one CloudWatch alarm (docs/alarms-and-destinations.md); Kind is latency, errorRate,
// clientErrorRate, trafficSurge or custom. Pointer fields: nil takes Args' value.
type Alarm struct {
	Kind              string            `json:"kind,omitempty"`
	Name              string            `json:"name,omitempty"`
	Description       string            `json:"description,omitempty"`
	APIName           string            `json:"apiName,omitempty"`
	APIID             string            `json:"apiId,omitempty"`
	Stage             *string           `json:"stage,omitempty"`
	Statistic         string            `json:"statistic,omitempty"`
	Threshold         *float64          `json:"threshold,omitempty"`
	Operator          string            `json:"operator,omitempty"`
	PeriodSeconds     *int              `json:"periodSeconds,omitempty"`
	EvaluationPeriods *int              `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm *int              `json:"datapointsToAlarm,omitempty"`
	TreatMissingData  string            `json:"treatMissingData,omitempty"`
	Namespace         string            `json:"namespace,omitempty"`
	Metric            string            `json:"metric,omitempty"`
	Dimensions        map[string]string `json:"dimensions,omitempty"`
	Runbook           string            `json:"runbook,omitempty"`
}

// Destination is one chat destination with its own relay: a webhook, or a Slack app's channel
// (SlackToken and SlackChannel). Pointer fields: nil takes Args' value.
type Destination struct {
	Name                  string              `json:"name,omitempty"`
	Webhook               pulumi.StringInput  `json:"-"`
	SlackToken            pulumi.StringInput  `json:"-"`
	SlackChannel          string              `json:"slackChannel,omitempty"`
	Messenger             string              `json:"messenger,omitempty"`
	Timezone              string              `json:"timezone,omitempty"`
	MinimumState          string              `json:"minimumState,omitempty"` // ALARM, OK (""), INSUFFICIENT_DATA
	Alarms                []string            `json:"alarms,omitempty"`       // alarm names or ids; nil: all
	Language              string              `json:"language,omitempty"`
	Mentions              []string            `json:"mentions,omitempty"`
	Trend                 *bool               `json:"trend,omitempty"`
	RemindEveryMinutes    *int                `json:"remindEveryMinutes,omitempty"`
	MaintenanceWindows    []MaintenanceWindow `json:"maintenanceWindows,omitempty"` // nil: Args'; empty: none
	OverflowWindowSeconds *int                `json:"overflowWindowSeconds,omitempty"`
}

// MaintenanceWindow quiets alarms on a weekly schedule in a time zone
// (docs/maintenance-windows.md).
type MaintenanceWindow struct {
	Name            string   `json:"name,omitempty"`
	Days            []string `json:"days,omitempty"`
	Start           string   `json:"start,omitempty"`
	DurationMinutes int      `json:"durationMinutes,omitempty"`
	End             string   `json:"end,omitempty"`
	Timezone        string   `json:"timezone,omitempty"`
	Alarms          []string `json:"alarms,omitempty"`
}
