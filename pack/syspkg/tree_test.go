package syspkg

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/internal/packtest"
)

// testNode is one entry of the test tree; kind is 'd', 'f', 'l' (symlink)
// or 'h' (hard link to content).
type testNode struct {
	name    string
	kind    byte
	mode    os.FileMode
	content string
	old     bool // mtime before the epoch, which must be kept
}

// random is incompressible content: the writer must store it.
var random = func() string {
	b := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(b)
	return string(b)
}()

// testTree is an installed tree as kiln's package step leaves it, with
// every kind of path the layout maps: prefixes usr and opt, share/man and
// share/doc, a root etc, var with special modes, symlinks within and
// across categories, empty, compressible and incompressible files, a
// non-ASCII name and a hard link.
var testTree = []testNode{
	{name: "etc", kind: 'd', mode: 0o755},
	{name: "etc/hello.conf", kind: 'f', mode: 0o644, content: "greeting=hello\n", old: true},
	{name: "opt", kind: 'd', mode: 0o755},
	{name: "opt/bin", kind: 'd', mode: 0o755},
	{name: "opt/bin/hello-suid", kind: 'f', mode: 0o755 | os.ModeSetuid, content: "#!/bin/sh\nid -u\n"},
	{name: "src", kind: 'd', mode: 0o755},
	{name: "src/hello.c", kind: 'f', mode: 0o644, content: "int main(void) { return 0; }\n"},
	{name: "usr", kind: 'd', mode: 0o755},
	{name: "usr/bin", kind: 'd', mode: 0o755},
	{name: "usr/bin/hello", kind: 'f', mode: 0o755, content: "#!/bin/sh\necho hello\n"},
	{name: "usr/bin/hello-again", kind: 'h', content: "usr/bin/hello"},
	{name: "usr/bin/hi", kind: 'l', content: "hello"},
	{name: "usr/bin/libhello-link", kind: 'l', content: "../lib/libhello.so.1"},
	{name: "usr/include", kind: 'd', mode: 0o755},
	{name: "usr/include/hello.h", kind: 'f', mode: 0o644, content: "int hello(void);\n"},
	{name: "usr/lib", kind: 'd', mode: 0o755},
	{name: "usr/lib/libhello.so", kind: 'l', content: "libhello.so.1"},
	{name: "usr/lib/libhello.so.1", kind: 'f', mode: 0o755, content: strings.Repeat("\x7fELF library bytes ", 300)},
	{name: "usr/sbin", kind: 'd', mode: 0o755},
	{name: "usr/sbin/hellod", kind: 'f', mode: 0o700, content: "#!/bin/sh\nexec hello\n"},
	{name: "usr/share", kind: 'd', mode: 0o755},
	{name: "usr/share/doc", kind: 'd', mode: 0o755},
	{name: "usr/share/doc/hello", kind: 'd', mode: 0o755},
	{name: "usr/share/doc/hello/README", kind: 'f', mode: 0o644, content: "Hello prints a greeting.\n"},
	{name: "usr/share/hello", kind: 'd', mode: 0o755},
	{name: "usr/share/hello/empty", kind: 'f', mode: 0o644},
	{name: "usr/share/hello/greetings.txt", kind: 'f', mode: 0o644, content: strings.Repeat("hello, world\n", 2000)},
	{name: "usr/share/hello/random.bin", kind: 'f', mode: 0o644, content: random},
	{name: "usr/share/hello/ünïcödé.txt", kind: 'f', mode: 0o644, content: "ü\n"},
	{name: "usr/share/man", kind: 'd', mode: 0o755},
	{name: "usr/share/man/man1", kind: 'd', mode: 0o755},
	{name: "usr/share/man/man1/hello.1", kind: 'f', mode: 0o644, content: ".TH HELLO 1\n"},
	{name: "var", kind: 'd', mode: 0o755},
	{name: "var/lib", kind: 'd', mode: 0o755},
	{name: "var/lib/hello", kind: 'd', mode: 0o775 | os.ModeSetgid},
	{name: "var/spool", kind: 'd', mode: 0o777 | os.ModeSticky},
}

// buildTree creates nodes under a new temporary directory the way variant
// v says (order, mtimes, umask, root mode); see packtest.Variant.
func buildTree(t testing.TB, nodes []testNode, v packtest.Variant) string {
	t.Helper()
	root := t.TempDir()
	old := syscall.Umask(v.Umask)
	defer syscall.Umask(old)
	nodes = slices.Clone(nodes)
	if v.Reverse {
		slices.Reverse(nodes)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		p := filepath.Join(root, n.name)
		must(os.MkdirAll(filepath.Dir(p), 0o777))
		switch n.kind {
		case 'd':
			must(os.MkdirAll(p, 0o777))
		case 'f':
			must(os.WriteFile(p, []byte(n.content), 0o666))
		case 'l':
			must(os.Symlink(n.content, p))
		}
	}
	for _, n := range nodes {
		if n.kind == 'h' {
			must(os.Link(filepath.Join(root, n.content), filepath.Join(root, n.name)))
		}
	}
	for _, n := range nodes {
		if n.kind == 'd' || n.kind == 'f' {
			must(os.Chmod(filepath.Join(root, n.name), n.mode))
		}
	}
	for i, n := range nodes {
		if n.kind == 'l' || n.kind == 'h' {
			continue
		}
		mt := time.Unix(v.MtimeBase+int64(i)*v.Step, 0)
		if n.old {
			mt = time.Unix(packtest.BeforeEpoch, 0)
		}
		must(os.Chtimes(filepath.Join(root, n.name), mt, mt))
	}
	must(os.Chmod(root, v.RootMode))
	return root
}

func testPackage() *pack.Package {
	return &pack.Package{
		Name:        "hello",
		Version:     "1:1.2~beta1-3",
		Arch:        "x86_64",
		Maintainer:  "Jane Doe <jane@example.org>",
		Summary:     "Friendly greeter",
		Description: "Hello prints a friendly greeting.\nIt is an example.",
		Section:     "tools",
		License:     "MIT",
		Homepage:    "https://example.org/hello",
		Depends:     []string{"libc6 >= 2.31", "zlib"},
		Conflicts:   []string{"hello-classic"},
		Epoch:       packtest.Epoch,
	}
}

func packBytes(t testing.TB, f Format, p *pack.Package, root string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Pack(p, root, &b); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	return b.Bytes()
}

// listZip renders a payload for golden files: per entry the method, mode,
// versions, flags, both mtimes (MS-DOS fields and extended timestamp),
// CRC, sizes, raw extra field and a hash of the content read back through
// OpenPayload (which checks the CRC).
func listZip(t testing.TB, data []byte) string {
	t.Helper()
	zr, err := OpenPayload(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if uint64(len(content)) != f.UncompressedSize64 {
			t.Errorf("%s: read %d bytes, header says %d", f.Name, len(content), f.UncompressedSize64)
		}
		dos := time.Date(1980+int(f.ModifiedDate>>9), time.Month(f.ModifiedDate>>5&15), int(f.ModifiedDate&31),
			int(f.ModifiedTime>>11), int(f.ModifiedTime>>5&63), int(f.ModifiedTime&31)*2, 0, time.UTC)
		fmt.Fprintf(&b, "%-7s %-11s v%d/%d flags=%#04x dos=%s ut=%d crc=%08x %6d/%6d extra=%x %s",
			Method(f.Method), f.Mode(), f.CreatorVersion, f.ReaderVersion, f.Flags,
			dos.Format("2006-01-02T15:04:05"), f.Modified.Unix(), f.CRC32,
			f.CompressedSize64, f.UncompressedSize64, f.Extra, f.Name)
		switch {
		case f.Mode()&os.ModeSymlink != 0:
			fmt.Fprintf(&b, " -> %s", content)
		case !f.Mode().IsDir():
			fmt.Fprintf(&b, " sha256:%s", packtest.SHA256(content)[:16])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// readEntries maps each payload entry to its content and mode.
func readEntries(t testing.TB, zr *zip.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = fmt.Sprintf("%v %q", f.Mode(), c)
	}
	return out
}
