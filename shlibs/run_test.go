package shlibs

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/feeds"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/ipk"
	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/kiln-build/kiln/version"
)

// cc compiles C source into out with the host's compiler.
func cc(t *testing.T, dir, src, out string, args ...string) {
	t.Helper()
	file := filepath.Join(dir, filepath.Base(out)+".c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cc", append(append([]string{"-o", out, file}, args...), "-L"+dir)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, b)
	}
}

// tree builds two packages under root: libdemo (a shared library with a
// soname) and demo (a program linked to it and to libgreet.so.1, which a
// $SYSROOT package provides), plus a text file and a static-less script.
func tree(t *testing.T) (root, hostIPK string) {
	testtool.Need(t, "cc")
	work, root := t.TempDir(), t.TempDir()
	lib := filepath.Join(root, "libdemo/usr/lib/libdemo.so.3.1")
	cc(t, work, "int demo(void){return 3;}\n", lib, "-shared", "-fPIC", "-Wl,-soname,libdemo.so.3")
	os.Symlink("libdemo.so.3.1", filepath.Join(root, "libdemo/usr/lib/libdemo.so.3"))
	os.Symlink(lib, filepath.Join(work, "libdemo.so"))
	greet := filepath.Join(work, "libgreet.so")
	cc(t, work, "int greet(void){return 1;}\n", greet, "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1")
	cc(t, work, "int demo(void); int greet(void); int main(void){return demo()+greet();}\n",
		filepath.Join(root, "demo/usr/bin/demo"), "-ldemo", "-lgreet")
	os.WriteFile(filepath.Join(root, "demo/usr/bin/hello.sh"), []byte("#!/bin/sh\necho hi\n"), 0o755)

	// The $SYSROOT package, as kiln packs it: libgreet.so.1 in Provides.
	hostIPK = filepath.Join(work, "libgreet_1.2.0-1_x86_64.ipk")
	f, err := os.Create(hostIPK)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &pack.Package{Name: "libgreet", Version: "1.2.0-1", Arch: "x86_64", Maintainer: "K <k@example.org>", Summary: "greet",
		Sonames: []string{"libgreet.so.1"}, Epoch: 1}
	if err := (ipk.Format{}).Pack(p, t.TempDir(), f); err != nil {
		t.Fatal(err)
	}
	return root, hostIPK
}

func TestRun(t *testing.T) {
	root, host := tree(t)
	files, err := Scan(filepath.Join(root, "demo"))
	if err != nil || len(files) != 1 || files[0].Path != "usr/bin/demo" || files[0].Soname != "" {
		t.Fatalf("Scan(demo) = %+v, %v", files, err)
	}
	for _, n := range []string{"libdemo.so.3", "libgreet.so.1", "libc.so.6"} {
		if !strings.Contains(strings.Join(files[0].Needed, " "), n) {
			t.Errorf("demo needs %v, want %s among them", files[0].Needed, n)
		}
	}
	out := t.TempDir()
	s := Spec{Target: "x86_64", Version: "3.1-1", Packages: []string{"demo", "libdemo", "demo-doc"}, Host: []string{host},
		System: []string{"libc.so.6", "ld-linux-x86-64.so.2"}}
	if err := Run(s, root, out); err != nil {
		t.Fatal(err)
	}
	demo, err := ReadResult(filepath.Join(out, ResultFile("demo")))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Depends: []string{"libdemo (>= 3.1-1)", "libgreet (>= 1.2.0-1)"}, Packages: []string{"libdemo", "libgreet"}}
	if !reflect.DeepEqual(demo, want) {
		t.Errorf("demo: %+v, want %+v", demo, want)
	}
	lib, _ := ReadResult(filepath.Join(out, ResultFile("libdemo")))
	if !reflect.DeepEqual(lib.Sonames, []string{"libdemo.so.3"}) || len(lib.Depends) != 0 {
		t.Errorf("libdemo: %+v, want soname libdemo.so.3 and no depends", lib)
	}
	if b, _ := os.ReadFile(filepath.Join(out, NeededFile)); string(b) != "libdemo\nlibgreet\n" {
		t.Errorf("%s = %q", NeededFile, b)
	}

	// Without the $SYSROOT package, libgreet.so.1 is nowhere.
	s.Host = nil
	err = Run(s, root, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "package demo: usr/bin/demo needs libgreet.so.1: not provided by the packages of this recipe or the system of target x86_64") {
		t.Errorf("Run without $SYSROOT = %v", err)
	}
}

// TestCheckRelations: a dependency the build does not produce must be met
// by a feed (name, architecture and version) or by the target's system
// packages; every one that is not is named.
func TestCheckRelations(t *testing.T) {
	dir := t.TempDir()
	index := filepath.Join(dir, "Packages")
	os.WriteFile(index, []byte("Package: rm2fb\nVersion: 1.0-1\nArchitecture: rmall\nFilename: rm2fb.ipk\n\n"+
		"Package: other\nVersion: 5.0-1\nArchitecture: x86_64\nFilename: other.ipk\n"), 0o644)
	dep := func(s string) version.Dep { d, _ := version.ParseDep(s); return d }
	s := Spec{Target: "rm2", Archs: []string{"rm2", "rmall", "all"},
		Feeds:          []feeds.Index{{URL: "http://127.0.0.1/rm/Packages", File: index}},
		SystemPackages: map[string]string{"libc6": "2.31"},
		Check: []Relation{
			{"app", dep("rm2fb >= 1.0")}, {"app", dep("libc6 >= 2.28")},
			{"app", dep("rm2fb >= 2.0")}, {"app", dep("other")}, {"app-extra", dep("libc6 >= 2.36")},
		}}
	fs, err := feeds.ReadAll(s.Feeds)
	if err != nil {
		t.Fatal(err)
	}
	err = checkRelations(s, fs)
	want := `dependencies that neither the build, a feed nor the system of target rm2 meets:
package app depends on rm2fb (>= 2.0): feed http://127.0.0.1/rm/Packages: no version of rm2fb satisfies >= 2.0 (it has 1.0-1)
package app depends on other: feed http://127.0.0.1/rm/Packages: no package other for architecture rm2 or rmall or all
package app-extra depends on libc6 (>= 2.36): target rm2's system has libc6 2.31`
	if err == nil || err.Error() != want {
		t.Errorf("checkRelations =\n%v\nwant\n%s", err, want)
	}
	s.Check = s.Check[:2]
	if err := checkRelations(s, fs); err != nil {
		t.Errorf("checkRelations of met dependencies: %v", err)
	}
}

// TestNeededCloses: the packages an install test's root gets from
// $SYSROOT are those the resolution made dependencies and, transitively,
// the $SYSROOT packages they depend on (any alternative $SYSROOT has);
// packages only the device has are not among them.
func TestNeededCloses(t *testing.T) {
	host, err := feed.ParseIndex([]byte("Package: liba\nVersion: 1\nArchitecture: armv7\nFilename: a.ipk\nDepends: libb (>= 1), libc6\n\n" +
		"Package: libb\nVersion: 1\nArchitecture: armv7\nFilename: b.ipk\nDepends: libx | libc\n\n" +
		"Package: libc\nVersion: 1\nArchitecture: armv7\nFilename: c.ipk\n\n" +
		"Package: libd\nVersion: 1\nArchitecture: armv7\nFilename: d.ipk\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	results := map[string]Result{"app": {Depends: []string{"liba (>= 1)"}, Packages: []string{"liba"}}}
	if err := write(results, host, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(out, NeededFile))
	if string(got) != "liba\nlibb\nlibc\n" {
		t.Errorf("needed = %q, want liba, libb, libc", got)
	}
}
