package daemon

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// ErrBuildkitdNotFound is returned (wrapped) when no buildkitd binary can be located, so
// callers can tell "install it" apart from "it failed to start".
var ErrBuildkitdNotFound = errors.New("buildkitd not found: run `make setup`, set KILN_BUILDKITD to its path, " +
	"or pass --addr to use an existing BuildKit daemon")

// executable is os.Executable, replaceable so tests can pretend kiln lives in another directory.
var executable = os.Executable

// DefaultHome is the directory holding the managed daemon's state: $KILN_HOME, else
// $XDG_DATA_HOME/kiln, else ~/.local/share/kiln. It is per user rather than per project so
// every kiln invocation shares one daemon and one build cache.
func DefaultHome() string {
	if h := os.Getenv("KILN_HOME"); h != "" {
		return h
	}
	// The XDG spec says relative values are invalid and must be ignored.
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "kiln")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "share", "kiln")
	}
	// No $HOME (e.g. a bare service environment): still return something usable and
	// private to this user instead of failing every command.
	return filepath.Join(os.TempDir(), "kiln-"+strconv.Itoa(os.Getuid()))
}

// findBuildkitd locates the buildkitd binary: explicit (Managed.Binary), else $KILN_BUILDKITD,
// else a buildkitd shipped next to the kiln executable, else $PATH. An explicitly named binary
// that is missing is an error of its own rather than a silent fall-through, because the user
// asked for that exact file.
func findBuildkitd(explicit string) (string, error) {
	if explicit != "" {
		return checkExecutable(explicit, "configured buildkitd")
	}
	if env := os.Getenv("KILN_BUILDKITD"); env != "" {
		return checkExecutable(env, "KILN_BUILDKITD")
	}
	if exe, err := executable(); err == nil {
		dirs := []string{filepath.Dir(exe)}
		// kiln may be a symlink (e.g. /usr/local/bin/kiln -> /opt/kiln/bin/kiln); the
		// bundled buildkitd sits next to the real file.
		if real, err := filepath.EvalSymlinks(exe); err == nil && filepath.Dir(real) != dirs[0] {
			dirs = append(dirs, filepath.Dir(real))
		}
		for _, d := range dirs {
			if p := filepath.Join(d, "buildkitd"); isExecutable(p) {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath("buildkitd"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		return p, nil
	}
	return "", ErrBuildkitdNotFound
}

func checkExecutable(path, source string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", source, path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w (%w)", source, path, err, ErrBuildkitdNotFound)
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%s %q is not an executable file (%w)", source, path, ErrBuildkitdNotFound)
	}
	return abs, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0
}
