package feed

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/ipk"
)

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello"), []byte("hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*pack.Package{
		{Name: "hello", Version: "1.0-1", Arch: "armv7", Maintainer: "K <k@example.org>", Summary: "hi", Epoch: 1700000000},
		{Name: "hello", Version: "1.0~rc1-1", Arch: "armv7", Maintainer: "K <k@example.org>", Summary: "hi", Epoch: 1700000000},
		{Name: "abc", Version: "2:0.1", Arch: "all", Maintainer: "K <k@example.org>", Summary: "abc", Epoch: 1700000000, Depends: []string{"hello (>= 1.0)"}},
	} {
		if _, err := pack.WriteFile(ipk.Format{}, p, root, dir); err != nil {
			t.Fatal(err)
		}
	}
	n, err := WriteDir(dir)
	if err != nil || n != 3 {
		t.Fatalf("WriteDir = %d, %v", n, err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, "Packages"))
	if err != nil {
		t.Fatal(err)
	}
	stanzas := strings.Split(strings.TrimSpace(string(idx)), "\n\n")
	if len(stanzas) != 3 {
		t.Fatalf("%d stanzas:\n%s", len(stanzas), idx)
	}
	// Sorted by name, then dpkg version order (~ before the release).
	for i, want := range []string{"Package: abc", "Version: 1.0~rc1-1", "Version: 1.0-1"} {
		if !strings.Contains(stanzas[i], want+"\n") {
			t.Errorf("stanza %d lacks %q:\n%s", i, want, stanzas[i])
		}
	}
	// Filename, Size and SHA256sum agree with the real tools.
	for _, s := range stanzas {
		file := field(s, "Filename")
		st, err := os.Stat(filepath.Join(dir, file))
		if err != nil {
			t.Fatalf("Filename %q: %v", file, err)
		}
		if field(s, "Size") != itoa(st.Size()) {
			t.Errorf("%s: Size %s, file has %d bytes", file, field(s, "Size"), st.Size())
		}
		out, err := exec.Command("sha256sum", filepath.Join(dir, file)).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(string(out))[0]; field(s, "SHA256sum") != got {
			t.Errorf("%s: SHA256sum %s, sha256sum says %s", file, field(s, "SHA256sum"), got)
		}
		if !strings.Contains(s, "Depends: hello (>= 1.0)") && field(s, "Package") == "abc" {
			t.Errorf("control fields lost:\n%s", s)
		}
	}
	t.Run("gzip -dc", func(t *testing.T) {
		testtool.Need(t, "gzip")
		gz, err := exec.Command("gzip", "-dc", filepath.Join(dir, "Packages.gz")).Output()
		if err != nil || string(gz) != string(idx) {
			t.Errorf("Packages.gz does not decompress to Packages (%v)", err)
		}
	})
	// Indexing again gives the same bytes, and leaves the files as they
	// were (not rewritten).
	before, _ := os.ReadFile(filepath.Join(dir, "Packages.gz"))
	inode := func(name string) uint64 {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	ino := inode("Packages")
	if _, err := WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "Packages.gz"))
	if string(before) != string(after) {
		t.Error("Packages.gz differs between two runs")
	}
	if inode("Packages") != ino {
		t.Error("an unchanged index was written again")
	}
}

func TestReadRejectsNonIPK(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.ipk")
	if err := os.WriteFile(path, []byte("not an archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path, "x.ipk"); err == nil || !strings.Contains(err.Error(), "x.ipk") {
		t.Fatalf("Read = %v, want an error naming the file", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
