package solve

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMoveAllKeepsSameFiles: a file the destination holds byte for byte
// (and mode for mode) is left as it was, inode and all; any other is
// replaced or added; the staging directory ends empty.
func TestMoveAllKeepsSameFiles(t *testing.T) {
	tmp, dst := t.TempDir(), t.TempDir()
	big := bytes.Repeat([]byte("x"), 512<<10) // a multiple of the compare buffer
	write := func(dir, name string, data []byte, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []struct {
		name      string
		old, new  []byte
		oldMode   os.FileMode
		wantKept  bool
		noOldFile bool
	}{
		{name: "same.ipk", old: []byte("package"), new: []byte("package"), oldMode: 0o644, wantKept: true},
		{name: "x86_64/big.ipk", old: big, new: big, oldMode: 0o644, wantKept: true},
		{name: "empty", old: nil, new: nil, oldMode: 0o644, wantKept: true},
		{name: "changed.ipk", old: []byte("packagf"), new: []byte("package"), oldMode: 0o644},
		{name: "longer.ipk", old: []byte("pack"), new: []byte("package"), oldMode: 0o644},
		{name: "mode.sh", old: []byte("#!/bin/sh"), new: []byte("#!/bin/sh"), oldMode: 0o755},
		{name: "new.ipk", new: []byte("new"), noOldFile: true},
	} {
		write(tmp, f.name, f.new, 0o644)
		var ino uint64
		if !f.noOldFile {
			write(dst, f.name, f.old, f.oldMode)
			fi, _ := os.Stat(filepath.Join(dst, f.name))
			ino = fi.Sys().(*syscall.Stat_t).Ino
		}
		defer func() {
			p := filepath.Join(dst, f.name)
			got, err := os.ReadFile(p)
			fi, serr := os.Stat(p)
			if err != nil || serr != nil || !bytes.Equal(got, f.new) || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: %q %v %v", f.name, got, err, serr)
				return
			}
			if kept := fi.Sys().(*syscall.Stat_t).Ino == ino; kept != f.wantKept {
				t.Errorf("%s: kept the old file %v, want %v", f.name, kept, f.wantKept)
			}
		}()
	}
	files, err := moveAll(tmp, dst)
	if err != nil || len(files) != 7 {
		t.Fatalf("moveAll: %v %v", files, err)
	}
	var left []string
	filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("left in staging: %v", left)
	}
}
