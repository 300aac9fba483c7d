package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"gopkg.in/yaml.v3"
)

// TestREADMEExamplesDeploy plays the configuration examples of the README and docs/ (docPages, in
// reading order) as a user would: a
// `# Pulumi.<stack>.yaml` block is that stack's file; `pulumi stack init` and `stack select`, `config set` (with
// --secret and --path, typed as the CLI types them) and `config rm` change a stack's config.
// After every shell block that changed the config, the stack deploys under the mocks as written.
func TestREADMEExamplesDeploy(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	files := map[string]*stackConfig{}  // stack files written in the pages
	stacks := map[string]*stackConfig{} // stacks the pages created, by name
	var current *stackConfig
	deployed := 0
	for i, block := range docBlocks(t, root) {
		switch block.lang {
		case "yaml":
			name, ok := strings.CutPrefix(strings.SplitN(block.text, "\n", 2)[0], "# Pulumi.")
			if !ok {
				continue
			}
			cfg, err := parseStackFile([]byte(block.text))
			if err != nil {
				t.Fatalf("%s, block %d: %v", block.page, i, err)
			}
			files[strings.TrimSuffix(name, ".yaml")] = cfg
		case "sh":
			changed := false
			for _, line := range strings.Split(block.text, "\n") {
				args := shellWords(line)
				if len(args) < 3 || args[0] != "pulumi" {
					continue
				}
				switch {
				case args[1] == "stack" && args[2] == "init":
					current = files[args[3]]
					if current == nil {
						current = readStackFile(t, filepath.Join(root, "Pulumi."+args[3]+".yaml"))
					}
					stacks[args[3]] = current
				case args[1] == "stack" && args[2] == "select":
					if current = stacks[args[3]]; current == nil {
						t.Fatalf("%s, block %d: %q selects a stack no block created", block.page, i, line)
					}
				case args[1] == "config":
					if current == nil {
						t.Fatalf("%s, block %d: %q before any `pulumi stack init`", block.page, i, line)
					}
					if err := current.apply(args[2:]); err != nil {
						t.Fatalf("%s, block %d: %q: %v", block.page, i, line, err)
					}
					changed = true
				}
			}
			if !changed {
				continue
			}
			deployed++
			cfg, secret := current.forProgram()
			if _, set := cfg[regionKey]; !set {
				cfg[regionKey] = unset // as the stack has it: the program refuses a stack without a region
			}
			if _, _, err := deploy(t, cfg, secret, artifact); err != nil {
				t.Errorf("%s, block %d does not deploy as written:\n%s\n%v", block.page, i, block.text, err)
			}
		}
	}
	expect(t, "README and docs examples deployed", deployed, 8)
}

// regionKey is the AWS provider's region: every stack the pages deploy must set it, in its stack
// file or with `pulumi config set aws:region`, as a user's stack must.
const regionKey = "aws:region"

type codeBlock struct{ lang, text string }

var fence = regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```")

func codeBlocks(markdown string) []codeBlock {
	var out []codeBlock
	for _, m := range fence.FindAllStringSubmatch(markdown, -1) {
		out = append(out, codeBlock{lang: m[1], text: m[2]})
	}
	return out
}

// shellWords splits a command line as sh would, for the README's simple quoting, and drops a
// trailing comment.
func shellWords(line string) []string {
	var words []string
	var word strings.Builder
	inWord, quote := false, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				word.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '#' && !inWord:
			return words
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// stackConfig is one stack's project config: keys without the project prefix, values as the
// stack file holds them, and which are secret.
type stackConfig struct {
	values map[string]any
	secret map[string]bool
}

func parseStackFile(data []byte) (*stackConfig, error) {
	var file struct{ Config map[string]any }
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, err
	}
	cfg := &stackConfig{values: map[string]any{}, secret: map[string]bool{}}
	for k, v := range file.Config {
		if key, ok := strings.CutPrefix(k, project+":"); ok {
			cfg.values[key] = v
		}
		if k == regionKey {
			cfg.values[k] = v
		}
	}
	return cfg, nil
}

func readStackFile(t *testing.T, path string) *stackConfig {
	t.Helper()
	root := filepath.Join("..", "..", "..")
	rel, err := filepath.Rel(root, path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := committedFile(root, rel) // as a fresh clone has it, whatever a reader set since
	if os.IsNotExist(err) {
		return &stackConfig{values: map[string]any{}, secret: map[string]bool{}}
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseStackFile(data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// apply runs `pulumi config set|rm` arguments.
func (c *stackConfig) apply(args []string) error {
	var secret, path bool
	var rest []string
	for _, a := range args[1:] {
		switch a {
		case "--secret":
			secret = true
		case "--path":
			path = true
		default:
			rest = append(rest, a)
		}
	}
	switch {
	case args[0] == "rm" && len(rest) == 1:
		delete(c.values, rest[0])
		delete(c.secret, rest[0])
		return nil
	case args[0] != "set" || len(rest) != 2:
		return fmt.Errorf("not a config command this test knows")
	}
	key, value := rest[0], rest[1]
	if !path {
		c.values[key] = value
		c.secret[key] = secret
		return nil
	}
	segments := regexp.MustCompile(`[^.\[\]]+`).FindAllString(key, -1)
	top := segments[0]
	c.secret[top] = c.secret[top] || secret
	var typed any = value
	if !secret { // the CLI's typing of --path values
		switch n, err := strconv.Atoi(value); {
		case value == "true" || value == "false":
			typed = value == "true"
		case len(value) > 1 && value[0] == '0':
		case err == nil:
			typed = n
		}
	}
	updated, err := setPath(c.values[top], segments[1:], typed)
	c.values[top] = updated
	return err
}

// setPath sets value at the path below container, creating lists and objects as needed; an index
// may be one past the end (append), as the CLI allows.
func setPath(container any, path []string, value any) (any, error) {
	if len(path) == 0 {
		return value, nil
	}
	if i, err := strconv.Atoi(path[0]); err == nil {
		list, _ := container.([]any)
		if i > len(list) {
			return nil, fmt.Errorf("index %d out of range", i)
		}
		if i == len(list) {
			list = append(list, nil)
		}
		v, err := setPath(list[i], path[1:], value)
		list[i] = v
		return list, err
	}
	obj, _ := container.(map[string]any)
	if obj == nil {
		obj = map[string]any{}
	}
	v, err := setPath(obj[path[0]], path[1:], value)
	obj[path[0]] = v
	return obj, err
}

// forProgram is the config as the program receives it: scalars as text, structures as JSON.
func (c *stackConfig) forProgram() (map[string]string, []string) {
	cfg := map[string]string{}
	var secret []string
	for k, v := range c.values {
		switch v := v.(type) {
		case string:
			cfg[k] = v
		case map[string]any, []any:
			data, _ := json.Marshal(v)
			cfg[k] = string(data)
		default:
			cfg[k] = fmt.Sprint(v)
		}
		if c.secret[k] {
			secret = append(secret, k)
		}
	}
	return cfg, secret
}

// TestPulumiYAMLAcceptedByTheCLI checks Pulumi.yaml with the CLI's own project loader and config
// type rules (pulumi/sdk's workspace package), then what the CLI does before every `up`: a key the
// stack leaves out takes its default (a key without one is demanded), a `secret: true` key must be
// stored encrypted, and every value must have its declared type. Played for the README's stacks,
// including the destinations-only one set with `--secret --path`, and those of docs/.
func TestPulumiYAMLAcceptedByTheCLI(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	proj, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*stackConfig{}
	var current *stackConfig
	checked := 0
	for _, block := range docBlocks(t, root) {
		if name, ok := strings.CutPrefix(strings.SplitN(block.text, "\n", 2)[0], "# Pulumi."); ok && block.lang == "yaml" {
			files[strings.TrimSuffix(name, ".yaml")], _ = parseStackFile([]byte(block.text))
			continue
		}
		if block.lang != "sh" {
			continue
		}
		for _, line := range strings.Split(block.text, "\n") {
			args := shellWords(line)
			switch {
			case len(args) > 3 && args[0] == "pulumi" && args[1] == "stack" && args[2] == "init":
				if current = files[args[3]]; current == nil {
					current = readStackFile(t, filepath.Join(root, "Pulumi."+args[3]+".yaml"))
				}
			case len(args) > 2 && args[0] == "pulumi" && args[1] == "config" && current != nil:
				if err := current.apply(args[2:]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if current == nil {
			continue
		}
		checked++
		for key, declared := range proj.Config {
			value, set := current.values[key]
			switch {
			case !set && declared.Default == nil:
				t.Errorf("Stack is missing configuration value %q (no default)", key)
				continue
			case !set:
				continue // the CLI writes the default in, as plain text
			case declared.Secret && !current.secret[key]:
				t.Errorf("configuration key %q must be encrypted as it's secret", key)
			}
			if declared.Type != nil && !workspace.ValidateConfigValue(*declared.Type, declared.Items, value) {
				t.Errorf("configuration key %q = %v is not of type %s", key, value, workspace.InferFullTypeName(*declared.Type, declared.Items))
			}
		}
	}
	expect(t, "README stacks checked", checked > 2, true)
}
