package syspkg

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

func TestRegistered(t *testing.T) {
	f, err := pack.Lookup("syspkg")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.FileName(testPackage()); got != "hello-1.2.0-x86_64.zip" {
		t.Errorf("FileName = %q", got)
	}
	p := testPackage()
	p.Arch = "noarch"
	if got := f.FileName(p); got != "hello-1.2.0-any.zip" {
		t.Errorf("FileName(noarch) = %q", got)
	}
}

func TestPayloadGolden(t *testing.T) {
	root := buildTree(t, testTree, packtest.Default)
	for _, c := range []string{"zstd", "deflate", "store"} {
		t.Run(c, func(t *testing.T) {
			data := packBytes(t, Format{Compression: c}, testPackage(), root)
			// The whole-file hash is in the golden file too: a run on another
			// machine that passes has produced the very same bytes.
			packtest.Golden(t, "payload_"+c, listZip(t, data)+"sha256 "+packtest.SHA256(data)+"\n")
		})
	}
}

func TestPayloadReproducible(t *testing.T) {
	a := buildTree(t, testTree, packtest.Default)
	b := buildTree(t, testTree, packtest.Other)
	for _, c := range []string{"zstd", "deflate", "store"} {
		t.Run(c, func(t *testing.T) {
			da := packBytes(t, Format{Compression: c}, testPackage(), a)
			db := packBytes(t, Format{Compression: c}, testPackage(), b)
			if packtest.SHA256(da) != packtest.SHA256(db) {
				t.Errorf("payloads of the same tree differ:\n%s\n%s", listZip(t, da), listZip(t, db))
			}
		})
	}
}

// TestPayloadContents reads the zstd payload back with this package's own
// reader and compares every entry with the tree.
func TestPayloadContents(t *testing.T) {
	root := buildTree(t, testTree, packtest.Default)
	data := packBytes(t, Format{}, testPackage(), root)
	zr, err := OpenPayload(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	methods := map[Method]int{}
	for _, f := range zr.File {
		methods[Method(f.Method)]++
	}
	if methods[Zstd] == 0 || methods[Store] == 0 {
		t.Errorf("methods used: %v; want zstd, and store for empty and incompressible files", methods)
	}
	got := readEntries(t, zr)
	for path, want := range map[string]string{
		"bin/hello":               `-rwxr-xr-x "#!/bin/sh\necho hello\n"`,
		"bin/hello-again":         `-rwxr-xr-x "#!/bin/sh\necho hello\n"`,
		"bin/hello-suid":          `urwxr-xr-x "#!/bin/sh\nid -u\n"`,
		"bin/hellod":              `-rwx------ "#!/bin/sh\nexec hello\n"`,
		"bin/hi":                  `Lrwxrwxrwx "hello"`,
		"bin/libhello-link":       `Lrwxrwxrwx "../lib/libhello.so.1"`,
		"lib/libhello.so":         `Lrwxrwxrwx "libhello.so.1"`,
		"inc/hello.h":             `-rw-r--r-- "int hello(void);\n"`,
		"etc/hello.conf":          `-rw-r--r-- "greeting=hello\n"`,
		"man/hello/README":        `-rw-r--r-- "Hello prints a greeting.\n"`,
		"man/man1/hello.1":        `-rw-r--r-- ".TH HELLO 1\n"`,
		"shr/hello/empty":         `-rw-r--r-- ""`,
		"shr/hello/ünïcödé.txt":   `-rw-r--r-- "ü\n"`,
		"src/hello.c":             `-rw-r--r-- "int main(void) { return 0; }\n"`,
		"var/lib/hello/":          `dgrwxrwxr-x ""`,
		"var/spool/":              `dtrwxrwxrwx ""`,
		"bin/":                    `drwxr-xr-x ""`,
		"shr/hello/greetings.txt": fmt.Sprintf("-rw-r--r-- %q", strings.Repeat("hello, world\n", 2000)),
		"shr/hello/random.bin":    fmt.Sprintf("-rw-r--r-- %q", random),
	} {
		if got[path] != want {
			t.Errorf("%s = %.80s, want %.80s", path, got[path], want)
		}
	}
	for name := range got {
		if top, _, _ := strings.Cut(name, "/"); !isCategory(top) {
			t.Errorf("entry %s is outside the categories", name)
		}
	}
}

// TestZip64 writes more than 65535 entries, past which archive/zip must
// write ZIP64 end records; the entries come from memory so the test is
// fast. unzip checks the same archive in TestUnzip.
func TestZip64(t *testing.T) {
	data := manyEntries(t)
	if !bytes.Contains(data, []byte("PK\x06\x06")) || !bytes.Contains(data, []byte("PK\x06\x07")) {
		t.Fatal("no ZIP64 end of central directory record or locator")
	}
	zr, err := OpenPayload(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != zip64Entries+1 {
		t.Fatalf("read %d entries, want %d", len(zr.File), zip64Entries+1)
	}
	last := zr.File[len(zr.File)-1]
	if rc, err := last.Open(); err != nil {
		t.Fatal(err)
	} else {
		rc.Close()
	}
}

const zip64Entries = 70000

func manyEntries(t testing.TB) []byte {
	t.Helper()
	items := []item{{name: "shr/", mode: fs.ModeDir | 0o755, mtime: packtest.Epoch}}
	for i := range zip64Entries {
		items = append(items, item{name: fmt.Sprintf("shr/f%05d", i), mode: 0o644, mtime: packtest.Epoch,
			data: []byte(fmt.Sprintf("file %d\n", i))})
	}
	var b bytes.Buffer
	if err := writeZip(&b, items, Deflate); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestStreamed packs a file above streamAbove, which is compressed while
// written (with a data descriptor) instead of in memory.
func TestStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large file")
	}
	big := bytes.Repeat([]byte("0123456789abcdef kiln syspkg payload\n"), streamAbove/37+1000)
	nodes := []testNode{
		{name: "usr", kind: 'd', mode: 0o755},
		{name: "usr/share", kind: 'd', mode: 0o755},
		{name: "usr/share/big", kind: 'f', mode: 0o644, content: string(big)},
		{name: "usr/share/small", kind: 'f', mode: 0o644, content: "small\n"},
	}
	for _, c := range []string{"zstd", "deflate", "store"} {
		t.Run(c, func(t *testing.T) {
			a := packBytes(t, Format{Compression: c}, testPackage(), buildTree(t, nodes, packtest.Default))
			b := packBytes(t, Format{Compression: c}, testPackage(), buildTree(t, nodes, packtest.Other))
			if !bytes.Equal(a, b) {
				t.Error("streamed payloads differ")
			}
			// Parallel compression does not show in the bytes.
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			if one := packBytes(t, Format{Compression: c}, testPackage(), buildTree(t, nodes, packtest.Default)); !bytes.Equal(a, one) {
				t.Error("payload packed with GOMAXPROCS=1 differs")
			}
			runtime.GOMAXPROCS(5)
			if five := packBytes(t, Format{Compression: c}, testPackage(), buildTree(t, nodes, packtest.Default)); !bytes.Equal(a, five) {
				t.Error("payload packed with GOMAXPROCS=5 differs")
			}
			// Real readers agree: libarchive extracts the big entry.
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "big.zip"), a, 0o644); err != nil {
				t.Fatal(err)
			}
			if out := run(t, dir, "bsdtar", "-xOf", "big.zip", "shr/big"); out != string(big) {
				t.Errorf("bsdtar -xO shr/big: %d bytes, want %d", len(out), len(big))
			}
			if c == "zstd" {
				contains(t, "7zz t", run(t, dir, "7zz", "t", "big.zip"), "Everything is Ok")
			}
			zr, err := OpenPayload(bytes.NewReader(a), int64(len(a)))
			if err != nil {
				t.Fatal(err)
			}
			got := readEntries(t, zr)
			if got["shr/big"] != fmt.Sprintf("-rw-r--r-- %q", big) {
				t.Error("big file content differs")
			}
			for _, f := range zr.File {
				if f.Name == "shr/big" && f.Flags&0x8 == 0 {
					t.Error("big file was not streamed (no data descriptor)")
				}
			}
		})
	}
}

func TestPackErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes []testNode
		p     func(*pack.Package)
		f     Format
		want  []string
	}{
		{"no category", []testNode{
			{name: "boot", kind: 'd', mode: 0o755},
			{name: "boot/vmlinuz", kind: 'f', mode: 0o644, content: "k"},
			{name: "usr", kind: 'd', mode: 0o755},
			{name: "usr/games", kind: 'd', mode: 0o755},
			{name: "usr/README", kind: 'f', mode: 0o644},
			{name: "opt/empty-dir", kind: 'd', mode: 0o755},
		}, nil, Format{}, []string{
			"boot/vmlinuz: no syspkg category for this path",
			"usr/README: no syspkg category",
			"usr/games: no syspkg category",
			"opt/empty-dir: no syspkg category",
			"payload directories are the categories bin, lib, inc, etc, shr, var, man, src",
		}},
		{"two paths, one name", []testNode{
			{name: "usr/bin/hello", kind: 'f', mode: 0o755},
			{name: "opt/bin/hello", kind: 'f', mode: 0o755},
		}, nil, Format{}, []string{"two installed paths map to payload path bin/hello"}},
		{"bad override", nil, nil, Format{Override: map[string]string{"docs": "x"}}, []string{`override: "docs" is not a category`}},
		{"bad compression", nil, nil, Format{Compression: "xz"}, []string{`unknown syspkg compression "xz"`}},
		{"bad name", nil, func(p *pack.Package) { p.Name = "hello world" }, Format{}, []string{`name "hello world" is not a syspkg id`}},
		{"bad version", nil, func(p *pack.Package) { p.Version = "git-abc" }, Format{}, []string{`version "git-abc" does not start with a number`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPackage()
			if tc.p != nil {
				tc.p(p)
			}
			err := tc.f.Pack(p, buildTree(t, tc.nodes, packtest.Default), &bytes.Buffer{})
			if err == nil {
				t.Fatal("Pack succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestOverrideAndBase(t *testing.T) {
	nodes := []testNode{
		{name: "opt/hello/cli/hello", kind: 'f', mode: 0o755, content: "x"},
		{name: "opt/hello/cli/hi", kind: 'l', content: "hello"},
		{name: "opt/hello/data/d.txt", kind: 'f', mode: 0o644, content: "d"},
		{name: "usr/bin/other", kind: 'f', mode: 0o755, content: "o"},
	}
	root := buildTree(t, nodes, packtest.Default)
	f := Format{Override: map[string]string{"bin": "opt/hello/cli", "shr": "opt/hello/data/"}}
	data := packBytes(t, f, testPackage(), root)
	zr, _ := OpenPayload(bytes.NewReader(data), int64(len(data)))
	var names []string
	for _, e := range zr.File {
		names = append(names, e.Name)
	}
	if got, want := strings.Join(names, " "), "bin/ bin/hello bin/hi bin/other shr/ shr/d.txt"; got != want {
		t.Errorf("override: entries %q, want %q", got, want)
	}

	p := testPackage()
	p.Name = BaseID
	data = packBytes(t, Format{}, p, root)
	zr, _ = OpenPayload(bytes.NewReader(data), int64(len(data)))
	names = nil
	for _, e := range zr.File {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "opt/hello/cli/hello") || !strings.Contains(got, "usr/bin/other") {
		t.Errorf("base package is not verbatim: %q", got)
	}
}

func TestLayoutMap(t *testing.T) {
	l := Layout{}
	for in, want := range map[string]string{
		"usr/bin/x":              "bin/x",
		"usr/local/bin/x":        "bin/x",
		"opt/sbin/x":             "bin/x",
		"bin/x":                  "bin/x",
		"usr/lib64/libx.so":      "lib/libx.so",
		"usr/libexec/x/helper":   "lib/x/helper",
		"usr/include/x/x.h":      "inc/x/x.h",
		"inc/x.h":                "inc/x.h",
		"etc/x.conf":             "etc/x.conf",
		"opt/etc/x.conf":         "etc/x.conf",
		"var/lib/x":              "var/lib/x",
		"usr/share/x/data":       "shr/x/data",
		"usr/share":              "shr",
		"shr/x":                  "shr/x",
		"usr/share/man/man1/x.1": "man/man1/x.1",
		"usr/share/doc/x/README": "man/x/README",
		"usr/share/info/x.info":  "man/x.info",
		"man/man1/x.1":           "man/man1/x.1",
		"usr/src/x/x.c":          "src/x/x.c",
		"usr":                    "",
		"usr/local":              "",
		"opt":                    "",
	} {
		got, ok := l.Map(in)
		if !ok || got != want {
			t.Errorf("Map(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"boot/x", "usr/games/x", "opt/hello/bin/x", "home/x", "README"} {
		if got, ok := l.Map(in); ok {
			t.Errorf("Map(%q) = %q, want no category", in, got)
		}
	}
	if got := relPath("bin", "lib/x.so"); got != "../lib/x.so" {
		t.Errorf("relPath = %q", got)
	}
	if got := relPath("shr/a/b", "shr/a/c/d"); got != "../c/d" {
		t.Errorf("relPath = %q", got)
	}
}

func TestSplitVersion(t *testing.T) {
	for in, want := range map[string][2]string{
		"1.2.0":             {"1.2.0", "1.2.0"},
		"1:1.2~beta1-3":     {"1.2.0", "1.2~beta1-3"},
		"2.31":              {"2.31.0", "2.31"},
		"20240501":          {"20240501.0.0", "20240501"},
		"1.2.3.4-1":         {"1.2.3", "1.2.3.4-1"},
		"3.0.0+really2.9-1": {"3.0.0", "3.0.0+really2.9-1"},
	} {
		v, r, err := SplitVersion(in)
		if err != nil || v != want[0] || r != want[1] {
			t.Errorf("SplitVersion(%q) = %q, %q, %v; want %q", in, v, r, err, want)
		}
	}
}

// BenchmarkPack measures packing throughput of a tree of mixed files; the
// project compares it with tar -czf and zstd in bench/.
func BenchmarkPack(b *testing.B) {
	root := b.TempDir()
	var total int64
	for i := range 200 {
		data := bytes.Repeat([]byte(fmt.Sprintf("line %d of a benchmark file\n", i)), 2000+i*50)
		p := filepath.Join(root, "usr/share/bench", fmt.Sprintf("f%03d", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(data))
	}
	for _, c := range []string{"zstd", "deflate"} {
		b.Run(c, func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				var out bytes.Buffer
				if err := (Format{Compression: c}).Pack(testPackage(), root, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
