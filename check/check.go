// Package check runs a recipe test's declarative checks (file exists, mode,
// contains; command output matches) inside the build graph and reports
// every failure at once.
package check

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/internal/specfile"
)

// Check mirrors schema.Check; it travels into the graph as JSON.
type Check struct {
	Path     string `json:"path,omitempty"`
	Exists   *bool  `json:"exists,omitempty"`
	Mode     string `json:"mode,omitempty"`
	Contains string `json:"contains,omitempty"`
	Command  string `json:"command,omitempty"`
	Output   string `json:"output,omitempty"`
}

// Run runs every check (paths relative to the current directory unless
// absolute) and joins the failures.
func Run(checks []Check) error {
	var errs []error
	for i, c := range checks {
		if err := run(c); err != nil {
			errs = append(errs, fmt.Errorf("check %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func run(c Check) error {
	if c.Command != "" {
		return command(c)
	}
	fi, err := os.Lstat(c.Path)
	exists := err == nil
	if c.Exists != nil && *c.Exists != exists {
		if exists {
			return fmt.Errorf("%s exists, want it absent", c.Path)
		}
		return fmt.Errorf("%s does not exist", c.Path)
	}
	if !exists {
		if c.Mode != "" || c.Contains != "" {
			return fmt.Errorf("%s: %v", c.Path, err)
		}
		return nil
	}
	if c.Mode != "" {
		want, err := strconv.ParseUint(c.Mode, 8, 32)
		if err != nil {
			return fmt.Errorf("mode %q is not octal", c.Mode)
		}
		got := uint64(fi.Mode().Perm())
		if fi.Mode()&os.ModeSetuid != 0 {
			got |= 0o4000
		}
		if fi.Mode()&os.ModeSetgid != 0 {
			got |= 0o2000
		}
		if fi.Mode()&os.ModeSticky != 0 {
			got |= 0o1000
		}
		if got != want {
			return fmt.Errorf("%s has mode %04o, want %04o", c.Path, got, want)
		}
	}
	if c.Contains != "" {
		data, err := os.ReadFile(c.Path)
		if err != nil {
			return err
		}
		if !bytes.Contains(data, []byte(c.Contains)) {
			return fmt.Errorf("%s does not contain %q", c.Path, c.Contains)
		}
	}
	return nil
}

func command(c Check) error {
	out, err := exec.Command("/bin/sh", "-c", c.Command).CombinedOutput()
	if err != nil {
		return fmt.Errorf("command %q failed: %v\n%s", c.Command, err, out)
	}
	if c.Output == "" {
		return nil
	}
	// Multi-line mode: ^ and $ match at each line, so "^ok$" matches a
	// command that prints "ok" and a newline, or "ok" among other lines.
	re, err := regexp.Compile("(?m)" + c.Output)
	if err != nil {
		return fmt.Errorf("output pattern %q: %w", c.Output, err)
	}
	if !re.Match(bytes.TrimRight(out, "\r\n")) {
		return fmt.Errorf("command %q printed %q, which does not match %q", c.Command, strings.TrimSpace(string(out)), c.Output)
	}
	return nil
}

// RunFile is Run with the checks read from a JSON file: the in-graph test
// step (kiln check --spec FILE). It returns how many checks passed.
func RunFile(specFile string) (int, error) {
	var checks []Check
	if err := specfile.Read(specFile, &checks); err != nil {
		return 0, err
	}
	return len(checks), Run(checks)
}
