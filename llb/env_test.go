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

// hostile are values a recipe may hold that a shell must read as text:
// command substitutions, arithmetic, quotes, backslashes, newlines.
var hostile = []string{"$(touch pwned1)", "`touch pwned2`", "$((6*7))", "${X:-$(touch pwned3)}", `'"\`, "a\nb", "$", "${", "$1"}

// TestEnvScriptHostile: install-environment values and separators expand
// $VAR and ${VAR}, as a profile does, and nothing else: sourced by a real
// shell, no command they hold runs and each reads back as written.
func TestEnvScriptHostile(t *testing.T) {
	dir := t.TempDir()
	var ops []schema.EnvOp
	var want []string
	for i, v := range hostile {
		name := "V" + string(rune('A'+i))
		ops = append(ops, schema.EnvOp{Set: name, Value: v}, schema.EnvOp{Append: "L", Value: "x", Separator: v})
		want = append(want, name+"="+v)
	}
	ops = append(ops, schema.EnvOp{Set: "H", Value: "$HOME/bin:${HOME}x"})
	want = append(want, "H=/home/u/bin:/home/ux", "L="+"x"+strings.Join(hostile[1:], "x")+"x")
	_, body := EnvScript(&schema.Recipe{Name: "h", Env: ops})
	path := filepath.Join(dir, "env.sh")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"sh", "bash"} {
		script := `. "$1"`
		for _, w := range want {
			name, _, _ := strings.Cut(w, "=")
			script += `; printf '%s=%s\0' ` + name + ` "$` + name + `"`
		}
		cmd := exec.Command(sh, "-c", script, "sh", path)
		cmd.Dir, cmd.Env = dir, []string{"HOME=/home/u", "PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: sourcing:\n%s\n%v\n%s", sh, body, err, out)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s:\ngot  %q\nwant %q\nscript:\n%s", sh, got, want, body)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "pwned*")); len(m) > 0 {
			t.Fatalf("%s: sourcing ran commands of the values: %v\n%s", sh, m, body)
		}
	}
}
