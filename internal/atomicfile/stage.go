package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// stagePrefix starts the names of what kiln writes beside its outputs
// before renaming it into place (a package export directory, an image
// tarball): ".kiln-export-PID-...", PID the writing process.
const stagePrefix = ".kiln-export-"

// StagePattern is an os.MkdirTemp / os.CreateTemp pattern for a staging
// name beside the outputs; what marks it as this process's (base, if
// given, says what it stages).
func StagePattern(base string) string {
	p := stagePrefix + strconv.Itoa(os.Getpid()) + "-"
	if base != "" {
		p += base + "-"
	}
	return p
}

// SweepStale removes from dir the staging directories and files that a
// kiln process which no longer runs left there: one killed (SIGKILL, a
// crash) between writing its outputs and renaming them into place never
// cleaned up. Those of running processes (concurrent builds into dir) are
// left alone.
func SweepStale(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	var errs []error
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), stagePrefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || running(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, fmt.Errorf("removing what an interrupted kiln left: %w", err))
		}
	}
	return errors.Join(errs...)
}

// running reports whether process pid exists (signal 0 checks without
// sending; EPERM: it exists, owned by someone else).
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// FreeBytes is the space left on the file system holding dir for this
// process (root may use the blocks reserved for it).
func FreeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	if os.Geteuid() == 0 {
		return st.Bfree * uint64(st.Bsize), nil
	}
	return st.Bavail * uint64(st.Bsize), nil
}
