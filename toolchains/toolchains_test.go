package toolchains

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
)

func TestTargetsDecode(t *testing.T) {
	for _, name := range []string{"x86_64", "aarch64", "armv7"} {
		tg, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"CC", "CXX", "AR", "STRIP", "CROSS_COMPILE", "CHOST", "ARCH"} {
			if tg.Env[k] == "" {
				t.Errorf("%s: env %s is empty", name, k)
			}
		}
		for _, f := range []string{"ipk", "spk", "syspkg"} {
			if tg.Formats[f].Arch == "" {
				t.Errorf("%s: no %s arch", name, f)
			}
		}
		if tg.Triplet == "" || tg.Suite != "bookworm" || len(tg.Packages) < 5 {
			t.Errorf("%s: incomplete target %+v", name, tg)
		}
		if tg.Libc == nil || *tg.Libc != (Libc{Name: "glibc", Version: "2.36"}) {
			t.Errorf("%s: libc %+v, want bookworm's glibc 2.36", name, tg.Libc)
		}
	}
	if tg, err := Lookup("noarch"); err != nil {
		t.Error(err)
	} else if tg.Libc != nil {
		t.Errorf("noarch: libc %+v, want none", tg.Libc)
	}
	if _, err := Lookup("sparc"); err == nil {
		t.Error("unknown target: no error")
	}
}

// TestReplacedImages: a base image the client replaced (buildx
// --build-context) is what the toolchains start from.
func TestReplacedImages(t *testing.T) {
	o := Options{AptMirror: "http://mirror.test/debian"}
	refs := (*Set)(nil).BaseImages(o, []string{"x86_64", "armv7"}, []string{"registry.test/own:1"})
	if got := strings.Join(refs, " "); got != "docker.io/library/debian:bookworm registry.test/own:1" {
		t.Errorf("BaseImages = %s", got)
	}
	o.Images = &Images{}
	o.Images.Replace("docker.io/library/debian:bookworm", llb.Image("registry.test/replaced:1"))
	tc, err := Lookup("armv7")
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]llb.State{"toolchain": tc.State(o), "unpacker": Unpacker(o)} {
		all := marshalled(t, st)
		if !strings.Contains(all, "registry.test/replaced:1") || strings.Contains(all, "library/debian") {
			t.Errorf("%s does not start from the replacement", name)
		}
	}
}

func TestSystemLibs(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, ld := range map[string]string{"armv7": "ld-linux-armhf.so.3", "aarch64": "ld-linux-aarch64.so.1", "x86_64": "ld-linux-x86-64.so.2"} {
		tg, err := set.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(tg.SystemLibs, "libc.so.6") || !slices.Contains(tg.SystemLibs, ld) {
			t.Errorf("%s: system_libs %v lack libc.so.6 or %s", name, tg.SystemLibs, ld)
		}
	}
	if tg, _ := set.Lookup("noarch"); len(tg.SystemLibs) != 0 {
		t.Errorf("noarch: system_libs %v, want none", tg.SystemLibs)
	}
}

// TestSystemPackages: kiln's glibc targets list what every Debian
// bookworm system has (libc6 at the target's libc floor, GCC's runtime);
// noarch lists none; a target lowering the libc floor lowers libc6 with
// it and keeps the rest; one setting its own keeps them.
func TestSystemPackages(t *testing.T) {
	set, err := Load(Source{File: "repo/targets/old.yaml", Data: []byte(`targets:
  old:
    extends: armv7
    libc: {version: "2.31"}
  own:
    extends: aarch64
    system_packages: {libstdc++6: "10.2.1", libqt5core5a: "5.15"}
`)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"libc6": "2.36", "libgcc-s1": "12.2.0", "libstdc++6": "12.2.0"}
	for _, name := range []string{"armv7", "aarch64", "x86_64"} {
		tg, _ := set.Lookup(name)
		if !maps.Equal(tg.SystemPackages, want) || tg.SystemPackages["libc6"] != tg.Libc.Version {
			t.Errorf("%s: system_packages %v, want %v", name, tg.SystemPackages, want)
		}
	}
	if tg, _ := set.Lookup("noarch"); len(tg.SystemPackages) != 0 {
		t.Errorf("noarch: system_packages %v, want none", tg.SystemPackages)
	}
	old, _ := set.Lookup("old")
	if w := map[string]string{"libc6": "2.31", "libgcc-s1": "12.2.0", "libstdc++6": "12.2.0"}; !maps.Equal(old.SystemPackages, w) {
		t.Errorf("old: system_packages %v, want %v", old.SystemPackages, w)
	}
	if armv7, _ := set.Lookup("armv7"); armv7.SystemPackages["libc6"] != "2.36" {
		t.Errorf("lowering old's floor changed armv7's: %v", armv7.SystemPackages)
	}
	own, _ := set.Lookup("own")
	if w := map[string]string{"libc6": "2.36", "libgcc-s1": "12.2.0", "libstdc++6": "10.2.1", "libqt5core5a": "5.15"}; !maps.Equal(own.SystemPackages, w) {
		t.Errorf("own: system_packages %v, want %v", own.SystemPackages, w)
	}
}
