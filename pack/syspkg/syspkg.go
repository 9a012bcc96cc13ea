// Package syspkg writes syspkg packages: per-architecture payload ZIPs of
// the installed files, a metainfo JSON describing all of them (with sizes
// and sha256 of each payload) followed by a signature block, signed
// repository lists and an HTML catalog of a repository.
//
// A payload's top-level directories are categories, not install paths:
// bin, lib, inc, etc, shr, var, man, src; syspkg extracts each into a
// directory chosen when syspkg itself is built (BINDIR, LIBDIR, ...). Pack
// maps kiln's installed tree ($pkgdir with usr/bin, opt/lib, etc/...) onto
// those categories; see Layout. The package with id "base" is the
// exception: it is extracted to the root as is.
//
// The metainfo spans every architecture, so it cannot come out of one
// per-arch Pack call. The integrator runs an index step once all payloads
// exist: ScanPayloadFile on each, Index to fill payloads and files, then
// Render or Sign (see index.go).
package syspkg

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/tarball"
)

func init() { pack.Register(Format{}) }

// Format is the syspkg payload format, registered as "syspkg" with the
// defaults (zstd, default layout); a package's formats.syspkg options
// (Options) override them.
type Format struct {
	// Compression names the ZIP method of the payload entries: "zstd"
	// (the default, method 93), "deflate" (8) or "store" (0), as in the
	// recipe's formats.syspkg.compression.
	Compression string
	// Override maps a category to a directory of the installed tree whose
	// contents go into that category, like the seed's "override" field in
	// the other direction (e.g. {"bin": "opt/hello/cli"}).
	Override map[string]string
}

// Name implements pack.Format.
func (Format) Name() string { return "syspkg" }

// FileName implements pack.Format: "(id)-(version)-(arch).zip", the name
// syspkg build gives a payload it makes from a directory.
func (Format) FileName(p *pack.Package) string {
	v, _, err := SplitVersion(p.Version)
	if err != nil {
		v = p.Version // Pack reports the error
	}
	return fmt.Sprintf("%s-%s-%s.zip", p.Name, v, Arch(p.Arch))
}

// Pack implements pack.Format: it writes the payload ZIP of the tree at
// root for p.Arch. Entries are sorted, their mtimes clamped to p.Epoch and
// compressed in parallel; the bytes depend only on the tree's names, modes
// and contents (and mtimes older than the epoch).
func (f Format) Pack(p *pack.Package, root string, w io.Writer) error {
	if err := Validate(p); err != nil {
		return err
	}
	f, err := f.withOptions(p)
	if err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	method, err := ParseCompression(f.Compression)
	if err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	entries, err := tarball.Scan(root)
	if err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	l := Layout{Override: f.Override, Verbatim: p.Name == BaseID}
	items, err := l.items(entries, p.Epoch)
	if err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	if err := writeZip(w, items, method); err != nil {
		return fmt.Errorf("packing %s: %w", p.Name, err)
	}
	return nil
}

// BaseID is the id of the package extracted to the root as is: the base
// operating system.
const BaseID = "base"

// idRE is a package id: letters, digits, "_" and "-", with at most one dot
// separating a provided name from its alternative ("cron.vixie").
var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$`)

// Validate checks what Pack needs from p.
func Validate(p *pack.Package) error {
	var errs []string
	if !idRE.MatchString(p.Name) {
		errs = append(errs, fmt.Sprintf("name %q is not a syspkg id (letters, digits, _ and -, at most one dot)", p.Name))
	}
	if _, _, err := SplitVersion(p.Version); err != nil {
		errs = append(errs, err.Error())
	}
	if p.Arch == "" {
		errs = append(errs, "arch is empty")
	}
	if len(errs) > 0 {
		return fmt.Errorf("package %q: %s", p.Name, strings.Join(errs, "; "))
	}
	return nil
}

// Arch is the syspkg name of a kiln architecture: "any" for packages
// without native binaries, other names unchanged (the target's toolchain
// file already names the arch per format).
func Arch(a string) string {
	switch a {
	case "noarch", "all", "any":
		return "any"
	}
	return a
}

// versionRE finds the canonical part of an upstream version: up to three
// dot-separated numbers at its start.
var versionRE = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?`)

// SplitVersion turns a kiln (Debian-ordered) version into syspkg's two
// fields: the canonical "major.featureset.patch" from the leading numbers
// of the upstream version (missing parts are 0), and the free-form release,
// which is the whole version without its epoch. "1:1.2~beta1-3" gives
// "1.2.0" and "1.2~beta1-3".
func SplitVersion(v string) (version, release string, err error) {
	release = v
	if i := strings.IndexByte(v, ':'); i >= 0 {
		release = v[i+1:]
	}
	m := versionRE.FindStringSubmatch(release)
	if m == nil {
		return "", "", fmt.Errorf("version %q does not start with a number (syspkg needs major.featureset.patch)", v)
	}
	parts := m[1:]
	for i, p := range parts {
		if p == "" {
			parts[i] = "0"
		}
	}
	return strings.Join(parts, "."), release, nil
}
