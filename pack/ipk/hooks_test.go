package ipk

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

var allHooks = pack.Hooks{
	Preinstall:  `echo preinstall "$@"`,
	Configure:   `echo configure "$@"`,
	Preremove:   `echo preremove "$@"`,
	Postremove:  `echo postremove "$@"`,
	Preupgrade:  `echo preupgrade "$@"`,
	Postupgrade: `echo postupgrade "$@"`,
}

func TestMaintainerScriptsGolden(t *testing.T) {
	got := MaintainerScripts(allHooks, "")
	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString("==> " + n + "\n" + got[n])
	}
	packtest.Golden(t, "hooks_all", b.String())
	if len(MaintainerScripts(pack.Hooks{}, "")) != 0 {
		t.Error("no hooks must give no scripts")
	}
	if s := MaintainerScripts(pack.Hooks{Postremove: "x"}, ""); len(s) != 1 || s["postrm"] == "" {
		t.Errorf("postremove alone: %v", s)
	}
}

// TestMaintainerScriptsRun runs the generated scripts with bash and the
// arguments opkg passes, checking each hook runs exactly for its action.
func TestMaintainerScriptsRun(t *testing.T) {
	testtool.Need(t, "bash")
	dir := t.TempDir()
	for name, body := range MaintainerScripts(allHooks, "") {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		script string
		args   []string
		want   string
	}{
		{"preinst", []string{"install"}, "preinstall"},
		{"preinst", []string{"upgrade", "1.0"}, ""},
		{"postinst", []string{"configure", "1.0"}, "configure"},
		{"prerm", []string{"remove"}, "preremove"},
		{"prerm", []string{"upgrade", "2.0"}, "preupgrade"},
		{"postrm", []string{"remove"}, "postremove"},
		{"postrm", []string{"upgrade", "2.0"}, "postupgrade"},
	} {
		out, err := exec.Command(filepath.Join(dir, c.script), c.args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", c.script, c.args, err, out)
		}
		// Like Toltec, the function is called without arguments.
		if got := strings.TrimSpace(string(out)); got != c.want {
			t.Errorf("%s %v printed %q, want %q", c.script, c.args, got, c.want)
		}
	}
}

func TestHooksAndScriptsClash(t *testing.T) {
	p := &pack.Package{Name: "x", Hooks: pack.Hooks{Configure: "true"}, Scripts: map[string]string{"postinst": "#!/bin/sh\n"}}
	if _, err := scripts(p); err == nil || !strings.Contains(err.Error(), "postinst") {
		t.Fatalf("err = %v", err)
	}
}

// TestHooksSeeTarget: a package built for a target gives its hooks the
// target and its ipk architecture as plain values; they run on the
// device, where no build environment is left.
func TestHooksSeeTarget(t *testing.T) {
	testtool.Need(t, "bash")
	p := &pack.Package{Name: "x", Arch: "rm2", Target: "rm2", Hooks: pack.Hooks{Configure: `echo "$KILN_TARGET/$KILN_ARCH"; sh -c 'echo "child: $KILN_ARCH"'`}}
	s, err := scripts(p)
	if err != nil {
		t.Fatal(err)
	}
	want := "#!/usr/bin/env bash\nset -euo pipefail\nexport KILN_TARGET='rm2' KILN_ARCH='rm2'\nif [[ $1 = configure ]]"
	if !strings.HasPrefix(s["postinst"], want) {
		t.Errorf("postinst:\n%s\nwant it to start with\n%s", s["postinst"], want)
	}
	cmd := exec.Command("bash", "-c", s["postinst"], "postinst", "configure")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "rm2/rm2\nchild: rm2\n" {
		t.Errorf("postinst printed %q (%v)", out, err)
	}
	p.Target, p.Arch = "odd", "it's"
	if s, _ := scripts(p); !strings.Contains(s["postinst"], `export KILN_TARGET='odd' KILN_ARCH='it'\''s'`) {
		t.Errorf("quoting:\n%s", s["postinst"])
	}
}
