package settings

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"

	"github.com/alarm-relay/alarm-relay/internal/clip"
)

// AWS measures names and descriptions in bytes of UTF-8: a Korean character is three.
const (
	AlarmNameBytes        = 255
	AlarmDescriptionBytes = 1024
)

// ShortHash is a stable 8-hex-digit hash of parts: it keeps names apart that were cut to the same
// prefix or that could be read two ways.
func ShortHash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:4])
}

// StackSuffix ends every CloudWatch alarm name of a stack: it is what keeps two stacks' alarms
// apart, so it is never cut.
func StackSuffix(project, stack string) string { return " (" + project + "/" + stack + ")" }

// alarmName is the CloudWatch alarm name of a label. A label too long for 255 bytes is cut on a
// character boundary and followed by a hash of the whole label, so that two long labels stay two
// alarms.
func alarmName(label, project, stack string) string {
	suffix := StackSuffix(project, stack)
	if len(label)+len(suffix) <= AlarmNameBytes {
		return label + suffix
	}
	hash := " " + ShortHash(label)
	return strings.TrimRight(clip.Prefix(label, AlarmNameBytes-len(suffix)-len(hash)), " ") + hash + suffix
}

// HealthAlarmNames are the CloudWatch names of a relay's own health alarms: its errors, and its
// dead letters waiting. destination is "" for the webhookUrl destination.
func HealthAlarmNames(project, stack, destination string) (failing, deadLetters string) {
	who := StackSuffix(project, stack)
	if destination != "" {
		who = " " + destination + who
	}
	return "alarm relay failing" + who, "alarm relay dead letters" + who
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

const idBytes = 48

// previousID is the id earlier versions gave a label: its slug, cut at 48 bytes. Kept for aliases.
func previousID(label string) string {
	id := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(label), "-"), "-")
	if len(id) > idBytes {
		id = strings.TrimRight(id[:idBytes], "-")
	}
	if id == "" {
		id = "alarm"
	}
	return id
}

// alarmID names an alarm's resources and is how destinations refer to it: the label in lowercase
// with dashes ("orders-api prod p99 latency" → "orders-api-prod-p99-latency"). Where that loses
// what tells two labels apart — letters outside a-z (Korean names), or a cut — a hash of the label
// follows, so different labels always get different ids.
func alarmID(label string) string {
	id := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(label), "-"), "-")
	lossy := id == "" || len(id) > idBytes
	for _, r := range label {
		if r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			lossy = true
			break
		}
	}
	if !lossy {
		return id
	}
	hash := ShortHash(label)
	id = strings.TrimRight(clip.Prefix(id, idBytes-len(hash)-1), "-")
	if id == "" {
		return "alarm-" + hash
	}
	return id + "-" + hash
}

// hasControl tells whether s holds a control character, which no AWS name accepts.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

var notFunctionNameChar = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// FunctionName is "<project>-<stack>[-<destination>]-relay", made of the characters Lambda allows,
// at most 64. The name must differ between every two stacks of an account, so a hash of project,
// stack and destination goes before "-relay" whenever the plain name could be another's:
//   - with a destination: "dev" + "team" would read like the stack "dev-team";
//   - when a character had to be replaced ("dev.team" and "dev-team");
//   - when the name had to be cut (two long stack names with the same beginning);
//   - when the stack's name holds a '-': project "alarm" with stack "relay-dev" would otherwise
//     be project "alarm-relay" with stack "dev" (the function, its log group and the incident
//     table would be one). A plain name is read back by splitting at its last '-', so a stack
//     name without one gives every (project, stack) its own plain name.
//
// A stack without destinations whose name needs none of this keeps the name it always had.
func FunctionName(project, stack, destination string) string {
	const suffix, limit = "-relay", 64
	raw := project + "-" + stack
	base := notFunctionNameChar.ReplaceAllString(raw, "-")
	if destination == "" && base == raw && !strings.Contains(stack, "-") && len(base)+len(suffix) <= limit {
		return base + suffix
	}
	tail := "-" + ShortHash(project, stack, destination) + suffix
	if destination != "" {
		tail = "-" + destination + tail
	}
	return strings.TrimRight(clip.Prefix(base, limit-len(tail)), "-_") + tail
}

// StateTableName is the DynamoDB table of a stack's Slack app incidents: the stack's function name
// with "-incidents" for "-relay" ("alarm-relay-dev-incidents"), so it carries the same hash
// whenever the stack's name was cut or had characters replaced.
func StateTableName(project, stack string) string {
	return strings.TrimSuffix(FunctionName(project, stack, ""), "-relay") + "-incidents"
}

// ssmReserved tells whether AWS refuses a parameter name: "Parameter names can't be prefixed with
// "aws" or "ssm" (case-insensitive)", a leading "/" not counting (Systems Manager User Guide,
// "Requirements and constraints for parameter names",
// https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html).
// The provider does not check it (aws_ssm_parameter's name has no validator), so `up` fails half-way.
func ssmReserved(name string) bool {
	lower := strings.ToLower(strings.TrimLeft(name, "/"))
	return strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm")
}

// ParameterName is the SSM parameter of a destination's secret (leaf "webhook-url" or
// "slack-token"; destination "" for the webhookUrl destination): "/<project>/<stack>/[<destination>/]<leaf>".
//
// A project whose name AWS reserves (aws-monitoring, SSMTools) moves under
// "/alarm-relay/projects/<project>/...": one segment more than any other stack's parameter has,
// so it cannot be another project's (project, stack and destination names hold no "/"). Every
// other stack keeps the names it always had.
func ParameterName(project, stack, destination, leaf string) string {
	path := "/" + project + "/" + stack + "/"
	if destination != "" {
		path += destination + "/"
	}
	path += leaf
	if ssmReserved(path) {
		return "/alarm-relay/projects" + path
	}
	return path
}
