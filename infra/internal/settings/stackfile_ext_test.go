package settings

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStackFileBesideAProjectFileOfAnotherExtension: the CLI takes Pulumi.json, Pulumi.yaml or
// Pulumi.yml as the project file (in that order), and names the stack file with the same
// extension (workspace.ProjectStackPath: "Pulumi.<stack>" + the project file's extension). With
// Pulumi.yml the stack file is Pulumi.dev.yml, which the check did not read: a plaintext webhook
// there passed.
func TestStackFileBesideAProjectFileOfAnotherExtension(t *testing.T) {
	plaintext := "config:\n  alarm-relay:destinations:\n    - name: team\n      webhook:\n        secure: v1:AAAA\n    - name: ops\n      webhook: " + slack + "\n"
	plaintextJSON := `{"config": {"alarm-relay:destinations": [{"name": "team", "webhook": {"secure": "v1:AAAA"}}, {"name": "ops", "webhook": "` + slack + `"}]}}`
	destinations := destinationsOf(`{"name":"team","webhook":"`+slack+`"}`, `{"name":"ops","webhook":"`+slack+`"}`)
	for _, tt := range []struct{ project, projectText, stackFile, stackText string }{
		{"Pulumi.yml", "name: alarm-relay\nruntime: go\n", "Pulumi.dev.yml", plaintext},
		{"Pulumi.json", `{"name": "alarm-relay", "runtime": "go"}`, "Pulumi.dev.json", plaintextJSON},
		{"Pulumi.yml", "name: alarm-relay\nruntime: go\nstackConfigDir: stacks\n", "stacks/Pulumi.dev.yml", plaintext},
	} {
		t.Run(tt.stackFile, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range map[string]string{tt.project: tt.projectText, tt.stackFile: tt.stackText} {
				path := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PULUMI_ROOT_DIRECTORY", root)
			hasProblem(t, problemsOf(t, destinations, "destinations"),
				"destinations[1].webhook: is stored in plain text in "+filepath.Base(tt.stackFile))
		})
	}
}
