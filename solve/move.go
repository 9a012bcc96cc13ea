package solve

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// moveAll renames every file exported into tmp to the same place in dst.
// A file dst already holds byte for byte stays as it is (a rebuild that
// changed nothing rewrites nothing, and syncs nothing).
func moveAll(tmp, dst string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tmp, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		files = append(files, target)
		if sameFile(p, target) {
			return os.Remove(p)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		// On disk before its name is: a crash of the machine must not
		// leave an empty package under the final name either.
		if err := syncFile(p); err != nil {
			return err
		}
		return os.Rename(p, target)
	})
	sort.Strings(files)
	return files, err
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// sameFile: b is a regular file with a's mode and bytes.
func sameFile(a, b string) bool {
	ai, err := os.Stat(a)
	if err != nil {
		return false
	}
	bi, err := os.Lstat(b)
	if err != nil || !bi.Mode().IsRegular() || ai.Mode() != bi.Mode() || ai.Size() != bi.Size() {
		return false
	}
	fa, err := os.Open(a)
	if err != nil {
		return false
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false
	}
	defer fb.Close()
	ba, bb := make([]byte, 256<<10), make([]byte, 256<<10)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, eb := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if ea != nil || eb != nil {
			return (ea == io.EOF || ea == io.ErrUnexpectedEOF) && ea == eb
		}
	}
}
