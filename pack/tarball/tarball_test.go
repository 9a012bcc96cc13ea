package tarball

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack/internal/packtest"
)

const epoch = packtest.Epoch

func readTar(t *testing.T, data []byte) (hdrs []*tar.Header, contents map[string]string) {
	t.Helper()
	contents = map[string]string{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hdrs, contents
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		hdrs = append(hdrs, h)
		contents[h.Name] = string(b)
	}
}

func write(t *testing.T, root string, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, root, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteTree(t *testing.T) {
	root := packtest.BuildTree(t, packtest.Default)
	hdrs, contents := readTar(t, write(t, root, Options{Epoch: epoch, Prefix: DotSlash}))

	var names []string
	for _, h := range hdrs {
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "root" || h.Gname != "root" {
			t.Errorf("%s: owner %d:%d %s/%s, want 0:0 root/root", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if h.Format != tar.FormatGNU || len(h.PAXRecords) > 0 {
			t.Errorf("%s: format %v, PAX records %v; want GNU without PAX", h.Name, h.Format, h.PAXRecords)
		}
		if !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() {
			t.Errorf("%s: atime/ctime written", h.Name)
		}
		if !strings.HasPrefix(h.Name, "./") || (h.Typeflag == tar.TypeDir) != strings.HasSuffix(h.Name, "/") {
			t.Errorf("%s: want ./ prefix, and a trailing / exactly on directories", h.Name)
		}
		want := time.Unix(epoch, 0)
		if h.Name == "./etc/hello.conf" {
			want = time.Unix(packtest.BeforeEpoch, 0)
		}
		if !h.ModTime.Equal(want) {
			t.Errorf("%s: mtime %v, want %v", h.Name, h.ModTime.Unix(), want.Unix())
		}
	}
	if names[0] != "./" {
		t.Errorf("first entry %q, want ./", names[0])
	}
	sorted := sort.SliceIsSorted(names, func(i, j int) bool {
		return strings.TrimSuffix(names[i], "/") < strings.TrimSuffix(names[j], "/")
	})
	if !sorted {
		t.Errorf("entries not in byte order:\n%s", strings.Join(names, "\n"))
	}

	byName := map[string]*tar.Header{}
	for _, h := range hdrs {
		byName[h.Name] = h
	}
	for name, want := range map[string]struct {
		typ  byte
		mode int64
	}{
		"./":                    {tar.TypeDir, 0o755}, // the root is 0755 whatever its mode
		"./opt/bin/hello":       {tar.TypeReg, 0o755},
		"./opt/bin-extra.txt":   {tar.TypeReg, 0o600},
		"./opt/bin/suid-helper": {tar.TypeReg, 0o4755},
		"./var/lib/hello/":      {tar.TypeDir, 0o2775},
		"./var/tmp/":            {tar.TypeDir, 0o1777},
		"./usr/bin/hello":       {tar.TypeSymlink, 0o777},
		// A hard link is stored as a second regular file with the content.
		"./opt/bin/hello-hardlink": {tar.TypeReg, 0o755},
		"./" + packtest.LongName:   {tar.TypeReg, 0o644},
	} {
		h := byName[name]
		if h == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if h.Typeflag != want.typ || h.Mode != want.mode {
			t.Errorf("%s: type %c mode %o, want %c %o", name, h.Typeflag, h.Mode, want.typ, want.mode)
		}
	}
	if l := byName["./usr/share/hello-long-link"]; l == nil || l.Linkname != packtest.LongTarget {
		t.Errorf("long symlink target not kept: %+v", l)
	}
	if c := contents["./opt/bin/hello-hardlink"]; c != "#!/bin/sh\necho hello\n" {
		t.Errorf("hard link content %q", c)
	}
}

func TestPrefix(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"f"}}, // no name for the root, so no root entry
		{DotSlash, []string{"./", "./f"}},
		{"package/", []string{"package/", "package/f"}},
	} {
		hdrs, _ := readTar(t, write(t, root, Options{Epoch: epoch, Prefix: tc.prefix}))
		var got []string
		for _, h := range hdrs {
			got = append(got, h.Name)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("prefix %q: names %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a := write(t, packtest.BuildTree(t, packtest.Default), Options{Epoch: epoch, Prefix: DotSlash})
	b := write(t, packtest.BuildTree(t, packtest.Other), Options{Epoch: epoch, Prefix: DotSlash})
	if !bytes.Equal(a, b) {
		t.Error("same tree created differently gives different tar bytes")
	}
}

func TestSpecialFiles(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		make       func(path string) error
	}{
		{"fifo", "fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"socket", "socket", func(p string) error {
			l, err := net.Listen("unix", p)
			if err != nil {
				return err
			}
			l.(*net.UnixListener).SetUnlinkOnClose(false)
			return l.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, "sub", "special")
			if err := os.Mkdir(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(p); err != nil {
				t.Fatal(err)
			}
			err := Write(io.Discard, root, Options{Epoch: epoch})
			if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s and %q", err, p, tc.want)
			}
		})
	}
}

func TestEntries(t *testing.T) {
	entries := []Entry{
		{Name: "b", Mode: 0o755, Data: []byte("script")},
		{Name: "a", Mode: 0o644, Data: []byte("control"), ModTime: time.Unix(epoch-10, 0)},
		{Name: ".", Mode: fs.ModeDir | 0o755},
		{Name: "-x", Mode: 0o644}, // sorts before "." in byte order, yet after the root
	}
	var buf bytes.Buffer
	if err := WriteEntries(&buf, entries, Options{Epoch: epoch, Prefix: DotSlash}); err != nil {
		t.Fatal(err)
	}
	hdrs, contents := readTar(t, buf.Bytes())
	var got []string
	for _, h := range hdrs {
		got = append(got, h.Name)
	}
	if want := "./ ./-x ./a ./b"; strings.Join(got, " ") != want {
		t.Errorf("names %q, want %q", got, want)
	}
	if hdrs[2].ModTime.Unix() != epoch-10 || hdrs[3].ModTime.Unix() != epoch {
		t.Errorf("mtimes %d, %d: want kept, zero->epoch", hdrs[2].ModTime.Unix(), hdrs[3].ModTime.Unix())
	}
	if contents["./b"] != "script" || hdrs[1].Size != 0 {
		t.Errorf("contents %q", contents)
	}
	if entries[0].Name != "b" {
		t.Error("WriteEntries reordered its argument")
	}

	for _, bad := range [][]Entry{
		{{Name: "../x"}},
		{{Name: "/abs"}},
		{{Name: "a/../b"}},
		{{Name: "a/"}},
		{{Name: ""}},
		{{Name: "x"}, {Name: "x"}},
		{{Name: "dev", Mode: fs.ModeDevice}},
	} {
		if err := WriteEntries(io.Discard, bad, Options{}); err == nil {
			t.Errorf("WriteEntries(%+v) succeeded", bad)
		}
	}
}

func TestChangedWhilePacking(t *testing.T) {
	root := t.TempDir()
	f := filepath.Join(root, "grows")
	if err := os.WriteFile(f, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	entries, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte("ab"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = WriteEntries(io.Discard, entries, Options{})
	if err == nil || !strings.Contains(err.Error(), "changed while packing") {
		t.Errorf("error %v, want changed while packing", err)
	}
}

func TestScanRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Scan(file) = %v", err)
	}
	if _, err := Scan(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Scan(missing) = %v", err)
	}
	// A root reached through a symlink is followed.
	link := filepath.Join(dir, "link")
	if err := os.Symlink(packtest.BuildTree(t, packtest.Default), link); err != nil {
		t.Fatal(err)
	}
	entries, err := Scan(link)
	if err != nil || len(entries) < 10 {
		t.Errorf("Scan(symlink to tree) = %d entries, %v", len(entries), err)
	}
}

func TestInstalledSize(t *testing.T) {
	entries, err := Scan(packtest.BuildTree(t, packtest.Default))
	if err != nil {
		t.Fatal(err)
	}
	// Regular files of the test tree, the hard link counted again.
	if got, want := InstalledSize(entries), int64(0+15+8+21+21+16+5); got != want {
		t.Errorf("InstalledSize = %d, want %d", got, want)
	}
}

func TestGzipHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEntriesGzip(&buf, []Entry{{Name: ".", Mode: fs.ModeDir | 0o755}}, Options{Epoch: epoch, Prefix: DotSlash}); err != nil {
		t.Fatal(err)
	}
	h := buf.Bytes()[:10]
	// ID1 ID2 CM=deflate FLG=0 (no name/comment/extra) MTIME=0 XFL=2 (level 9) OS=255.
	want := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255}
	if !bytes.Equal(h, want) {
		t.Errorf("gzip header % x, want % x", h, want)
	}
	packtest.ListTarGz(t, buf.Bytes(), false) // decompresses cleanly
}
