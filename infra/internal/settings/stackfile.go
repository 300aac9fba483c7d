package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// secretFields are the fields of a destinations entry that must be stored encrypted.
var secretFields = []string{"webhook", "slackToken"}

// plaintextInStackFile refuses a webhook or token stored in plain text in Pulumi.<stack>.yaml,
// wherever it stands.
//
// Why the file: the program learns only which whole keys are secret (PULUMI_CONFIG_SECRET_KEYS,
// Context.IsConfigSecret). `pulumi config set --secret --path 'destinations[1].webhook'` stores
// that one field as {secure: v1:...} inside the list, and the CLI then marks all of destinations
// secret: a plaintext destinations[0].webhook beside it is invisible to the program. The stack
// file, in the project's root directory (Context.RootDirectory, or Pulumi.yaml's stackConfigDir),
// shows each value as stored. Where it cannot be read (no root directory given, configuration
// kept elsewhere), the whole-key check of destinations.go is the one that applies.
func (r *reader) plaintextInStackFile(stack string) {
	root := r.ctx.RootDirectory()
	if root == "" {
		return
	}
	dir := root
	var project struct {
		StackConfigDir string `yaml:"stackConfigDir"`
	}
	projectFile, ext := findProjectFile(root)
	if data, err := os.ReadFile(projectFile); err == nil && yaml.Unmarshal(data, &project) == nil && project.StackConfigDir != "" {
		dir = filepath.Join(root, project.StackConfigDir)
	}
	name := "Pulumi." + stack + ext
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		r.fail("destinations", "cannot read %s to check that every webhook and token is stored encrypted: %v", name, err)
		return
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return // the CLI read it; a file it could not read never reaches the program
	}
	// A key may be written with its namespace or without (then it is the project's).
	value := func(key string) any {
		if v, ok := file.Config[r.project+":"+key]; ok {
			return v
		}
		return file.Config[key]
	}
	if plain(value(WebhookKey)) {
		r.fail(WebhookKey, "is stored in plain text in %s: set it again with pulumi config set --secret %s ...", name, WebhookKey)
	}
	entries, _ := value("destinations").([]any) // {secure: ...} as a whole: all encrypted
	for i, e := range entries {
		fields, _ := e.(map[string]any)
		for _, f := range secretFields {
			if v, ok := fields[f]; ok && plain(v) {
				key := fmt.Sprintf("destinations[%d].%s", i, f)
				r.fail(key, "is stored in plain text in %s (Pulumi marks all of destinations secret when any part of it is, so only the file tells): set it again with pulumi config set --secret --path '%s' ...", name, key)
			}
		}
	}
}

// findProjectFile is the project file the CLI takes in root, and the extension it then gives the
// stack file: the first of Pulumi.json, Pulumi.yaml and Pulumi.yml (workspace.findProjectInDir
// tries encoding.Exts in that order; workspace.ProjectStackPath names the stack file
// "Pulumi.<stack>" + the project file's extension). YAML reads JSON too.
func findProjectFile(root string) (path, ext string) {
	for _, ext := range []string{".json", ".yaml", ".yml"} {
		path := filepath.Join(root, "Pulumi"+ext)
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			return path, ext
		}
	}
	return filepath.Join(root, "Pulumi.yaml"), ".yaml"
}

// plain tells whether a stack file value is stored as written: anything but {secure: ...} that
// holds something.
func plain(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case map[string]any:
		_, secure := v["secure"]
		return !secure || len(v) != 1
	}
	return true
}
