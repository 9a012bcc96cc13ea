package unpack

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// ipk writes an .ipk whose data.tar.gz holds hs (regular files get their
// name as content).
func ipk(t testing.TB, dir, name string, hs ...tar.Header) string {
	t.Helper()
	var tgz bytes.Buffer
	zw := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(zw)
	for _, h := range hs {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = h.Name
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"data.tar.gz", tgz.Bytes()}} {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", m.name, 0, 0, 0, 0o644, len(m.data))
		ar.Write(m.data)
		if len(m.data)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, ar.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func reg(name string) tar.Header { return tar.Header{Name: name, Typeflag: tar.TypeReg} }

// TestLinksStayInRoot: links one package installs — absolute, or climbing
// out with .. — resolve inside the root when a later package writes
// through them, as in a chroot; nothing lands outside.
func TestLinksStayInRoot(t *testing.T) {
	top := t.TempDir()
	root, victim, pkgs := filepath.Join(top, "root"), filepath.Join(top, "victim"), t.TempDir()
	if err := os.Mkdir(victim, 0o755); err != nil {
		t.Fatal(err)
	}
	a := ipk(t, pkgs, "a.ipk",
		tar.Header{Name: "./opt/", Typeflag: tar.TypeDir, Mode: 0o755},
		tar.Header{Name: "./opt/abs", Typeflag: tar.TypeSymlink, Linkname: victim},
		tar.Header{Name: "./opt/up", Typeflag: tar.TypeSymlink, Linkname: "../../../../../../victim"})
	b := ipk(t, pkgs, "b.ipk", reg("./opt/abs/x"), reg("./opt/up/y"))
	if err := Files(root, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(victim, "*")); len(m) > 0 {
		t.Fatalf("files written outside the root: %v", m)
	}
	for _, f := range []string{victim + "/x", "victim/y"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("%s not inside the root: %v", f, err)
		}
	}
	// A hard link to a file outside the root names the root's file of that
	// name, which does not exist: an error, not a link to the outside.
	secret := filepath.Join(top, "secret")
	if err := os.WriteFile(secret, []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := ipk(t, pkgs, "c.ipk", tar.Header{Name: "opt/hard", Typeflag: tar.TypeLink, Linkname: "../../secret"})
	if err := Files(root, []string{c}); err == nil || !strings.Contains(err.Error(), "c.ipk: data.tar.gz: opt/hard: ") {
		t.Errorf("hard link out of the root: %v", err)
	}
	if fi, err := os.Stat(secret); err != nil || fi.Sys().(*syscall.Stat_t).Nlink != 1 {
		t.Errorf("the outside file got a link: %v", err)
	}
}

// TestUnpack: files, modes (setuid, sticky), hard links, a later package
// replacing an earlier one's file, a link to a directory kept (merged
// /usr), a device refused naming it.
func TestUnpack(t *testing.T) {
	root, pkgs := filepath.Join(t.TempDir(), "root"), t.TempDir()
	a := ipk(t, pkgs, "a.ipk",
		tar.Header{Name: "usr/lib/", Typeflag: tar.TypeDir, Mode: 0o755},
		tar.Header{Name: "lib", Typeflag: tar.TypeSymlink, Linkname: "usr/lib"},
		tar.Header{Name: "opt/bin/su", Typeflag: tar.TypeReg, Mode: 0o4755},
		tar.Header{Name: "var/spool/", Typeflag: tar.TypeDir, Mode: 0o1777},
		reg("opt/share/f"))
	b := ipk(t, pkgs, "b.ipk",
		tar.Header{Name: "lib/", Typeflag: tar.TypeDir, Mode: 0o755},
		reg("lib/libx.so"),
		tar.Header{Name: "opt/share/f", Typeflag: tar.TypeSymlink, Linkname: "g"},
		tar.Header{Name: "opt/bin/su2", Typeflag: tar.TypeLink, Linkname: "opt/bin/su"})
	if err := Files(root, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	check := func(name string, want os.FileMode) {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(root, name))
		if err != nil {
			t.Error(err)
			return
		}
		if got := fi.Mode() & (os.ModeType | os.ModePerm | os.ModeSetuid | os.ModeSticky); got != want {
			t.Errorf("%s: mode %v, want %v", name, got, want)
		}
	}
	check("lib", os.ModeSymlink|0o777)
	check("usr/lib/libx.so", 0o644)
	check("opt/bin/su", os.ModeSetuid|0o755)
	check("opt/bin/su2", os.ModeSetuid|0o755)
	check("var/spool", os.ModeDir|os.ModeSticky|0o777)
	check("opt/share/f", os.ModeSymlink|0o777)

	dev := ipk(t, pkgs, "dev.ipk", tar.Header{Name: "dev/sda", Typeflag: tar.TypeBlock})
	if err := Files(root, []string{dev}); err == nil || !strings.Contains(err.Error(), "dev.ipk: data.tar.gz: dev/sda: a block device entry") {
		t.Errorf("device: %v", err)
	}
}
