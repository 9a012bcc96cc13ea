package sbom

import (
	"fmt"
	"os"
	"path/filepath"
)

// Step is what the in-graph SBOM step (kiln write-sbom) is given: file names
// inside the step's container.
type Step struct {
	Spec string // the Spec as JSON
	Root string // the package's staged tree
	// Dpkg is the toolchain's package list (ParseDpkgList); "" = none.
	Dpkg string
	// Out is the directory the SBOM goes to, at Out/Path(name): a tree
	// merged over the package's, so the package carries it.
	Out string
	// Tool names the program writing the document ("kiln-v1.2.0").
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
	for i, src := range spec.Sources {
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
	return final, writeAtomic(final, data)
}

// writeAtomic writes data to name through a temporary file in its
// directory, so name never holds half a document.
func writeAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
