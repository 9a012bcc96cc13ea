// Package packtest holds test helpers shared by the pack format tests: a
// package tree exercising every entry kind, and a stable text listing of
// ar/tar/gzip archives for golden files.
package packtest

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// Epoch is the SOURCE_DATE_EPOCH of the test packages (2024-05-01T00:00:00Z).
const Epoch int64 = 1714521600

// BeforeEpoch is the mtime of the one file older than Epoch, which must
// keep it.
const BeforeEpoch = Epoch - 30*86400

type kind int

const (
	dir kind = iota
	file
	symlink
	hardlink
)

type node struct {
	name    string
	kind    kind
	mode    os.FileMode // permissions plus os.ModeSetuid/Setgid/Sticky
	content string      // file content, or link target
	old     bool        // mtime BeforeEpoch; else a variant-chosen time after Epoch
}

// LongName is a path of more than 100 bytes, beyond the plain tar name field.
const LongName = "opt/share/hello/a-rather-long-directory-name-to-exceed-the-tar-name-field/" +
	"and-a-second-long-directory/file-with-a-long-name.txt"

// LongTarget is a symlink target of more than 100 bytes.
const LongTarget = "../../../" + LongName

var tree = []node{
	{name: "etc", kind: dir, mode: 0o755},
	{name: "etc/empty", kind: file, mode: 0o644},
	{name: "etc/hello.conf", kind: file, mode: 0o644, content: "greeting=hello\n", old: true},
	{name: "opt", kind: dir, mode: 0o755},
	{name: "opt/bin", kind: dir, mode: 0o755},
	// "opt/bin-extra.txt" sorts between "opt/bin" and "opt/bin/hello" in
	// byte order ('-' < '/'), unlike a per-directory sort.
	{name: "opt/bin-extra.txt", kind: file, mode: 0o600, content: "private\n"},
	{name: "opt/bin/hello", kind: file, mode: 0o755, content: "#!/bin/sh\necho hello\n"},
	{name: "opt/bin/hello-hardlink", kind: hardlink, content: "opt/bin/hello"},
	{name: "opt/bin/suid-helper", kind: file, mode: 0o755 | os.ModeSetuid, content: "#!/bin/sh\nid -u\n"},
	{name: "opt/share", kind: dir, mode: 0o755},
	{name: "opt/share/hello", kind: dir, mode: 0o755},
	{name: "opt/share/hello/a-rather-long-directory-name-to-exceed-the-tar-name-field", kind: dir, mode: 0o755},
	{name: "opt/share/hello/a-rather-long-directory-name-to-exceed-the-tar-name-field/and-a-second-long-directory", kind: dir, mode: 0o755},
	{name: LongName, kind: file, mode: 0o644, content: "long\n"},
	{name: "usr", kind: dir, mode: 0o755},
	{name: "usr/bin", kind: dir, mode: 0o755},
	{name: "usr/bin/hello", kind: symlink, content: "../../opt/bin/hello"},
	{name: "usr/share", kind: dir, mode: 0o755},
	{name: "usr/share/hello-long-link", kind: symlink, content: LongTarget},
	{name: "var", kind: dir, mode: 0o755},
	{name: "var/lib", kind: dir, mode: 0o755},
	{name: "var/lib/hello", kind: dir, mode: 0o775 | os.ModeSetgid},
	{name: "var/tmp", kind: dir, mode: 0o777 | os.ModeSticky},
}

// Variant changes how a tree is created without changing what it is.
type Variant struct {
	// Reverse creates the entries in reverse order.
	Reverse bool
	// MtimeBase is the mtime given to every entry not marked old; entries
	// get MtimeBase + i*Step seconds. Must be after Epoch.
	MtimeBase, Step int64
	// Umask is set while creating (modes are then set explicitly).
	Umask int
	// RootMode is the mode of the root directory itself.
	RootMode os.FileMode
}

// Default is the variant the golden files are made from.
var Default = Variant{MtimeBase: Epoch + 3600, Step: 1, Umask: 0o022, RootMode: 0o755}

// Other differs from Default in everything that must not matter.
var Other = Variant{Reverse: true, MtimeBase: Epoch + 86400*400, Step: 7, Umask: 0o077, RootMode: 0o700}

// BuildTree creates the test tree in a new temporary directory and returns
// its path. Setting the umask is process-wide, so callers must not run in
// parallel with tests that create files.
func BuildTree(t testing.TB, v Variant) string {
	t.Helper()
	root := t.TempDir()
	old := syscall.Umask(v.Umask)
	defer syscall.Umask(old)

	nodes := slices.Clone(tree)
	if v.Reverse {
		slices.Reverse(nodes)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Entries first (creating parents as needed), then hard links (their
	// targets exist by then), then modes, so the umask never shows.
	for _, n := range nodes {
		p := filepath.Join(root, n.name)
		must(os.MkdirAll(filepath.Dir(p), 0o777))
		switch n.kind {
		case dir:
			must(os.MkdirAll(p, 0o777))
		case file:
			must(os.WriteFile(p, []byte(n.content), 0o666))
		case symlink:
			must(os.Symlink(n.content, p))
		}
	}
	for _, n := range nodes {
		if n.kind == hardlink {
			must(os.Link(filepath.Join(root, n.content), filepath.Join(root, n.name)))
		}
	}
	for _, n := range nodes {
		if n.kind == dir || n.kind == file {
			must(os.Chmod(filepath.Join(root, n.name), n.mode))
		}
	}
	// Times last: creating, linking or renaming in a directory would
	// touch its mtime (changing a child's mode or times does not).
	for i, n := range nodes {
		if n.kind == symlink || n.kind == hardlink {
			continue // os.Chtimes follows links; symlinks keep "now" (> Epoch)
		}
		mt := time.Unix(v.MtimeBase+int64(i)*v.Step, 0)
		if n.old {
			mt = time.Unix(BeforeEpoch, 0)
		}
		must(os.Chtimes(filepath.Join(root, n.name), mt, mt))
	}
	must(os.Chmod(root, v.RootMode))
	must(os.Chtimes(root, time.Unix(v.MtimeBase, 0), time.Unix(v.MtimeBase, 0)))
	return root
}
