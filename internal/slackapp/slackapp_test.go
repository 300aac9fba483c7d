package slackapp

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

func TestCheckToken(t *testing.T) {
	const secret = "xoxb-test-slackapp-AbCdEfGhIjKlMnOp"
	tests := []struct {
		raw, errHas string
	}{
		{secret, ""},
		{"  " + secret + "\n", ""}, // the stack file may keep a trailing newline
		{"xoxb-" + strings.Repeat("a", 250), ""},
		{"", "is empty"},
		{"   ", "is empty"},
		{"xoxp-1234-5678-SECRETuser", `it is a "xoxp-" token`},
		{"xapp-1-SECRET", "must be a bot token starting with xoxb- (the value does not"},
		{"https://hooks.slack.com/services/T0/B0/SECRET", "must be a bot token starting with xoxb-"},
		{"xoxb-" + strings.Repeat("a", 251), "is 256 characters long"},
		{"xoxb-1234 SECRET", "unexpected character at position 10"},
		{"xoxb-1234_SECRET", "unexpected character at position 10"},
		{"xoxb-1234\x00SECRET", "unexpected character at position 10"},
		{"xoxb-1234é", "unexpected character at position 10"},
	}
	for _, tt := range tests {
		err := CheckToken(tt.raw)
		switch {
		case tt.errHas == "" && err != nil:
			t.Errorf("CheckToken(%d bytes): %v", len(tt.raw), err)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("CheckToken(%d bytes) = %v, want an error with %q", len(tt.raw), err, tt.errHas)
		case err != nil && (strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "aaaa")):
			t.Errorf("the error shows the token: %v", err)
		}
	}
}

func FuzzCheckToken(f *testing.F) {
	for _, seed := range []string{"xoxb-1-2-abc", "xoxp-1-2", "xoxb-ä", ""} {
		f.Add(seed)
	}
	// The error may depend on the type prefix, the length and where a bad character is, never on
	// the token's letters and digits: shifting each of them after the prefix changes nothing.
	f.Fuzz(func(t *testing.T, raw string) {
		err := CheckToken(raw)
		if err == nil {
			return
		}
		if other := CheckToken(shift(raw)); other == nil || other.Error() != err.Error() {
			t.Errorf("the error depends on the token's characters:\n%v\n%v", err, other)
		}
	})
}

// shift replaces every ASCII letter and digit after the first five bytes of the trimmed value with
// the next one of its class (z → a).
func shift(raw string) string {
	lead := len(raw) - len(strings.TrimLeftFunc(raw, unicode.IsSpace))
	b := []byte(raw)
	for i := lead + 5; i < len(b); i++ {
		switch c := b[i]; {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+1)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+1)%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+1)%10
		}
	}
	return string(b)
}

func TestCheckChannel(t *testing.T) {
	tests := []struct {
		raw, errHas string
	}{
		{"C0123ABCDEF", ""},
		{"G0123ABCD", ""},
		{" C0123ABCDEF ", ""},
		{"", "is empty"},
		{"#alerts", "looks like a channel name"},
		{"alerts", "looks like a channel name"},
		{"c0123abcdef", "looks like a channel name"},
		{"D0123ABCDEF", "is not a channel id: ids start with C"},
		{"U0123ABCDEF", "is not a channel id"},
		{"C0123", "is not a channel id"},
		{"C" + strings.Repeat("0", 20), "is 21 characters long"},
		{"C" + strings.Repeat("x", 500), "is 501 characters long"},
		{"C0123-ABCDEF", "upper-case letters and digits only"},
	}
	for _, tt := range tests {
		err := CheckChannel(tt.raw)
		if tt.errHas == "" && err != nil || tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)) {
			t.Errorf("CheckChannel(%q) = %v, want %q", tt.raw, err, tt.errHas)
		}
	}
}

func TestReminderInput(t *testing.T) {
	arns := []string{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:주문 <지연> & \"x\""}
	got, err := ReminderInput(60, arns)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"alarmRelay":"remind","everyMinutes":60,"alarmArns":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api prod latency (alarm-relay/dev)","arn:aws:cloudwatch:us-east-1:123456789012:alarm:주문 \u003c지연\u003e \u0026 \"x\""]}`
	if got != want {
		t.Errorf("ReminderInput =\n%s\nwant\n%s", got, want)
	}
	var back ReminderEvent
	if err := json.Unmarshal([]byte(got), &back); err != nil || !reflect.DeepEqual(back.AlarmARNs, arns) {
		t.Errorf("the input does not read back: %v %+v", err, back)
	}
	for _, bad := range []struct {
		every int
		arns  []string
	}{{0, arns}, {MaxEveryMinutes + 1, arns}, {5, nil}} {
		if _, err := ReminderInput(bad.every, bad.arns); err == nil {
			t.Errorf("ReminderInput(%d, %d ARNs) accepted", bad.every, len(bad.arns))
		}
	}
}

// TestTheRelayAgrees reads the relay's own declarations (function/internal cannot be imported
// from here) and checks that both programs use the same names: a rename on one side fails here
// instead of in a deployed stack.
func TestTheRelayAgrees(t *testing.T) {
	root := filepath.Join("..", "..", "function", "internal")
	consts := map[string]string{}
	for _, file := range []string{"incident/incident.go", "slackapi/token.go", "slackapi/slackapi.go", "lifecycle/reminder.go"} {
		for name, value := range constants(t, filepath.Join(root, file)) {
			consts[filepath.Dir(file)+"."+name] = value
		}
	}
	for relay, ours := range map[string]string{
		"incident.HashKey":           HashKey,
		"incident.RangeKey":          RangeKey,
		"incident.TTLAttribute":      TTLAttribute,
		"incident.EnvTable":          EnvStateTable,
		"slackapi.EnvTokenParameter": EnvTokenParameter,
		"slackapi.EnvChannel":        EnvChannel,
		"lifecycle.ActionRemind":     ActionRemind,
		"lifecycle.MaxEveryMinutes":  strconv.Itoa(MaxEveryMinutes),
	} {
		if got, ok := consts[relay]; !ok || got != ours {
			t.Errorf("the relay's %s is %q (found %v); this package says %q", relay, got, ok, ours)
		}
	}
	tags := structTags(t, filepath.Join(root, "lifecycle", "reminder.go"), "ReminderEvent")
	var ours []string
	typ := reflect.TypeOf(ReminderEvent{})
	for i := range typ.NumField() {
		ours = append(ours, typ.Field(i).Name+" "+typ.Field(i).Tag.Get("json"))
	}
	if !reflect.DeepEqual(tags, ours) {
		t.Errorf("lifecycle.ReminderEvent has fields %v; this package's has %v", tags, ours)
	}
}

// constants are a Go file's constant declarations whose values are literals or 7 * 24 * 60.
func constants(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if v, ok := eval(vs.Values[i]); ok {
						out[name.Name] = v
					}
				}
			}
		}
	}
	return out
}

// eval evaluates a string literal or a product of integer literals.
func eval(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
		return e.Value, e.Kind == token.INT
	case *ast.BinaryExpr:
		a, okA := eval(e.X)
		b, okB := eval(e.Y)
		x, errA := strconv.Atoi(a)
		y, errB := strconv.Atoi(b)
		if e.Op != token.MUL || !okA || !okB || errA != nil || errB != nil {
			return "", false
		}
		return strconv.Itoa(x * y), true
	}
	return "", false
}

// structTags lists a struct's fields as "Name jsontag".
func structTags(t *testing.T, path, typeName string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != typeName {
			return true
		}
		for _, field := range ts.Type.(*ast.StructType).Fields.List {
			tag, _ := strconv.Unquote(field.Tag.Value)
			for _, name := range field.Names {
				out = append(out, name.Name+" "+reflect.StructTag(tag).Get("json"))
			}
		}
		return false
	})
	if out == nil {
		t.Fatalf("%s declares no struct %s", path, typeName)
	}
	return out
}
