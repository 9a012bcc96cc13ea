package split

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// tree builds a staged $pkgdir with a real ELF binary and library (cc
// compiles them).
func tree(t *testing.T) string {
	t.Helper()
	testtool.Need(t, "cc")
	root := t.TempDir()
	write := func(p, s string, mode os.FileMode) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), mode); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(t.TempDir(), "x.c")
	os.WriteFile(src, []byte("int answer(void){return 42;}\nint main(void){return answer()-42;}\n"), 0o644)
	for _, c := range [][]string{
		{"-g", "-o", filepath.Join(root, "opt/bin/tool"), src},
		{"-g", "-shared", "-fPIC", "-o", filepath.Join(root, "opt/lib/libx.so.1"), src},
	} {
		os.MkdirAll(filepath.Dir(c[len(c)-2]), 0o755)
		if out, err := exec.Command("cc", c...).CombinedOutput(); err != nil {
			t.Fatalf("cc %v: %v\n%s", c, err, out)
		}
	}
	if err := os.Symlink("libx.so.1", filepath.Join(root, "opt/lib/libx.so")); err != nil {
		t.Fatal(err)
	}
	write("opt/bin/helper.sh", "#!/bin/sh\necho hi\n", 0o755)
	write("opt/include/x.h", "int answer(void);\n", 0o644)
	write("opt/share/doc/x/README", "docs\n", 0o644)
	return root
}

func TestPlanGlobsAndPlist(t *testing.T) {
	root := tree(t)
	spec := Spec{Packages: []Package{
		{Name: "x", Files: []string{"bin:opt/bin/tool", "rsc:opt/bin/helper.sh", "lib:opt/lib/libx.so.1", "lnk:opt/lib/libx.so"}},
		{Name: "x-dev", Files: []string{"opt/include/**"}},
		{Name: "x-doc", Files: []string{"rsc:opt/share/doc"}},
	}}
	got, strip, err := Plan(root, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"x":     {"opt/bin/helper.sh", "opt/bin/tool", "opt/lib/libx.so", "opt/lib/libx.so.1"},
		"x-dev": {"opt/include/x.h"},
		"x-doc": {"opt/share/doc/x/README"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan = %v\nwant %v", got, want)
	}
	for f, s := range map[string]bool{"opt/bin/tool": true, "opt/lib/libx.so.1": true, "opt/bin/helper.sh": false, "opt/share/doc/x/README": false} {
		if strip[f] != s {
			t.Errorf("strip[%s] = %v, want %v", f, strip[f], s)
		}
	}
}

// TestPlanNegation: "!glob" takes back what earlier entries of the same
// package selected (SPK's components, .gitignore's rule); a later entry
// may select again, and other packages are not affected.
func TestPlanNegation(t *testing.T) {
	root := tree(t)
	spec := Spec{Packages: []Package{
		{Name: "x", Files: []string{"**", "!opt/include", "!opt/share/**", "opt/share/doc/x/README"}},
		{Name: "x-dev", Files: []string{"opt/include/**", "!opt/include/none.h"}},
	}}
	got, _, err := Plan(root, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"x":     {"opt/bin/helper.sh", "opt/bin/tool", "opt/lib/libx.so", "opt/lib/libx.so.1", "opt/share/doc/x/README"},
		"x-dev": {"opt/include/x.h"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan = %v\nwant %v", got, want)
	}
	if _, _, err := Plan(root, Spec{Packages: []Package{{Name: "x", Files: []string{"**", "!lib:opt/lib/libx.so"}}}}); err == nil || !strings.Contains(err.Error(), "cannot be negated") {
		t.Errorf("a negated PLIST entry: %v", err)
	}
}

func TestPlanProblems(t *testing.T) {
	root := tree(t)
	for name, c := range map[string]struct {
		spec Spec
		want string
	}{
		"unclaimed": {Spec{Packages: []Package{{Name: "x", Files: []string{"opt/bin/*"}}}}, "files claimed by no package (allow with validation rule UnclaimedFiles): opt/include/x.h, opt/lib/libx.so"},
		"doubly":    {Spec{Packages: []Package{{Name: "a", Files: []string{"**"}}, {Name: "b", Files: []string{"opt/include/*"}}}}, "opt/include/x.h (a, b)"},
		"empty":     {Spec{Packages: []Package{{Name: "a", Files: []string{"**"}}, {Name: "b", Files: []string{"nothing/*"}}}}, "package b selects no files"},
		"bad type":  {Spec{Packages: []Package{{Name: "a", Files: []string{"exe:opt/bin/tool"}}}}, `unknown PLIST type "exe"`},
		"escape":    {Spec{Packages: []Package{{Name: "a", Files: []string{"../etc/passwd"}}}}, "not a path inside the package"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Plan(root, c.spec); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
	// The validation rules allow them.
	s := Spec{Packages: []Package{{Name: "a", Files: []string{"opt/bin/*"}}, {Name: "b", Files: []string{"opt/bin/tool", "none/*"}}},
		Allow: map[string]bool{AllowUnclaimed: true, AllowDoublyClaimed: true, AllowEmpty: true}}
	if _, _, err := Plan(root, s); err != nil {
		t.Errorf("allowed problems still fail: %v", err)
	}
}

func TestRunStrips(t *testing.T) {
	testtool.Need(t, "strip", "file")
	root := tree(t)
	out := t.TempDir()
	spec := Spec{Strip: "strip", Packages: []Package{{Name: "x", Files: []string{"**"}}}}
	if err := Run(spec, root, out); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{
		"x/opt/bin/tool":      ", stripped",
		"x/opt/lib/libx.so.1": ", stripped",
	} {
		o, _ := exec.Command("file", filepath.Join(out, f)).CombinedOutput()
		if !strings.Contains(string(o), want) {
			t.Errorf("file %s: %s", f, o)
		}
	}
	if l, err := os.Readlink(filepath.Join(out, "x/opt/lib/libx.so")); err != nil || l != "libx.so.1" {
		t.Errorf("symlink: %q %v", l, err)
	}
	if fi, err := os.Stat(filepath.Join(out, "x/opt/bin/helper.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("script mode: %v %v", fi, err)
	}
	// nostrip keeps debug info.
	out2 := t.TempDir()
	spec.Strip = ""
	if err := Run(spec, root, out2); err != nil {
		t.Fatal(err)
	}
	if o, _ := exec.Command("file", filepath.Join(out2, "x/opt/bin/tool")).CombinedOutput(); !strings.Contains(string(o), "not stripped") {
		t.Errorf("nostrip: %s", o)
	}
}

// modeTree is a $pkgdir with special directory modes and empty
// directories (no compiler needed).
func modeTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []struct {
		path string
		mode os.FileMode
	}{
		{"var", 0o755},
		{"var/spool", 0o755 | os.ModeSticky | 0o022}, // 1777
		{"var/lib", 0o755},
		{"var/lib/x", 0o775 | os.ModeSetgid}, // 2775, empty
		{"var/cache", 0o755},
		{"var/cache/x", 0o700}, // empty
		{"opt", 0o755},
		{"opt/unused", 0o755}, // empty, claimed by nobody
		{"usr", 0o755},
		{"usr/bin", 0o755},
	} {
		p := filepath.Join(root, d.path)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, d.mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/spool/queue", "usr/bin/tool"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestRunKeepsDirectoryModesAndEmptyDirectories: parent directories keep
// their sticky and setgid bits, and empty directories a package claims
// ship (they were rebuilt from Perm() and empty ones vanished).
func TestRunKeepsDirectoryModesAndEmptyDirectories(t *testing.T) {
	root := modeTree(t)
	spec := Spec{Packages: []Package{
		{Name: "x", Files: []string{"usr/bin/*", "var/spool", "var/lib/*"}},
		{Name: "x-cache", Files: []string{"rsc:var/cache"}},
	}}
	got, _, err := Plan(root, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"x":       {"usr/bin/tool", "var/lib/x", "var/spool/queue"},
		"x-cache": {"var/cache/x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan = %v\nwant %v", got, want)
	}
	out := t.TempDir()
	if err := Run(spec, root, out); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{
		"x/var/spool":         os.ModeDir | os.ModeSticky | 0o777,
		"x/var/lib/x":         os.ModeDir | os.ModeSetgid | 0o775,
		"x-cache/var/cache/x": os.ModeDir | 0o700,
		"x/var/spool/queue":   0o644,
	} {
		fi, err := os.Lstat(filepath.Join(out, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	if _, err := os.Lstat(filepath.Join(out, "x/opt")); !os.IsNotExist(err) {
		t.Errorf("unclaimed empty directory shipped: %v", err)
	}
}

// TestPlanEmptyDirectories: an empty directory claimed by two packages
// goes to both without a "doubly claimed" report; one claimed by none is
// dropped without an "unclaimed" report; one alone keeps a package from
// being empty.
func TestPlanEmptyDirectories(t *testing.T) {
	root := modeTree(t)
	spec := Spec{Packages: []Package{
		{Name: "a", Files: []string{"usr/**", "var/spool/**", "var/lib/x", "var/cache/x"}},
		{Name: "b", Files: []string{"var/lib/x"}},
	}}
	got, _, err := Plan(root, spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"var/lib/x"}; !reflect.DeepEqual(got["b"], want) {
		t.Errorf("b = %v, want %v", got["b"], want)
	}
	if !strings.Contains(strings.Join(got["a"], " "), "var/lib/x") {
		t.Errorf("a = %v, lacks var/lib/x", got["a"])
	}
}

// TestRunKeepsParentDirectoryModes: a directory created as the parent of
// a file keeps its sticky bit (it shipped as 0777).
func TestRunKeepsParentDirectoryModes(t *testing.T) {
	root := modeTree(t)
	out := t.TempDir()
	if err := Run(Spec{Packages: []Package{{Name: "x", Files: []string{"usr/**", "var/spool/**"}}}}, root, out); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(out, "x/var/spool"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != os.ModeDir|os.ModeSticky|0o777 {
		t.Fatalf("var/spool: %v, want dtrwxrwxrwx", fi.Mode())
	}
}
