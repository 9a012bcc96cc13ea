package llb

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/schema"
)

// TestEnvScript sources the generated profile.d script in a real shell and
// checks what each operation did to the environment.
func TestEnvScript(t *testing.T) {
	r := &schema.Recipe{Name: "motd", Env: []schema.EnvOp{
		{Comment: "motd's settings"},
		{Priority: 20},
		{Set: "MOTD_FILE", Value: `/opt/motd/$NAME "quoted"`},
		{Prepend: "PATH", Value: "/opt/motd/bin"},
		{Append: "MANPATH", Value: "/opt/motd/man"},
		{Append: "EMPTY", Value: "x", Separator: ";"},
	}}
	name, body := EnvScript(r)
	if name != "20-kiln-motd.sh" {
		t.Errorf("file name %q", name)
	}
	if !strings.Contains(string(body), "# motd's settings\n") {
		t.Errorf("comment missing:\n%s", body)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `. "$1" && printf '%s|%s|%s|%s\n' "$MOTD_FILE" "$PATH" "$MANPATH" "$EMPTY"`, "sh", path)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "MANPATH=/usr/share/man", "NAME=x"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sourcing:\n%s\n%v\n%s", body, err, out)
	}
	want := `/opt/motd/x "quoted"|/opt/motd/bin:/usr/bin:/bin|/usr/share/man:/opt/motd/man|x` + "\n"
	if string(out) != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
	if n, _ := EnvScript(&schema.Recipe{Name: "x"}); n != "" {
		t.Errorf("no env gave a script %q", n)
	}
}
