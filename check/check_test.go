package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "conf")
	os.WriteFile(f, []byte("port=8080\n"), 0o640)
	yes, no := true, false
	ok := []Check{
		{Path: f, Exists: &yes, Mode: "0640", Contains: "port=8080"},
		{Path: filepath.Join(dir, "gone"), Exists: &no},
		{Command: "echo hello world", Output: `^hello \w+`},
		{Command: "echo hello world", Output: `^hello world$`}, // the final newline is not part of the output
		{Command: "printf 'a\\nok\\nb\\n'", Output: `^ok$`},    // ^ and $ match at lines
		{Command: "true"},
	}
	if err := Run(ok); err != nil {
		t.Fatal(err)
	}
	bad := []Check{
		{Path: f, Mode: "0644"},
		{Path: f, Contains: "port=9090"},
		{Path: filepath.Join(dir, "gone"), Exists: &yes},
		{Path: f, Exists: &no},
		{Command: "echo nope", Output: "^yes"},
		{Command: "exit 3"},
		{Command: "echo yes no", Output: "^yes$"},
	}
	err := Run(bad)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"has mode 0640, want 0644", `does not contain "port=9090"`, "gone does not exist",
		"conf exists, want it absent", `printed "nope", which does not match "^yes"`, `command "exit 3" failed`, "check 5:", `printed "yes no"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
