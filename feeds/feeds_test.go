package feeds

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/version"
)

const sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// index names libx 1.0-1 and 2.0-1 (pinned, the newer depending on liby
// and a choice) and libz, whose SHA256sum is missing.
var index = "Package: libx\nVersion: 1.0-1\nArchitecture: armv7\nFilename: pool/libx_1.0-1_armv7.ipk\nSHA256sum: " + sum + "\n\n" +
	"Package: libx\nVersion: 2.0-1\nArchitecture: armv7\nFilename: ./pool/libx_2.0-1_armv7.ipk\nSHA256sum: " + strings.ToUpper(sum) + "\n" +
	"Depends: liby (>= 1.1), libc6:any, liba | libb (<< 3)\n\n" +
	"Package: libz\nVersion: 1\nArchitecture: all\nFilename: libz;rm.ipk\n"

func TestFindAndPin(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Packages"), []byte(index), 0o644)
	url := "http://127.0.0.1:1/armv7/Packages"
	fs, err := ReadAll([]Index{{URL: url, File: filepath.Join(dir, "Packages")}})
	if err != nil {
		t.Fatal(err)
	}
	archs := []string{"armv7", "all"}
	dep := func(s string) version.Dep { d, _ := version.ParseDep(s); return d }

	e, f, err := Find(fs, dep("libx"), archs)
	if err != nil || e.Version != "2.0-1" || f.URL != url {
		t.Fatalf("Find(libx) = %v %v %v", e, f.URL, err)
	}
	pin, err := f.Pin(e)
	want := Pinned{URL: "http://127.0.0.1:1/armv7/pool/libx_2.0-1_armv7.ipk", SHA256: sum, File: "libx_2.0-1_armv7.ipk"}
	if err != nil || pin != want {
		t.Errorf("Pin = %+v %v, want %+v", pin, err, want)
	}
	if got := Depends(e); !reflect.DeepEqual(got, []string{"liby (>= 1.1)", "libc6:any", "liba | libb (<< 3)"}) {
		t.Errorf("Depends = %q", got)
	}
	if e, _, err := Find(fs, dep("libx << 2.0"), archs); err != nil || e.Version != "1.0-1" {
		t.Errorf("Find(libx << 2.0) = %v %v", e, err)
	}
	_, _, err = Find(fs, dep("libx >= 3.0"), archs)
	if w := "libx (>= 3.0): feed " + url + ": no version of libx satisfies >= 3.0 (it has 1.0-1, 2.0-1)"; err == nil || err.Error() != w {
		t.Errorf("Find(>= 3.0) = %v, want %q", err, w)
	}
	if _, _, err := Find(nil, dep("libx"), archs); err == nil || err.Error() != "libx: no feed serves this target" {
		t.Errorf("Find without feeds = %v", err)
	}
	e, f, err = Find(fs, dep("libz"), archs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Pin(e); err == nil || !strings.Contains(err.Error(), "package libz 1 has no SHA256sum in the index") {
		t.Errorf("Pin of an unpinned package = %v", err)
	}
	e.SHA256 = sum
	if pin, err := f.Pin(e); err != nil || pin.File != "libz.ipk" {
		t.Errorf("Pin of an odd file name = %+v %v", pin, err)
	}
}

func TestRelation(t *testing.T) {
	for in, want := range map[string][]version.Dep{
		"liby (>= 1.1)":      {{Name: "liby", Op: ">=", Version: "1.1"}},
		"libc6:any":          {{Name: "libc6"}},
		"liba | libb (<< 3)": {{Name: "liba"}, {Name: "libb", Op: "<<", Version: "3"}},
	} {
		got, err := Relation(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Relation(%q) = %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"a |", "(>= 1)", "a (>= )"} {
		if _, err := Relation(bad); err == nil {
			t.Errorf("Relation(%q) succeeded", bad)
		}
	}
}

func TestParseNamesFeed(t *testing.T) {
	if _, err := Parse("http://127.0.0.1:1/Packages", []byte("Package: x\n")); err == nil || !strings.Contains(err.Error(), "feed http://127.0.0.1:1/Packages: index: ") {
		t.Errorf("Parse of a bad index = %v", err)
	}
}
