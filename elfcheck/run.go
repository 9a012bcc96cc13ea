package elfcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/internal/specfile"
)

// Spec is what the in-graph check step (kiln elfcheck) checks. It travels
// into the graph as JSON.
type Spec struct {
	Target string `json:"target"`
	// Platform is the target's OCI platform, which fixes the ELF machine;
	// "" for noarch, whose packages may hold no ELF file.
	Platform       string `json:"platform,omitempty"`
	Libc           *Libc  `json:"libc,omitempty"`
	AllowNewerLibc bool   `json:"allow_newer_libc,omitempty"`
	// Packages are the output packages: one directory each under the root.
	Packages []string `json:"packages"`
}

// Expect is what s asks of every ELF file.
func (s Spec) Expect() (Expect, error) {
	e := Expect{Target: s.Target, Libc: s.Libc, AllowNewerLibc: s.AllowNewerLibc}
	if s.Platform != "" {
		a, err := ForPlatform(s.Platform)
		if err != nil {
			return e, fmt.Errorf("target %s: %w", s.Target, err)
		}
		e.Arch = a
	}
	if l := s.Libc; l != nil && l.Name == "glibc" {
		if _, ok := parseVersion(l.Version); !ok {
			return e, fmt.Errorf("target %s: glibc version %q is not a version", s.Target, l.Version)
		}
	}
	return e, nil
}

// Label says what the step checks, for its name in the progress output:
// "glibc <= 2.36, ARM".
func (s Spec) Label() string {
	e, err := s.Expect()
	switch {
	case err != nil:
		return err.Error()
	case e.Arch == nil:
		return "noarch: no machine code"
	case e.Libc == nil:
		return e.Arch.Short
	case e.Libc.Name != "glibc":
		return e.Libc.Name + ", " + e.Arch.Short
	case e.AllowNewerLibc:
		return e.Arch.Short + ", newer glibc allowed"
	}
	return fmt.Sprintf("glibc <= %s, %s", e.Libc.Version, e.Arch.Short)
}

// Run checks each package of s, a directory of that name under root, and
// reports every problem of every package in one error: one line each,
// "package NAME: PROBLEM", packages in the order of s, files by path.
func Run(s Spec, root string) error {
	e, err := s.Expect()
	if err != nil {
		return err
	}
	var lines []string
	newer := false
	for _, name := range s.Packages {
		dir := filepath.Join(root, name)
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			continue // an empty package (validation rule EmptyPackage)
		}
		problems, err := Check(dir, e)
		if err != nil {
			return fmt.Errorf("package %s: %w", name, err)
		}
		for _, p := range problems {
			lines = append(lines, fmt.Sprintf("package %s: %s", name, p))
			newer = newer || p.Kind == NewerLibc
		}
	}
	if len(lines) == 0 {
		return nil
	}
	if newer {
		lines = append(lines, fmt.Sprintf("(allow files needing a newer glibc with validation rule %s)", AllowNewerLibc))
	}
	return fmt.Errorf("ELF files that do not run on target %s:\n%s", s.Target, strings.Join(lines, "\n"))
}

// RunFile is Run with the spec read from a JSON file: the in-graph check
// step (kiln elfcheck --spec FILE --root DIR).
func RunFile(specFile, root string) error {
	var s Spec
	if err := specfile.Read(specFile, &s); err != nil {
		return err
	}
	return Run(s, root)
}
