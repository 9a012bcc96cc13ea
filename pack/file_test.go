package pack

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// fakeFormat writes "<name>:<root>" in two halves and can fail in between,
// like a format that dies halfway through a large package.
type fakeFormat struct{ fail bool }

func (fakeFormat) Name() string               { return "fake" }
func (fakeFormat) FileName(p *Package) string { return p.Name + ".fake" }
func (f fakeFormat) Pack(p *Package, root string, w io.Writer) error {
	if _, err := io.WriteString(w, p.Name+":"); err != nil {
		return err
	}
	if f.fail {
		return errors.New("disk on fire")
	}
	_, err := io.WriteString(w, root)
	return err
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	out := t.TempDir()
	old := syscall.Umask(0o077) // the package must still be 0644
	defer syscall.Umask(old)
	path, err := WriteFile(fakeFormat{}, &Package{Name: "hello"}, "/root/tree", out)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(out, "hello.fake") {
		t.Errorf("path = %q", path)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "hello:/root/tree" {
		t.Errorf("content %q, %v", data, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", st.Mode(), err)
	}
	if names := listDir(t, out); len(names) != 1 {
		t.Errorf("out dir holds %q, want only the package", names)
	}
}

func TestWriteFileFailure(t *testing.T) {
	out := t.TempDir()
	final := filepath.Join(out, "hello.fake")
	if err := os.WriteFile(final, []byte("previous build"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := WriteFile(fakeFormat{fail: true}, &Package{Name: "hello"}, "/root/tree", out)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), final) {
		t.Fatalf("error %v, want the format's error naming %s", err, final)
	}
	// The previous package is untouched and no temporary file is left.
	if data, _ := os.ReadFile(final); string(data) != "previous build" {
		t.Errorf("final file now holds %q", data)
	}
	if names := listDir(t, out); !reflect.DeepEqual(names, []string{"hello.fake"}) {
		t.Errorf("out dir holds %q", names)
	}

	if _, err := WriteFile(fakeFormat{}, &Package{Name: "../escape"}, "/", out); err == nil {
		t.Error("a file name with a directory part was accepted")
	}
	if _, err := WriteFile(fakeFormat{}, &Package{Name: "x"}, "/", filepath.Join(out, "missing")); err == nil {
		t.Error("a missing output directory was accepted")
	}
}

func TestReadPackageJSON(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	good := file("good.json", `{"name":"hello","version":"1:1.0-1","arch":"rmall","maintainer":"J <j@x>",
		"summary":"Hi","depends":["a","b (>= 1)"],"scripts":{"postinst":"#!/bin/sh\n"},
		"conffiles":["/etc/x"],"epoch":1714521600}`)
	p, err := ReadPackageJSON(good)
	if err != nil {
		t.Fatal(err)
	}
	want := &Package{Name: "hello", Version: "1:1.0-1", Arch: "rmall", Maintainer: "J <j@x>", Summary: "Hi",
		Depends: []string{"a", "b (>= 1)"}, Scripts: map[string]string{"postinst": "#!/bin/sh\n"},
		Conffiles: []string{"/etc/x"}, Epoch: 1714521600}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got %+v\nwant %+v", p, want)
	}

	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"unknown.json", `{"name":"x","colour":"red"}`, []string{"unknown.json", `unknown field "colour"`}},
		{"syntax.json", "{\n  \"name\": \"x\",\n  oops\n}", []string{"syntax.json:3:", "invalid character"}},
		{"type.json", `{"epoch":"soon"}`, []string{"type.json", "epoch"}},
		{"null.json", `null`, []string{"null.json", "got null"}},
		{"trailing.json", `{"name":"x"} {}`, []string{"trailing.json", "after the JSON object"}},
		{"empty.json", ``, []string{"empty.json", "file is empty"}},
	} {
		_, err := ReadPackageJSON(file(tc.name, tc.content))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
	missing := filepath.Join(dir, "missing.json")
	if _, err := ReadPackageJSON(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: error %v should name %s", err, missing)
	}
}

func TestDecodeOptionsUnknown(t *testing.T) {
	type opts struct {
		DisplayName string `json:"displayname"`
		Beta        bool   `json:"beta,omitempty"`
	}
	for _, c := range []struct {
		raw  string
		v    any
		want string
	}{
		{`{"dispalyname": "x"}`, &opts{}, `formats.spk: unknown option "dispalyname" (did you mean "displayname"?)`},
		{`{"colour": 1}`, &opts{}, `formats.spk: unknown option "colour" (known: beta, displayname)`},
		{`{"arch": "rm2"}`, &struct{}{}, `formats.spk: unknown option "arch" (formats.spk takes no options)`},
	} {
		if err := DecodeOptions("spk", []byte(c.raw), c.v); err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %s", c.raw, err, c.want)
		}
	}
}

func TestDerive(t *testing.T) {
	p := &Package{Depends: []string{"libgreet (>= 1.0)", "display (<< 3.0) | rm2fb"}}
	p.Derive([]string{"display (>= 2.0-1)", "libgreet (>= 1.2.0-1)", "libz (>= 1.3-1)"}, []string{"libapp.so.2"})
	want := []string{"libgreet (>= 1.0)", "display (<< 3.0) | rm2fb", "libz (>= 1.3-1)"}
	if !reflect.DeepEqual(p.Depends, want) || !reflect.DeepEqual(p.Sonames, []string{"libapp.so.2"}) {
		t.Errorf("Derive: depends %q, sonames %q; want %q (the recipe's own relation stands)", p.Depends, p.Sonames, want)
	}
}
