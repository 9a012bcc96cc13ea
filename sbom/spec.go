// Package sbom writes and reads the SPDX 2.3 SBOM kiln puts inside every
// package and beside it: the package and its files, the recipe's sources,
// the packages installed into $SYSROOT, the toolchain (its image and
// Debian packages with versions) and the runtime dependencies. The build
// graph runs Write (kiln write-sbom) over the staged tree, so the document
// depends only on what the package is made of, as the package does.
package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// Dir is where a package's SBOM is installed, relative to the package's
// root: Dir/NAME.spdx.json.
const Dir = "usr/share/kiln/sbom"

// Ext ends the name of an SBOM file; beside a package FILE in the output
// directory the SBOM is FILE + Ext.
const Ext = ".spdx.json"

// Path is where package name's SBOM is installed, relative to its root.
func Path(name string) string { return Dir + "/" + name + Ext }

// Spec is what the SBOM step knows of a package besides its files. It
// travels into the build graph as JSON, so it holds only plain values.
type Spec struct {
	Package Package `json:"package"`
	Recipe  Recipe  `json:"recipe"`
	// Sources are the recipe's sources in order.
	Sources []Source `json:"sources,omitempty"`
	// Sysroot are the packages of sibling recipes installed into $SYSROOT.
	Sysroot   []Component `json:"sysroot,omitempty"`
	Toolchain Toolchain   `json:"toolchain"`
}

// Package is the output package the SBOM describes.
type Package struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Target     string `json:"target"`
	Maintainer string `json:"maintainer,omitempty"`
	Summary    string `json:"summary,omitempty"`
	License    string `json:"license,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
	// Depends are the runtime dependencies in Debian syntax ("libc6 (>= 2.31)").
	Depends []string `json:"depends,omitempty"`
	// Derived are those of Depends the step derived from the package's
	// ELF files (the shlibs step's result), as the pack step adds them.
	Derived []string `json:"derived,omitempty"`
	// Epoch is SOURCE_DATE_EPOCH: the document's creation time.
	Epoch int64 `json:"epoch"`
}

// Recipe identifies the recipe (and variant) a package was built from.
type Recipe struct {
	Name string `json:"name"`
	// Digest is sha256: of the resolved recipe as kiln compiled it (JSON).
	Digest  string            `json:"digest"`
	Variant map[string]string `json:"variant,omitempty"`
}

// Source is one of the recipe's sources.
type Source struct {
	Kind   string `json:"kind"` // url, git, path, script, gomod, cargo, npm, pip
	URL    string `json:"url,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Git    string `json:"git,omitempty"`
	Commit string `json:"commit,omitempty"`
	Path   string `json:"path,omitempty"`
	// Mount is where the step sees a local source's files, to digest
	// them (Digest is then filled in by the step).
	Mount string `json:"mount,omitempty"`
	// Digest is a local source's tree digest (filled in by the step) or a
	// fixed-output source's declared one.
	Digest string `json:"digest,omitempty"`
	// Generator is the directory (pip: the file) a generator source reads
	// its lock file from, relative to $srcdir; Lock is where the step
	// sees that lock file, to list what it pins (Vendored, filled in by
	// the step).
	Generator string     `json:"generator,omitempty"`
	Lock      string     `json:"lock,omitempty"`
	Vendored  []Vendored `json:"vendored,omitempty"`
}

// Component is a package by name and version (and the file it came as).
type Component struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Arch    string `json:"arch,omitempty"`
	File    string `json:"file,omitempty"`
}

// Toolchain is what the package was built with.
type Toolchain struct {
	Target string `json:"target"`
	Kind   string `json:"kind"`
	// Image is the base image reference as the target or recipe names it.
	Image string `json:"image"`
	// Digest is the digest Image resolved to when the build started (and
	// was pulled by); "" when unknown (a client replaced the image).
	Digest string `json:"digest,omitempty"`
	Suite  string `json:"suite,omitempty"`
	// Archive is an archive toolchain's compiler archive (url, sha256).
	Archive *Source `json:"archive,omitempty"`
	// Packages are the Debian packages installed in the toolchain root,
	// read by the step from dpkg (every package, the image's included).
	Packages []Component `json:"packages,omitempty"`
	// Tools are the other images build steps mount tools from (the Go of
	// a gomod source), with their digests.
	Tools []Image `json:"tools,omitempty"`
}

// Image is an image by reference and the digest it was pulled by.
type Image struct {
	Ref    string `json:"ref"`
	Digest string `json:"digest,omitempty"`
}

// ReadSpec reads the spec file the graph hands to the SBOM step.
func ReadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading sbom spec: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("reading sbom spec %s: %w", path, err)
	}
	if s.Package.Name == "" {
		return nil, fmt.Errorf("reading sbom spec %s: no package name", path)
	}
	return &s, nil
}

// ParseDpkgList reads `dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n'`
// output, sorted by name.
func ParseDpkgList(data []byte) ([]Component, error) {
	var out []Component
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		f := bytes.Split(line, []byte("\t"))
		if len(f) != 3 || len(f[0]) == 0 {
			return nil, fmt.Errorf("dpkg package list line %d: want NAME<tab>VERSION<tab>ARCH, got %q", i+1, line)
		}
		out = append(out, Component{Name: string(f[0]), Version: string(f[1]), Arch: string(f[2])})
	}
	sortComponents(out)
	return out, nil
}

func sortComponents(c []Component) {
	sort.Slice(c, func(i, j int) bool {
		if c[i].Name != c[j].Name {
			return c[i].Name < c[j].Name
		}
		return c[i].Arch < c[j].Arch
	})
}
