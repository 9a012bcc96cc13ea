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
	got := MaintainerScripts(allHooks)
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
	if len(MaintainerScripts(pack.Hooks{})) != 0 {
		t.Error("no hooks must give no scripts")
	}
	if s := MaintainerScripts(pack.Hooks{Postremove: "x"}); len(s) != 1 || s["postrm"] == "" {
		t.Errorf("postremove alone: %v", s)
	}
}

// TestMaintainerScriptsRun runs the generated scripts with bash and the
// arguments opkg passes, checking each hook runs exactly for its action.
func TestMaintainerScriptsRun(t *testing.T) {
	testtool.Need(t, "bash")
	dir := t.TempDir()
	for name, body := range MaintainerScripts(allHooks) {
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
