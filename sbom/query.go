package sbom

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Match is one component an SBOM names.
type Match struct {
	// Package is the package file the SBOM belongs to (its name without
	// Ext), relative to the directory searched.
	Package string
	Name    string
	Version string
	// Role says what the component is to the package: the package itself,
	// a source, a vendored dependency, a $SYSROOT package, a toolchain
	// Debian package, the toolchain image, a tool image or a runtime
	// dependency.
	Role string
}

func (m Match) String() string {
	v := m.Version
	if v == "" {
		v = "(no version)"
	}
	return fmt.Sprintf("%s: %s %s (%s)", m.Package, m.Name, v, m.Role)
}

// roles name what each kind of element (by its SPDX id prefix) is.
var roles = []struct{ prefix, role string }{
	{"Package-", "the package"},
	{"Source-", "source"},
	{"Vendored-", "vendored dependency"},
	{"Sysroot-", "installed into $SYSROOT"},
	{"Deb-", "toolchain Debian package"},
	{"Toolchain-", "toolchain image"},
	{"Tool-image-", "tool image"},
	{"Depends-", "runtime dependency"},
}

// Query lists the components named name (and, when version is not "",
// of that version) in the SBOMs beside the packages under dir, in path
// order. spec is NAME or NAME@VERSION.
func Query(dir, spec string) ([]Match, error) {
	name, version, _ := strings.Cut(spec, "@")
	if name == "" {
		return nil, fmt.Errorf("--contains %q: want NAME or NAME@VERSION", spec)
	}
	var docs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, Ext) {
			docs = append(docs, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("searching %s: %w", dir, err)
	}
	sort.Strings(docs)
	var out []Match
	for _, p := range docs {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		doc, err := Read(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		rel, _ := filepath.Rel(dir, p)
		for _, pk := range doc.Packages {
			if pk.PackageName != name || (version != "" && pk.PackageVersion != version) {
				continue
			}
			out = append(out, Match{Package: strings.TrimSuffix(filepath.ToSlash(rel), Ext), Name: pk.PackageName,
				Version: pk.PackageVersion, Role: role(string(pk.PackageSPDXIdentifier))})
		}
	}
	return out, nil
}

func role(id string) string {
	for _, r := range roles {
		if strings.HasPrefix(id, r.prefix) {
			return r.role
		}
	}
	return "component"
}
