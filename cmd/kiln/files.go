package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFile stores data at path through a temporary file in the same
// directory, synced and then renamed, so path holds either the old or the
// whole new content, never a part. perm is set whatever the umask (0600 for
// private keys). Unless replace is set, an existing path is an error: the
// temporary file is linked to it, which fails when it exists, so a key is
// never overwritten, even by a concurrent run.
func writeFile(path string, data []byte, perm fs.FileMode, replace bool) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// Mode first: a private key must never be readable by others, not
	// even while it is being written.
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if replace {
		if err = os.Rename(tmp.Name(), path); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	}
	if err = os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists; remove it or pass --force to replace it", path)
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	os.Remove(tmp.Name())
	return nil
}

// checkAbsent fails early when one of paths exists, before slow work (key
// generation) whose result could not be stored.
func checkAbsent(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists; remove it or pass --force to replace it", p)
		}
	}
	return nil
}
