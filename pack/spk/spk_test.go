package spk

import (
	"archive/tar"
	"bytes"
	"crypto/md5"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

func packBytes(t *testing.T, p *pack.Package, o Options, root string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := PackWithOptions(p, o, root, &buf); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	return buf.Bytes()
}

// withIcon is fullOptions with a 64x64 icon file (the 256x256 one is then
// scaled from it), written to a new temporary directory.
func withIcon(t *testing.T, p *pack.Package) Options {
	o := fullOptions(p)
	o.Icon = writeFile(t, "icon.png", DefaultIcon("other", "K", IconSize))
	return o
}

// fullTree is the packtest tree plus the desktop UI directory fullOptions
// names as dsmuidir.
func fullTree(t *testing.T, v packtest.Variant) string {
	t.Helper()
	root := packtest.BuildTree(t, v)
	if err := os.Mkdir(filepath.Join(root, "ui"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "ui/config"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// members reads an uncompressed tar into name -> content.
func members(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return m
		}
		if err != nil {
			t.Fatal(err)
		}
		if m[h.Name], err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
}

// listSpk renders a .spk for golden files: the outer tar listing, the text
// members' content, the icons' sizes, the package.tgz listing and the
// whole file's sha256 (so a passing run elsewhere produced the same bytes).
func listSpk(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(packtest.ListTar(t, data, false))
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		switch name := h.Name; {
		case h.Typeflag != tar.TypeReg:
		case name == "package.tgz":
			b.WriteString("package.tgz:\n" + packtest.ListTarGz(t, content, false))
		case strings.HasSuffix(name, ".PNG"):
			cfg, err := png.DecodeConfig(bytes.NewReader(content))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			fmt.Fprintf(&b, "%s: PNG %dx%d\n", name, cfg.Width, cfg.Height)
		default:
			b.WriteString(name + ":\n")
			for _, l := range strings.SplitAfter(string(content), "\n") {
				if l != "" {
					fmt.Fprintf(&b, "    | %q\n", l)
				}
			}
		}
	}
	return b.String() + "sha256 " + packtest.SHA256(data) + "\n"
}

func TestRegistered(t *testing.T) {
	f, err := pack.Lookup("spk")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "spk" {
		t.Errorf("Lookup(spk).Name() = %q", f.Name())
	}
}

func TestArchiveGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *pack.Package
		o    func(t *testing.T, p *pack.Package) Options
		root func(t *testing.T) string
	}{
		{"archive_minimal", minimalPackage(),
			func(t *testing.T, p *pack.Package) Options { return DefaultOptions(p) },
			func(t *testing.T) string { return t.TempDir() }},
		{"archive_full", fullPackage(), withIcon,
			func(t *testing.T) string { return fullTree(t, packtest.Default) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := packBytes(t, tc.p, tc.o(t, tc.p), tc.root(t))
			packtest.Golden(t, tc.name, listSpk(t, data))
		})
	}
}

// TestReproducible packs the test tree created two ways that must not
// matter: creation order, mtimes after the epoch, umask, the root's mode,
// the tree's location (and the icon file's).
func TestReproducible(t *testing.T) {
	p := fullPackage()
	a := packBytes(t, p, withIcon(t, p), fullTree(t, packtest.Default))
	b := packBytes(t, p, withIcon(t, p), fullTree(t, packtest.Other))
	if ha, hb := packtest.SHA256(a), packtest.SHA256(b); ha != hb {
		t.Fatalf("packages differ: %s vs %s\n--- default\n%s--- other\n%s", ha, hb, listSpk(t, a), listSpk(t, b))
	}
	// And the Format entry point, with default icons, twice.
	var x, y bytes.Buffer
	if err := (Format{}).Pack(p, packtest.BuildTree(t, packtest.Default), &x); err != nil {
		t.Fatal(err)
	}
	if err := (Format{}).Pack(p, packtest.BuildTree(t, packtest.Other), &y); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Error("Format.Pack is not reproducible")
	}
}

// TestChanges checks that what does matter changes the package.
func TestChanges(t *testing.T) {
	p := fullPackage()
	icon := writeFile(t, "icon.png", DefaultIcon("other", "K", IconSize))
	opts := func(p *pack.Package) Options { o := fullOptions(p); o.Icon = icon; return o }
	base := packtest.SHA256(packBytes(t, p, opts(p), fullTree(t, packtest.Default)))
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string, p *pack.Package, o *Options)
	}{
		{"content", func(t *testing.T, root string, p *pack.Package, o *Options) {
			f := filepath.Join(root, "opt/bin/hello")
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, []byte("#!/bin/sh\necho HELLO\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(f, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"mode", func(t *testing.T, root string, p *pack.Package, o *Options) {
			if err := os.Chmod(filepath.Join(root, "etc/hello.conf"), 0o640); err != nil {
				t.Fatal(err)
			}
		}},
		{"version", func(t *testing.T, root string, p *pack.Package, o *Options) { p.Version = "1:1.2.0-4" }},
		{"epoch", func(t *testing.T, root string, p *pack.Package, o *Options) { p.Epoch++ }},
		{"option", func(t *testing.T, root string, p *pack.Package, o *Options) { o.DisplayName = "Hi" }},
		{"script", func(t *testing.T, root string, p *pack.Package, o *Options) { o.Scripts["preinst"] += "\n" }},
		{"icon", func(t *testing.T, root string, p *pack.Package, o *Options) {
			o.Icon = writeFile(t, "icon.png", DefaultIcon("other", "L", IconSize))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fullTree(t, packtest.Default)
			p := fullPackage()
			o := opts(p)
			tc.change(t, root, p, &o)
			if got := packtest.SHA256(packBytes(t, p, o, root)); got == base {
				t.Errorf("package unchanged after changing %s", tc.name)
			}
		})
	}
}

func TestChecksumAndSize(t *testing.T) {
	p := fullPackage()
	data := packBytes(t, p, DefaultOptions(p), packtest.BuildTree(t, packtest.Default))
	m := members(t, data)
	info := string(m["INFO"])
	if sum := fmt.Sprintf("%x", md5.Sum(m["package.tgz"])); !strings.Contains(info, `checksum="`+sum+`"`) {
		t.Errorf("INFO checksum is not the MD5 %s of package.tgz:\n%s", sum, info)
	}
	// The test tree: 15 directories (root included) and 6 non-empty
	// regular files of under 4 KiB (the hard link counted again), one
	// 4 KiB block each; the empty file and the symlinks take none.
	if want := `extractsize="` + fmt.Sprint((15+6)*4) + `"`; !strings.Contains(info, want) {
		t.Errorf("INFO lacks %s:\n%s", want, info)
	}
}

func TestPackErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, root string, p *pack.Package, o *Options)
		want   []string
	}{
		{"invalid identity", func(t *testing.T, root string, p *pack.Package, o *Options) { o.Package = "a|b" },
			[]string{`identity "a|b"`}},
		{"newline in field", func(t *testing.T, root string, p *pack.Package, o *Options) { o.Changelog = "a\nb" },
			[]string{"changelog", "line break"}},
		{"icon not square", func(t *testing.T, root string, p *pack.Package, o *Options) {
			o.Icon = writeFile(t, "wide.png", encodePNG(image.NewRGBA(image.Rect(0, 0, 64, 32))))
		}, []string{"icon ", "64x32, want a square icon"}},
		{"256 icon too small", func(t *testing.T, root string, p *pack.Package, o *Options) {
			o.Icon256 = writeFile(t, "tiny.png", encodePNG(image.NewRGBA(image.Rect(0, 0, 8, 8))))
		}, []string{"icon_256", "8x8, want a square icon"}},
		{"icon not a PNG", func(t *testing.T, root string, p *pack.Package, o *Options) {
			o.Icon = writeFile(t, "icon.jpg", []byte("\xff\xd8\xff\xe0 not a png"))
		}, []string{"icon.jpg: not a PNG image"}},
		{"truncated PNG", func(t *testing.T, root string, p *pack.Package, o *Options) {
			data := DefaultIcon("x", "", IconSize)
			o.Icon = writeFile(t, "cut.png", data[:len(data)-20])
		}, []string{"cut.png: corrupt PNG"}},
		{"missing icon", func(t *testing.T, root string, p *pack.Package, o *Options) { o.Icon = "/nonexistent/icon.png" },
			[]string{"icon: open /nonexistent/icon.png"}},
		{"unknown script", func(t *testing.T, root string, p *pack.Package, o *Options) { o.Scripts["configure"] = "#!/bin/sh\n" },
			[]string{`unknown spk script "configure"`}},
		{"fifo in tree", func(t *testing.T, root string, p *pack.Package, o *Options) {
			if err := syscall.Mkfifo(filepath.Join(root, "opt/bin/pipe"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"opt/bin/pipe", "fifo"}},
		{"missing dsmuidir", func(t *testing.T, root string, p *pack.Package, o *Options) {
			if err := os.RemoveAll(filepath.Join(root, "ui")); err != nil {
				t.Fatal(err)
			}
		}, []string{`dsmuidir "ui" is not a directory`}},
		{"missing root", func(t *testing.T, root string, p *pack.Package, o *Options) {
			if err := os.RemoveAll(root); err != nil {
				t.Fatal(err)
			}
		}, []string{"no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fullTree(t, packtest.Default)
			p := fullPackage()
			o := fullOptions(p)
			tc.change(t, root, p, &o)
			var buf bytes.Buffer
			err := PackWithOptions(p, o, root, &buf)
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

func TestPackNil(t *testing.T) {
	if err := (Format{}).Pack(nil, t.TempDir(), io.Discard); err == nil {
		t.Error("Pack(nil) succeeded")
	}
	if err := PackWithOptions(nil, Options{}, t.TempDir(), io.Discard); err == nil {
		t.Error("PackWithOptions(nil) succeeded")
	}
}

func TestWriteFile(t *testing.T) {
	out := t.TempDir()
	p := fullPackage()
	root := packtest.BuildTree(t, packtest.Default)
	path, err := pack.WriteFile(Format{}, p, root, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(out, "hello-x86_64-1.2.0-3.spk"); path != want {
		t.Errorf("WriteFile path = %q, want %q", path, want)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, packBytes(t, p, DefaultOptions(p), root)) {
		t.Error("WriteFile and PackWithOptions(DefaultOptions) disagree")
	}

	// An invalid package fails with Pack's error, not a file-name one,
	// and leaves nothing behind.
	p.Version = "1.0~rc1"
	_, err = pack.WriteFile(Format{}, p, root, out)
	if err == nil || !strings.Contains(err.Error(), "formats.spk.version") {
		t.Errorf("WriteFile(invalid) = %v, want the version error", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 1 {
		t.Errorf("out dir holds %d files, want 1", len(entries))
	}
}

// TestWizard: the wizard directory's files go to WIZARD_UIFILES/, and a
// file Package Center would not read is refused.
func TestWizard(t *testing.T) {
	p := fullPackage()
	dir := t.TempDir()
	for name, data := range map[string]string{"install_uifile": `[{"step_title": "Hi"}]`, "install_uifile_fre": `[{"step_title": "Salut"}]`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := fullOptions(p)
	o.Wizard = dir
	m := members(t, packBytes(t, p, o, fullTree(t, packtest.Variant{})))
	if got := string(m["WIZARD_UIFILES/install_uifile_fre"]); got != `[{"step_title": "Salut"}]` {
		t.Errorf("WIZARD_UIFILES/install_uifile_fre = %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := PackWithOptions(p, o, fullTree(t, packtest.Variant{}), &buf); err == nil || !strings.Contains(err.Error(), "notes.txt is not a wizard file") {
		t.Errorf("a stray file in the wizard directory: %v", err)
	}
}
