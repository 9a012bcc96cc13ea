package shlibs

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/golden"
)

// input is a build of one recipe (app, app-plugins, libapp) with one
// $SYSROOT package and a feed, on a target with glibc's libraries.
func input() Input {
	return Input{
		Target: "armv7",
		Sources: []Source{
			{Name: "the packages of this recipe", Providers: []Provider{
				{Package: "app", Version: "2.0-1"},
				{Package: "libapp", Version: "2.0-1", Sonames: []string{"libapp.so.2"}},
			}},
			{Name: "the host: packages in $SYSROOT", Providers: []Provider{
				{Package: "libgreet", Version: "1.2.0-1", Sonames: []string{"libgreet.so.1"}},
				{Package: "libgreet-dev", Version: "1.2.0-1"},
			}},
			{Name: "feed http://127.0.0.1/feed/Packages", Providers: []Provider{
				{Package: "libz", Version: "1.3-1", Sonames: []string{"libz.so.1"}},
				{Package: "libgreet-old", Version: "0.9-1", Sonames: []string{"libgreet.so.1"}},
				{Package: "zz-libpng", Version: "1.6-2", Sonames: []string{"libpng16.so.16"}},
				{Package: "libpng", Version: "1.6-1", Sonames: []string{"libpng16.so.16"}},
			}},
		},
		System: []string{"libc.so.6", "libm.so.6", "ld-linux-*.so.3"},
	}
}

func TestResolve(t *testing.T) {
	pkgs := []Package{
		{Name: "app", Files: []File{
			{Path: "usr/bin/app", Needed: []string{"libapp.so.2", "libgreet.so.1", "libc.so.6"}},
			{Path: "usr/bin/app-png", Needed: []string{"libpng16.so.16", "libz.so.1", "libm.so.6", "libc.so.6"}},
		}},
		{Name: "libapp", Files: []File{
			{Path: "usr/lib/libapp.so.2.0", Soname: "libapp.so.2", Needed: []string{"libz.so.1", "libc.so.6", "ld-linux-armhf.so.3"}},
			{Path: "usr/lib/libapp-extra.so", Needed: []string{"libapp.so.2"}},
		}},
		{Name: "app-data"},
	}
	got, warnings, err := Resolve(input(), pkgs)
	if err != nil || warnings != nil {
		t.Fatalf("Resolve: %v, warnings %v", err, warnings)
	}
	golden.Compare(t, "resolve", string(marshal(got)))
}

func TestUnresolved(t *testing.T) {
	pkgs := []Package{{Name: "app", Files: []File{
		{Path: "usr/bin/app", Needed: []string{"libnope.so.1", "libc.so.6"}},
		{Path: "usr/lib/libx.so", Needed: []string{"libgone.so.3"}},
	}}}
	_, _, err := Resolve(input(), pkgs)
	if err == nil {
		t.Fatal("Resolve: no error for sonames nothing provides")
	}
	golden.Compare(t, "unresolved", err.Error()+"\n")

	in := input()
	in.Allow = true
	got, warnings, err := Resolve(in, pkgs)
	if err != nil || len(warnings) != 2 || !strings.Contains(warnings[0], "usr/bin/app needs libnope.so.1") {
		t.Fatalf("Resolve allowing: %v, warnings %q", err, warnings)
	}
	if len(got["app"].Depends) != 0 {
		t.Errorf("an unresolved soname added depends %v", got["app"].Depends)
	}
}

func TestOnlySystem(t *testing.T) {
	in := Input{Target: "x86_64", System: []string{"libc.so.6"}}
	_, _, err := Resolve(in, []Package{{Name: "a", Files: []File{{Path: "bin/a", Needed: []string{"libq.so"}}}}})
	want := "package a: bin/a needs libq.so: not provided by the system of target x86_64"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Resolve = %v, want %q", err, want)
	}
}
