package toltec

import (
	_ "embed"
	"regexp"

	"github.com/kiln-build/kiln/importer"
)

//go:embed installlib.sh
var installLib string

// libFuncs are the install library's functions by name, as text.
var libFuncs = parseLib(installLib)

func parseLib(src string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`(?ms)^([a-z][a-z0-9-]*)\(\) \{\n.*?^\}\n`)
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		out[m[1]] = m[0]
	}
	return out
}

// The install library ships once, as a package of its own that every
// imported package whose hooks call it depends on: opkg installs a
// package's dependencies before running its hooks, which source the
// library from where the package put it (under opkg's $PKG_ROOT, the
// root being installed into).
const (
	LibPackage = "toltec-install-lib"
	libPath    = "/opt/lib/toltec-install-lib/install-lib.sh"
	// libVersion changes with installlib.sh, so feeds see a new package.
	libVersion = "1.0.0-1"
	libSource  = `. "${PKG_ROOT:-}` + libPath + `"`
)

// libRecipe is the library package's recipe and file, for the output's
// root (LibPackage/kiln.yaml, whatever format the recipes take).
func libRecipe() (map[string][]byte, error) {
	m := importer.Map{
		{Key: "name", Value: LibPackage},
		{Key: "version", Value: libVersion},
		{Key: "summary", Value: "Toltec's install library, which imported packages' install hooks source"},
		{Key: "license", Value: "MIT"},
		{Key: "maintainer", Value: "kiln import <kiln-import@example.org>"},
		{Key: "section", Value: "utils"},
		{Key: "timestamp", Value: "2026-01-01T00:00Z"},
		{Key: "targets", Value: []string{"rmall"}},
		{Key: "sources", Value: []any{importer.Map{{Key: "path", Value: "install-lib.sh"}}}},
		{Key: "package", Value: `install -D -m 644 "$srcdir"/install-lib.sh "$pkgdir"` + libPath},
	}
	data, err := importer.YAML(m, []string{"Written by kiln import toltec: Toltec's install library (kiln's implementation)."})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		LibPackage + "/kiln.yaml":      data,
		LibPackage + "/install-lib.sh": []byte(installLib),
	}, nil
}
