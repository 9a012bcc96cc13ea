package ipk

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

// scriptedPackage is fullPackage plus install scripts and a conffile, so
// the control archive shows every member it can hold.
func scriptedPackage() *pack.Package {
	p := fullPackage()
	p.Scripts = map[string]string{
		"postinst": "#!/bin/sh\necho configured\n",
		"prerm":    "#!/bin/sh\necho removing\n",
	}
	p.Conffiles = []string{"/etc/hello.conf"}
	return p
}

func packBytes(t *testing.T, p *pack.Package, root string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (Format{}).Pack(p, root, &buf); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	return buf.Bytes()
}

func TestRegistered(t *testing.T) {
	f, err := pack.Lookup("ipk")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "ipk" {
		t.Errorf("Lookup(ipk).Name() = %q", f.Name())
	}
}

func TestArchiveGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *pack.Package
		root func(t *testing.T) string
	}{
		{"archive_empty", minimalPackage(), func(t *testing.T) string { return t.TempDir() }},
		{"archive_tree", scriptedPackage(), func(t *testing.T) string { return packtest.BuildTree(t, packtest.Default) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := packBytes(t, tc.p, tc.root(t))
			// The whole-file hash is in the golden file too: a run on another
			// machine that passes has produced the very same bytes.
			packtest.Golden(t, tc.name, packtest.ListAr(t, data)+"sha256 "+packtest.SHA256(data)+"\n")
		})
	}
}

// TestReproducible packs the test tree created two ways that must not
// matter: creation order, mtimes after the epoch, umask, the root's own
// mode, and the tree's location.
func TestReproducible(t *testing.T) {
	p := scriptedPackage()
	a := packBytes(t, p, packtest.BuildTree(t, packtest.Default))
	b := packBytes(t, p, packtest.BuildTree(t, packtest.Other))
	if ha, hb := packtest.SHA256(a), packtest.SHA256(b); ha != hb {
		t.Fatalf("packages differ: %s vs %s\n--- default\n%s--- other\n%s",
			ha, hb, packtest.ListAr(t, a), packtest.ListAr(t, b))
	}
}

// TestChanges checks that what does matter changes the package.
func TestChanges(t *testing.T) {
	p := scriptedPackage()
	base := packtest.SHA256(packBytes(t, p, packtest.BuildTree(t, packtest.Default)))
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string, p *pack.Package)
	}{
		{"content", func(t *testing.T, root string, p *pack.Package) {
			f := filepath.Join(root, "opt/bin/hello")
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			// Same size and mtime: only the bytes differ.
			if err := os.WriteFile(f, []byte("#!/bin/sh\necho HELLO\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(f, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"mode", func(t *testing.T, root string, p *pack.Package) {
			if err := os.Chmod(filepath.Join(root, "etc/hello.conf"), 0o640); err != nil {
				t.Fatal(err)
			}
		}},
		{"metadata", func(t *testing.T, root string, p *pack.Package) { p.Version = "1:1.2.0~beta1-4" }},
		{"epoch", func(t *testing.T, root string, p *pack.Package) { p.Epoch++ }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := packtest.BuildTree(t, packtest.Default)
			p := scriptedPackage()
			tc.change(t, root, p)
			if got := packtest.SHA256(packBytes(t, p, root)); got == base {
				t.Errorf("package unchanged after changing %s", tc.name)
			}
		})
	}
}

func TestPackErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string, p *pack.Package)
		want   []string
	}{
		{"invalid name", func(t *testing.T, root string, p *pack.Package) { p.Name = "Hello_World" },
			[]string{`package name "Hello_World"`}},
		{"newline in field", func(t *testing.T, root string, p *pack.Package) { p.License = "MIT\nDepends: x" },
			[]string{"license", "line break"}},
		{"fifo in tree", func(t *testing.T, root string, p *pack.Package) {
			if err := syscall.Mkfifo(filepath.Join(root, "opt/bin/pipe"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"opt/bin/pipe", "fifo"}},
		{"missing conffile", func(t *testing.T, root string, p *pack.Package) {
			p.Conffiles = append(p.Conffiles, "/etc/missing.conf", "/opt/bin")
		}, []string{"/etc/missing.conf", "/opt/bin"}},
		{"missing root", func(t *testing.T, root string, p *pack.Package) {
			if err := os.RemoveAll(root); err != nil {
				t.Fatal(err)
			}
		}, []string{"no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := packtest.BuildTree(t, packtest.Default)
			p := scriptedPackage()
			tc.change(t, root, p)
			var buf bytes.Buffer
			err := (Format{}).Pack(p, root, &buf)
			if err == nil {
				t.Fatal("Pack succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("Pack wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	out := t.TempDir()
	p := scriptedPackage()
	root := packtest.BuildTree(t, packtest.Default)
	path, err := pack.WriteFile(Format{}, p, root, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(out, "hello_1.2.0~beta1-3_rmall.ipk"); path != want {
		t.Errorf("WriteFile path = %q, want %q", path, want)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, packBytes(t, p, root)) {
		t.Error("WriteFile and Pack disagree")
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Errorf("out dir holds %d files, want 1", len(entries))
	}
}

// TestCheckOptions: formats.ipk takes no options; a key there is refused
// (before, {arch: rm2} was accepted and dropped).
func TestCheckOptions(t *testing.T) {
	p := fullPackage()
	for _, ok := range []string{"", "null", "{}"} {
		p.Options = []byte(ok)
		if err := (Format{}).Check(p); err != nil {
			t.Errorf("options %q: %v", ok, err)
		}
	}
	p.Options = []byte(`{"arch":"rm2"}`)
	err := (Format{}).Check(p)
	if err == nil || !strings.Contains(err.Error(), `formats.ipk: unknown option "arch" (formats.ipk takes no options); the architecture comes from the target`) {
		t.Fatalf("options {arch: rm2}: got %v", err)
	}
	if err := (Format{}).Pack(p, t.TempDir(), &bytes.Buffer{}); err == nil {
		t.Error("Pack accepted an unknown option")
	}
}
