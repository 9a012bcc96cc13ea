package unpack

import (
	"archive/tar"
	"os"
	"path/filepath"
	"testing"
)

// FuzzIPK: whatever an .ipk holds — a corrupt ar, gzip or tar, links out
// of the root, .. and absolute names — unpacking never panics and writes
// nothing outside the root. The data is the .ipk's bytes.
func FuzzIPK(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		top := t.TempDir()
		file := filepath.Join(top, "p.ipk")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(top, "root")
		_ = Files(root, []string{file, file})
		entries, err := os.ReadDir(top)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "p.ipk" && e.Name() != "root" {
				t.Fatalf("unpacking wrote %s outside the root", e.Name())
			}
		}
	})
}

// seeds are .ipk files with links out of the root and entries through
// them, .. and absolute names, a hard link out.
func seeds(f *testing.F) [][]byte {
	dir := f.TempDir()
	var out [][]byte
	for i, hs := range [][]tar.Header{
		{{Name: "a", Typeflag: tar.TypeSymlink, Linkname: "/"}, reg("a/x")},
		{{Name: "../b", Typeflag: tar.TypeSymlink, Linkname: ".."}, reg("../b/y"), reg("/abs")},
		{{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o4755}, {Name: "h", Typeflag: tar.TypeLink, Linkname: "../p.ipk"}},
	} {
		p := ipk(f, dir, string(rune('a'+i))+".ipk", hs...)
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}
