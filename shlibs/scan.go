// Package shlibs derives a package's runtime dependencies from its ELF
// files, as dpkg-shlibdeps does: every NEEDED soname of every file is
// resolved to a package that provides it (one of the same build, one
// installed into $SYSROOT, one of a feed) or to the target's base system,
// and the packages found become Depends (>= the version built). Each
// package records the sonames its own shared libraries provide. It runs
// inside the build graph (kiln shlibs) after the ELF check, before
// packing, and reads ELF with Go's debug/elf only.
package shlibs

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/kiln-build/kiln/elfcheck"
)

// File is what one ELF file of a package needs and provides.
type File struct {
	Path   string   // slash-separated, relative to the package root
	Needed []string // DT_NEEDED sonames, in the file's order
	Soname string   // DT_SONAME of a shared library, else ""
}

// Scan reads every regular file under root (symlinks are not followed)
// and returns the dynamic ELF files, sorted by path. Static binaries and
// other files are left out.
func Scan(root string) ([]File, error) {
	var out []File
	err := elfcheck.RegularFiles(root, func(p, rel string) error {
		f, ok, err := scanFile(p)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if ok {
			f.Path = rel
			out = append(out, f)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// scanFile reads one file's dynamic section; ok is false for a file that
// is not ELF or has no dynamic section.
func scanFile(path string) (f File, ok bool, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return f, false, err
	}
	defer fh.Close()
	magic := make([]byte, len(elf.ELFMAG))
	if _, err := io.ReadFull(fh, magic); err != nil || string(magic) != elf.ELFMAG {
		return f, false, nil
	}
	ef, err := elf.NewFile(fh)
	if err != nil {
		return f, false, fmt.Errorf("starts like an ELF file but is not one debug/elf reads (%v)", err)
	}
	if ef.Section(".dynamic") == nil && progOf(ef, elf.PT_DYNAMIC) == nil {
		return f, false, nil
	}
	if f.Needed, err = ef.DynString(elf.DT_NEEDED); err != nil {
		return f, false, fmt.Errorf("reading its NEEDED entries: %w", err)
	}
	sonames, err := ef.DynString(elf.DT_SONAME)
	if err != nil {
		return f, false, fmt.Errorf("reading its SONAME: %w", err)
	}
	if len(sonames) > 0 {
		f.Soname = sonames[0]
	}
	return f, len(f.Needed) > 0 || f.Soname != "", nil
}

func progOf(f *elf.File, t elf.ProgType) *elf.Prog {
	for _, p := range f.Progs {
		if p.Type == t {
			return p
		}
	}
	return nil
}
