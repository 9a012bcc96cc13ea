package feed

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/ipk"
)

// TestUpdate: a build writing hello 1.1-1 into a feed holding hello 1.0-1,
// hello 2.0-1 (newer), hello 1.0-1 for another architecture and abc gets
// an index of all of them; with prune, only hello 1.0-1 of the same
// architecture goes.
func TestUpdate(t *testing.T) {
	for _, prune := range []bool{false, true} {
		dir, root := t.TempDir(), t.TempDir()
		write := func(name, ver, arch string) string {
			p := &pack.Package{Name: name, Version: ver, Arch: arch, Maintainer: "K <k@example.org>", Summary: "s", Epoch: 1700000000}
			path, err := pack.WriteFile(ipk.Format{}, p, root, dir)
			if err != nil {
				t.Fatal(err)
			}
			return path
		}
		old := write("hello", "1.0-1", "armv7")
		write("hello", "2.0-1", "armv7")
		write("hello", "1.0-1", "aarch64")
		write("abc", "0.1", "all")
		built := write("hello", "1.1-1", "armv7")
		removed, err := Update([]string{built, filepath.Join(dir, "Packages")}, prune)
		if err != nil {
			t.Fatal(err)
		}
		want := 5
		if prune {
			want = 4
			if !reflect.DeepEqual(removed, []string{old}) {
				t.Errorf("prune removed %v, want %v", removed, []string{old})
			}
		} else if len(removed) != 0 {
			t.Errorf("removed %v without prune", removed)
		}
		idx, _ := os.ReadFile(filepath.Join(dir, "Packages"))
		if n := strings.Count(string(idx), "Package: "); n != want {
			t.Errorf("prune %v: index has %d packages, want %d:\n%s", prune, n, want, idx)
		}
		if _, err := os.Stat(old); prune == (err == nil) {
			t.Errorf("prune %v: hello 1.0-1 armv7 exists: %v", prune, err == nil)
		}
	}
}
