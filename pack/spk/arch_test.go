package spk

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
)

func TestArch(t *testing.T) {
	for in, want := range map[string]string{
		// kiln targets
		"x86_64": "x86_64", "aarch64": "armv8", "armv7": "armv7", "noarch": "noarch",
		// other spellings of the same families
		"amd64": "x86_64", "arm64": "armv8", "armhf": "armv7", "all": "noarch",
		// Synology families and platforms as themselves
		"armv8": "armv8", "i686": "i686", "apollolake": "apollolake", "rtd1619b": "rtd1619b", "armada38x": "armada38x",
	} {
		if got, err := Arch(in); err != nil || got != want {
			t.Errorf("Arch(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "riscv64", "X86_64", "mips", "rmall"} {
		if _, err := Arch(bad); err == nil || !strings.Contains(err.Error(), "unknown Synology arch") {
			t.Errorf("Arch(%q) = %v, want unknown arch error", bad, err)
		}
	}
}

func TestFamilies(t *testing.T) {
	// pkgscripts-ng's plat_to_family, including its "armv7 not ready"
	// platforms, which are families of their own.
	for plat, want := range map[string]string{
		"bromolow": "x86_64", "x64": "x86_64", "geminilake": "x86_64", "epyc7002": "x86_64",
		"evansport": "i686", "alpine": "armv7", "alpine4k": "armv7",
		"rtd1296": "armv8", "armada37xx": "armv8", "rtd1619b": "armv8",
		"armada38x": "armada38x", "comcerto2k": "comcerto2k", "monaco": "monaco",
		"x86_64": "x86_64", "armv8": "armv8",
	} {
		if got := family(plat); got != want {
			t.Errorf("family(%q) = %q, want %q", plat, got, want)
		}
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		version string
		arch    []string
		target  string
		want    string
	}{
		{"1.0-1", nil, "x86_64", "hello-x86_64-1.0-1.spk"},
		{"1:1.2.0-3", nil, "aarch64", "hello-armv8-1.2.0-3.spk"},
		{"1.0", nil, "armv7", "hello-armv7-1.0.spk"},
		// noarch: no arch in the name (pkg_get_spk_name)
		{"1.0.0000", nil, "noarch", "hello-1.0.0000.spk"},
		{"1.0-1", []string{"noarch"}, "x86_64", "hello-1.0-1.spk"},
		// one specific platform: the platform (pkg_get_spk_name)
		{"1.0-1", []string{"bromolow"}, "", "hello-bromolow-1.0-1.spk"},
		// several platforms of a family: the family (pkg_get_spk_family_name)
		{"1.0-1", []string{"bromolow", "x64", "geminilake"}, "", "hello-x86_64-1.0-1.spk"},
		{"1.0-1", []string{"x86_64", "apollolake"}, "", "hello-x86_64-1.0-1.spk"},
		{"1.0-1", []string{"rtd1296", "aarch64"}, "", "hello-armv8-1.0-1.spk"},
		// several families: joined, sorted, whatever the order given
		{"1.0-1", []string{"x86_64", "armv8"}, "", "hello-armv8+x86_64-1.0-1.spk"},
		{"1.0-1", []string{"armv8", "apollolake", "armv7"}, "", "hello-armv7+armv8+x86_64-1.0-1.spk"},
	} {
		p := &pack.Package{Name: "hello", Version: tc.version, Arch: tc.target, Maintainer: "m", Summary: "s"}
		o := DefaultOptions(p)
		o.Arch = tc.arch
		got, err := FileName(p, o)
		if err != nil || got != tc.want {
			t.Errorf("FileName(%s, %v, %q) = %q, %v; want %q", tc.version, tc.arch, tc.target, got, err, tc.want)
		}
		if tc.arch == nil {
			if got := (Format{}).FileName(p); got != tc.want {
				t.Errorf("Format.FileName(%s, %q) = %q, want %q", tc.version, tc.target, got, tc.want)
			}
		}
	}
	// The identity option renames the file; displayname does not.
	p := &pack.Package{Name: "hello", Version: "1.0", Arch: "x86_64", Maintainer: "m", Summary: "s"}
	o := DefaultOptions(p)
	o.Package, o.DisplayName = "HelloWorld", "Hello World"
	if got, _ := FileName(p, o); got != "HelloWorld-x86_64-1.0.spk" {
		t.Errorf("FileName with identity = %q", got)
	}
	// An invalid package still gets a name, so pack.WriteFile reaches Pack
	// and its error.
	p.Version = "1.0~rc1"
	if _, err := FileName(p, DefaultOptions(p)); err == nil {
		t.Error("FileName of an invalid package succeeded")
	}
	if got := (Format{}).FileName(p); got != "hello.spk" {
		t.Errorf("Format.FileName(invalid) = %q, want hello.spk", got)
	}
}
