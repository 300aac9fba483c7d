package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// notSettings are variables the relay reads that -h does not list one by one: Lambda sets the
// first two, and the AWS SDKs' standard region and credential variables are named as a group
// ("AWS_REGION and AWS credentials in AWS_ACCESS_KEY_ID, ...").
var notSettings = map[string]bool{
	"AWS_LAMBDA_RUNTIME_API":   true,
	"AWS_LAMBDA_FUNCTION_NAME": true,
	"AWS_DEFAULT_REGION":       true,
	"AWS_SECRET_ACCESS_KEY":    true,
	"AWS_SESSION_TOKEN":        true,
}

// relayVariables lists the environment variables the relay reads, from its source, so that a new
// one cannot be left out of -h: the Env constants of internal/relayconfig (the settings table),
// every getenv("NAME") in the relay's code, and AWS_ENDPOINT_URL_<SERVICE> for each AWS service
// it calls (each awsapi.Service's EnvName).
func relayVariables(t *testing.T) []string {
	t.Helper()
	found := map[string]bool{}
	literal := func(e ast.Expr) (string, bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(lit.Value)
		return s, err == nil
	}
	inspect := func(file *ast.File) {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec: // const EnvTimezone = "TIMEZONE"
				for i, name := range n.Names {
					if strings.HasPrefix(name.Name, "Env") && i < len(n.Values) {
						if v, ok := literal(n.Values[i]); ok {
							found[v] = true
						}
					}
				}
			case *ast.KeyValueExpr: // awsapi.Service{Name: "sqs", EnvName: "SQS", …}
				if key, ok := n.Key.(*ast.Ident); ok && key.Name == "EnvName" {
					if v, ok := literal(n.Value); ok {
						found["AWS_ENDPOINT_URL_"+v] = true
					}
				}
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				if (fn == "getenv" || fn == "Getenv") && len(n.Args) > 0 {
					if v, ok := literal(n.Args[0]); ok {
						found[v] = true
					}
				}
			}
			return true
		})
	}
	fset := token.NewFileSet()
	for _, dir := range []string{".", filepath.Join("..", "internal", "relayconfig")} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != dir {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			inspect(file)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for name := range found {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// TestRelayVariablesAreFound: the source scan finds what it must (a scan that finds nothing
// would let TestHelpNamesEverySetting pass without checking), and every exclusion is still read.
func TestRelayVariablesAreFound(t *testing.T) {
	vars := relayVariables(t)
	for _, want := range []string{"WEBHOOK_URL", "SLACK_API_URL", "MENTIONS", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL", "AWS_REGION"} {
		if !slices.Contains(vars, want) {
			t.Errorf("the scan of the relay's source missed %s: %v", want, vars)
		}
	}
	for name := range notSettings {
		if !slices.Contains(vars, name) {
			t.Errorf("notSettings lists %s, which the relay no longer reads", name)
		}
	}
}
