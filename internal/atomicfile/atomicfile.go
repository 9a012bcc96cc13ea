// Package atomicfile writes files whole or not at all: through a temporary
// file in the same directory, synced, then renamed (or linked) into place,
// so a reader sees either the old content or the whole new one, never a
// part.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write stores data at path, replacing what is there. perm is set whatever
// the umask (0600 for private keys).
func Write(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, true)
}

// WriteIfChanged is Write, except that a file already holding data with
// perm is left as it is: a run that changed nothing rewrites (and syncs)
// nothing.
func WriteIfChanged(path string, data []byte, perm fs.FileMode) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm() == perm {
			return nil
		}
	}
	return Write(path, data, perm)
}

// Create stores data at path, which must not exist: the temporary file is
// linked to path, which fails when it exists, so an existing file (a key)
// is never overwritten, even by a concurrent run. An existing path is an
// *fs.PathError wrapping fs.ErrExist.
func Create(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, false)
}

// CheckAbsent fails as Create would when one of paths exists: for checking
// early, before slow work (key generation) whose result could not be
// stored.
func CheckAbsent(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			return exists(p)
		}
	}
	return nil
}

func exists(path string) error {
	return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
}

func write(path string, data []byte, perm fs.FileMode, replace bool) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
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
			return exists(path)
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	os.Remove(tmp.Name())
	return nil
}

// ReplaceHint turns the error about an existing file (Create, CheckAbsent)
// into advice naming the option that replaces it (e.g. "--force"); other
// errors pass unchanged.
func ReplaceHint(err error, option string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; remove it or pass %s to replace it", pe.Path, option)
	}
	return err
}
