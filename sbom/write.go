package sbom

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/shlibs"
)

// Step is what the in-graph SBOM step (kiln write-sbom) is given: file names
// inside the step's container.
type Step struct {
	Spec string // the Spec as JSON
	Root string // the package's staged tree
	// Dpkg is the toolchain's package list (ParseDpkgList); "" = none.
	Dpkg string
	// Shlibs is the shlibs step's result for the package: the runtime
	// dependencies derived from its ELF files, which the pack step adds
	// to the recipe's ("" = none looked for).
	Shlibs string
	// Out is the directory the SBOM goes to, at Out/Path(name): a tree
	// merged over the package's, so the package carries it.
	Out string
	// Tool names the program writing the document ("kiln").
	Tool string
}

// Run writes the SBOM of the package whose tree is at s.Root: through a
// temporary name, renamed when complete.
func (s Step) Run() (string, error) {
	spec, err := ReadSpec(s.Spec)
	if err != nil {
		return "", err
	}
	if s.Dpkg != "" {
		data, err := os.ReadFile(s.Dpkg)
		if err != nil {
			return "", fmt.Errorf("reading the toolchain's package list: %w", err)
		}
		if spec.Toolchain.Packages, err = ParseDpkgList(data); err != nil {
			return "", fmt.Errorf("%s: %w", s.Dpkg, err)
		}
	}
	if s.Shlibs != "" {
		r, err := shlibs.ReadResult(s.Shlibs)
		if err != nil {
			return "", fmt.Errorf("reading the derived dependencies: %w", err)
		}
		// The pack step's own rule, so the SBOM lists what the package's
		// metadata says.
		p := pack.Package{Depends: spec.Package.Depends}
		p.Derive(r.Depends, nil)
		spec.Package.Derived = p.Depends[len(spec.Package.Depends):]
		spec.Package.Depends = p.Depends
	}
	for i, src := range spec.Sources {
		if src.Lock != "" {
			if spec.Sources[i].Vendored, err = ReadLock(src.Kind, src.Lock); err != nil {
				return "", fmt.Errorf("source %d (%s %s): %w", i, src.Kind, src.Generator, err)
			}
			spec.Sources[i].Lock = ""
		}
		if src.Mount == "" {
			continue
		}
		if spec.Sources[i].Digest, err = TreeDigest(src.Mount); err != nil {
			return "", fmt.Errorf("source %d (%s): %w", i, src.Path, err)
		}
		spec.Sources[i].Mount = ""
	}
	rel := Path(spec.Package.Name)
	files, err := ScanTree(s.Root, rel)
	if err != nil {
		return "", err
	}
	doc, err := Document(spec, files, s.Tool)
	if err != nil {
		return "", err
	}
	data, err := Marshal(doc)
	if err != nil {
		return "", err
	}
	final := filepath.Join(s.Out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", err
	}
	return final, atomicfile.Write(final, data, 0o644)
}
