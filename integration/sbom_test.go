package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/sbom/sbomtest"
)

// TestSBOMExamples builds every example and checks every package's SBOM:
// beside it in -o it validates against the SPDX 2.3 JSON schema (an
// independent validator), describes the package, lists the recipe's
// sources and the toolchain with its Debian packages; inside each .ipk
// (read back with ar and tar) it is the same document.
func TestSBOMExamples(t *testing.T) {
	requireIntegration(t)
	serveGreet(t)
	out := t.TempDir()
	mustKiln(t, nil, "build", "examples/hello", "examples/motd", "examples/greet", "examples/libgreet", "examples/greeter",
		"examples/remarkable", "examples/bullseye", "-o", out, "--progress", "plain")
	checked := 0
	digests := map[string]string{}
	greeters := 0
	for _, f := range artifacts(t, out) {
		if base := filepath.Base(f); base == "Packages" || base == "Packages.gz" || strings.HasSuffix(f, sbom.Ext) || base == provenance.File {
			continue
		}
		checked++
		data, err := os.ReadFile(filepath.Join(out, f+sbom.Ext))
		if err != nil {
			t.Errorf("%s has no SBOM beside it: %v", f, err)
			continue
		}
		if err := sbomtest.Validate(data); err != nil {
			t.Errorf("%s%s is not valid SPDX 2.3: %v", f, sbom.Ext, err)
			continue
		}
		doc, err := sbom.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		main := doc.Packages[0]
		purposes := map[string]int{}
		debs := 0
		for _, p := range doc.Packages {
			purposes[p.PrimaryPackagePurpose]++
			if strings.HasPrefix(string(p.PackageSPDXIdentifier), "Deb-") {
				debs++
			}
		}
		if main.PrimaryPackagePurpose != "INSTALL" || !strings.HasPrefix(filepath.Base(f), main.PackageName) {
			t.Errorf("%s: SBOM describes %s (%s)", f, main.PackageName, main.PrimaryPackagePurpose)
		}
		if purposes["SOURCE"] == 0 || purposes["CONTAINER"] != 1 || debs < 10 {
			t.Errorf("%s: SBOM has %d sources, %d toolchains, %d Debian packages", f, purposes["SOURCE"], purposes["CONTAINER"], debs)
		}
		checkToolchainDigest(t, f, doc, digests)
		if main.PackageName == "greeter" {
			greeters++
			checkDerivedDepends(t, filepath.Join(out, f), doc)
		}
		if len(doc.Files) == 0 {
			t.Errorf("%s: SBOM lists no files", f)
		}
		if strings.HasSuffix(f, ".ipk") {
			inside := run(t, "bash", "-c", `ar p "$1" data.tar.gz | tar -xzOf - "./$2"`, "sh", filepath.Join(out, f), sbom.Path(main.PackageName))
			if inside != string(data) {
				t.Errorf("%s: the SBOM inside differs from the one beside it", f)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d packages checked", checked)
	}
	if len(digests) == 0 {
		t.Error("no SBOM names a toolchain image")
	}
	if greeters == 0 {
		t.Error("no greeter package checked")
	}
}

// checkDerivedDepends: greeter's recipe does not list libgreet; the
// shlibs step derives it from the binary's NEEDED libgreet.so.1, and the
// SBOM lists it as a runtime dependency, as the package's metadata does.
func checkDerivedDepends(t *testing.T, pkg string, doc *sbom.Doc) {
	t.Helper()
	var comment, constraint string
	for _, p := range doc.Packages {
		if p.PackageName == "libgreet" && strings.HasPrefix(string(p.PackageSPDXIdentifier), "Depends-") {
			comment = p.PackageComment
			for _, r := range doc.Relationships {
				if r.Relationship == "DEPENDS_ON" && r.RefB.ElementRefID == p.PackageSPDXIdentifier {
					constraint = r.RelationshipComment
				}
			}
		}
	}
	if !strings.Contains(comment, "derived from the package's ELF files") || !strings.HasPrefix(constraint, "(>= ") {
		t.Errorf("%s: SBOM's libgreet dependency: %q, constraint %q", pkg, comment, constraint)
	}
	if !strings.HasSuffix(pkg, ".ipk") {
		return
	}
	// The same relation as the package's own metadata (dpkg-deb reads it).
	depends := run(t, "dpkg-deb", "-f", pkg, "Depends")
	if !strings.Contains(depends, "libgreet "+constraint) {
		t.Errorf("%s: Depends %q, SBOM: libgreet %s", pkg, strings.TrimSpace(depends), constraint)
	}
}

// checkToolchainDigest: the SBOM of package f records the digest of its
// toolchain's base image, as version, SHA-256 checksum and purl version,
// and it is the digest the local registry serves the image by (images
// keep their public names; the daemon pulls them from it as a mirror).
func checkToolchainDigest(t *testing.T, f string, doc *sbom.Doc, digests map[string]string) {
	t.Helper()
	ref, dg := sbom.ToolchainImage(doc), sbom.ToolchainDigest(doc)
	if ref == "" {
		return
	}
	if digests[ref] == "" {
		named, err := reference.ParseNormalizedNamed(ref)
		if err != nil {
			t.Fatalf("%s: toolchain image %q: %v", f, ref, err)
		}
		digests[ref] = manifestDigest(t, reference.Path(named), reference.TagNameOnly(named).(reference.Tagged).Tag()).String()
	}
	if dg != digests[ref] {
		t.Errorf("%s: SBOM records toolchain image %s as %q, the registry serves %s", f, ref, dg, digests[ref])
	}
	for _, p := range doc.Packages {
		if p.PrimaryPackagePurpose == "CONTAINER" && (p.PackageVersion != dg || len(p.PackageExternalReferences) != 1 ||
			!strings.Contains(p.PackageExternalReferences[0].Locator, "@"+strings.Replace(dg, ":", "%3A", 1)+"?")) {
			t.Errorf("%s: toolchain image %s: version %q, purl %+v", f, ref, p.PackageVersion, p.PackageExternalReferences)
		}
	}
}
