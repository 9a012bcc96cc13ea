package ipk

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

func minimalPackage() *pack.Package {
	return &pack.Package{Name: "hello", Version: "1.0-1", Arch: "armv7-3.2", Epoch: packtest.Epoch}
}

func fullPackage() *pack.Package {
	return &pack.Package{
		Name:       "hello",
		Version:    "1:1.2.0~beta1-3",
		Arch:       "rmall",
		Maintainer: "Jane Doe <jane@example.org>",
		Summary:    "Friendly greeter",
		Description: "Hello prints a friendly greeting.\n" +
			"It is a test package.\n" +
			"\n" +
			"Usage:\n" +
			"  hello --name World\n" +
			"   \n" +
			"Trailing paragraph.\n",
		Section:   "utils",
		License:   "MIT",
		Homepage:  "https://example.org/hello",
		Depends:   []string{"libc6 (>= 2.31)", "display (<< 3.0) | rm2fb"},
		Conflicts: []string{"hello-classic", "goodbye"},
		Replaces:  []string{"hello-classic (<< 1.0)"},
		Provides:  []string{"greeter"},
		Epoch:     packtest.Epoch,
	}
}

func TestControlGolden(t *testing.T) {
	summaryOnly := minimalPackage()
	summaryOnly.Maintainer = "None <none@example.org>"
	summaryOnly.Summary = "Only a summary"
	summaryOnly.Description = "\n\n"
	library := minimalPackage()
	library.Provides = []string{"greeting"}
	library.Sonames = []string{"libgreet.so.1", "libgreet-extra.so.0"}
	for _, tc := range []struct {
		name string
		p    *pack.Package
		size int64
	}{
		{"control_minimal", minimalPackage(), 0},
		{"control_summary_only", summaryOnly, 1},
		{"control_full", fullPackage(), 1234},
		{"control_sonames", library, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Validate(tc.p); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			packtest.Golden(t, tc.name, string(Control(tc.p, tc.size)))
		})
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ version, arch, want string }{
		{"1.0-1", "rmall", "hello_1.0-1_rmall.ipk"},
		{"1:1.2.0~beta1-3", "armv7-3.2", "hello_1.2.0~beta1-3_armv7-3.2.ipk"},
		{"12:2.0-1", "x86_64", "hello_2.0-1_x86_64.ipk"},
		// Only a leading numeric epoch is one; later colons stay.
		{"2.0:rc1-1", "all", "hello_2.0:rc1-1_all.ipk"},
	} {
		p := &pack.Package{Name: "hello", Version: tc.version, Arch: tc.arch}
		if got := FileName(p); got != tc.want {
			t.Errorf("FileName(%q, %q) = %q, want %q", tc.version, tc.arch, got, tc.want)
		}
		if got := (Format{}).FileName(p); got != tc.want {
			t.Errorf("Format.FileName(%q, %q) = %q, want %q", tc.version, tc.arch, got, tc.want)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(p *pack.Package)
		want   []string // substrings of the error
	}{
		{"uppercase name", func(p *pack.Package) { p.Name = "Hello" }, []string{`package name "Hello"`}},
		{"underscore name", func(p *pack.Package) { p.Name = "hello_world" }, []string{`package name "hello_world"`}},
		{"one-letter name", func(p *pack.Package) { p.Name = "h" }, []string{`package name "h"`}},
		{"name starting with dash", func(p *pack.Package) { p.Name = "-hello" }, []string{`package name "-hello"`}},
		{"empty version", func(p *pack.Package) { p.Version = "" }, []string{"version is empty"}},
		{"version with space", func(p *pack.Package) { p.Version = "1.0 -1" }, []string{`version "1.0 -1"`}},
		{"empty arch", func(p *pack.Package) { p.Arch = "" }, []string{"architecture is empty"}},
		{"negative epoch", func(p *pack.Package) { p.Epoch = -1 }, []string{"epoch -1"}},
		{"newline in maintainer", func(p *pack.Package) { p.Maintainer = "Jane\nDepends: evil" }, []string{"maintainer", "line break"}},
		{"newline in summary", func(p *pack.Package) { p.Summary = "one\ntwo" }, []string{"summary", "line break"}},
		{"carriage return in homepage", func(p *pack.Package) { p.Homepage = "https://x\r" }, []string{"homepage", "line break"}},
		{"newline in depends", func(p *pack.Package) { p.Depends = []string{"a\nb"} }, []string{"depends entry"}},
		{"empty conflicts entry", func(p *pack.Package) { p.Conflicts = []string{" "} }, []string{"conflicts entry"}},
		{"description without summary", func(p *pack.Package) { p.Summary = ""; p.Description = "long" }, []string{"needs a summary"}},
		{"unknown script", func(p *pack.Package) { p.Scripts = map[string]string{"configure": "#!/bin/sh\n"} }, []string{`unknown install script "configure"`}},
		{"duplicate conffile", func(p *pack.Package) { p.Conffiles = []string{"/etc/x", "/etc/x"} }, []string{`conffile "/etc/x" listed twice`}},
		{"relative conffile", func(p *pack.Package) { p.Conffiles = []string{"etc/x"} }, []string{`conffile "etc/x"`}},
		{"all at once", func(p *pack.Package) { p.Name = "X"; p.Version = ""; p.Arch = "" },
			[]string{`package name "X"`, "version is empty", "architecture is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := fullPackage()
			tc.change(p)
			err := Validate(p)
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if err := Validate(nil); err == nil {
		t.Error("Validate(nil) succeeded")
	}
}
