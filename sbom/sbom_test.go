package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/sbom/sbomtest"
)

func testSpec(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	for name, body := range map[string]string{"opt/bin/hello": "\x7fELF...", "opt/share/doc/hello/README": "hi\n"} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	local := filepath.Join(dir, "src")
	if err := os.MkdirAll(local, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(local, "main.c"), []byte("int main(){}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	goSum, err := filepath.Abs("testdata/locks/gomod/go.sum")
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{
		Package: Package{Name: "hello", Version: "1:1.2.0-3", Target: "armv7", Maintainer: "Jane Doe <jane@example.org>",
			License: "MIT", Depends: []string{"libc6 (>= 2.31)", "zlib"}, Epoch: 1714521600},
		Recipe: Recipe{Name: "hello", Digest: "sha256:00"},
		Sources: []Source{
			{Kind: "url", URL: "https://example.org/hello-1.2.0.tar.gz", SHA256: strings.Repeat("ab", 32)},
			{Kind: "git", Git: "https://example.org/hello.git", Commit: strings.Repeat("c", 40)},
			{Kind: "path", Path: "src", Mount: local},
			{Kind: "script"},
			{Kind: "gomod", Generator: ".", Digest: "sha256:" + strings.Repeat("9", 64), Lock: goSum},
		},
		Sysroot: []Component{{Name: "libfoo", Version: "2.0", File: "libfoo_2.0_armv7.ipk"}},
		Toolchain: Toolchain{Target: "armv7", Kind: "archive", Image: "127.0.0.1:5000/debian:bookworm", Suite: "bookworm",
			Digest:  "sha256:" + strings.Repeat("12", 32),
			Tools:   []Image{{Ref: "registry.test/golang:1.22", Digest: "sha256:" + strings.Repeat("34", 32)}},
			Archive: &Source{Kind: "url", URL: "https://example.org/cc.tar.xz", SHA256: strings.Repeat("ef", 32)}},
	}
	data, _ := json.Marshal(spec)
	specFile := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg := filepath.Join(dir, "dpkg.tsv")
	if err := os.WriteFile(dpkg, []byte("zlib1g\t1:1.2.13.dfsg-1\tamd64\ngcc-arm-linux-gnueabihf\t4:12.2.0-3\tamd64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return specFile, dpkg
}

// TestStep: the step's document validates against the SPDX 2.3 schema,
// names what went into the package, and is the same bytes every time.
func TestStep(t *testing.T) {
	specFile, dpkg := testSpec(t)
	root := filepath.Join(filepath.Dir(specFile), "root")
	var first []byte
	for i := 0; i < 2; i++ {
		out := t.TempDir()
		path, err := Step{Spec: specFile, Root: root, Dpkg: dpkg, Out: out, Tool: "kiln-test"}.Run()
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(out, "usr/share/kiln/sbom/hello.spdx.json"); path != want {
			t.Fatalf("wrote %s, want %s", path, want)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if !bytes.Equal(first, data) {
				t.Fatal("two runs gave different documents")
			}
			break
		}
		first = data
		if err := sbomtest.Validate(data); err != nil {
			t.Fatalf("schema: %v\n%s", err, data)
		}
		for _, want := range []string{
			`"SPDXID": "SPDXRef-Package-hello"`, `"versionInfo": "1:1.2.0-3"`, `"supplier": "Person: Jane Doe (jane@example.org)"`,
			`"fileName": "./opt/bin/hello"`, `"created": "2024-05-01T00:00:00Z"`,
			`"downloadLocation": "https://example.org/hello-1.2.0.tar.gz"`,
			`"downloadLocation": "git+https://example.org/hello.git@cccc`,
			`local source next to the recipe; tree digest sha256:`,
			`"name": "libfoo"`, `pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64`,
			`"name": "libc6"`, `"comment": "(>= 2.31)"`, `"relationshipType": "DEPENDS_ON"`,
			`"documentNamespace": "urn:uuid:`, `"versionInfo": "sha256:121212`,
			`"SPDXID": "SPDXRef-Tool-image-registry.test-golang-1.22"`, `"versionInfo": "sha256:343434`,
			`pkg:oci/golang@sha256%3A` + strings.Repeat("34", 32) + `?repository_url=registry.test%2Fgolang&tag=1.22`,
			`"name": "gomod ."`, `"checksumValue": "` + strings.Repeat("9", 64), `"primaryPackagePurpose": "LIBRARY"`,
			`"referenceLocator": "pkg:golang/rsc.io/quote/v4@v4.0.1"`, `"comment": "go.sum h1:i/LHLEinr65wwTCqlP4OnMoMWeCgnFIZFvifdXNK+5M="`,
			`pkg:oci/debian@sha256%3A` + strings.Repeat("12", 32) + `?repository_url=127.0.0.1%3A5000%2Fdebian&tag=bookworm`, `"downloadLocation": "https://example.org/cc.tar.xz"`, `"primaryPackagePurpose": "ARCHIVE"`,
		} {
			if !bytes.Contains(data, []byte(want)) {
				t.Errorf("document lacks %s", want)
			}
		}
	}
	doc, err := Read(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Files) != 2 || doc.Packages[0].PackageName != "hello" {
		t.Errorf("read back %d files, first package %q", len(doc.Files), doc.Packages[0].PackageName)
	}
	if ref, d := ToolchainImage(doc), ToolchainDigest(doc); ref != "127.0.0.1:5000/debian:bookworm" || d != "sha256:"+strings.Repeat("12", 32) {
		t.Errorf("toolchain image %s, digest %s", ref, d)
	}
	if o, err := OriginOf(doc); err != nil || o.Recipe != "hello" || o.Digest != "sha256:00" || o.Target != "armv7" {
		t.Errorf("origin %+v, %v", o, err)
	}

	// ReadPackages gives each package's own facts as Read does, and the
	// same toolchain image.
	light, err := ReadPackages(first)
	if err != nil {
		t.Fatal(err)
	}
	if len(light.Packages) != len(doc.Packages) || len(light.Packages) < 5 {
		t.Fatalf("ReadPackages: %d packages, Read: %d", len(light.Packages), len(doc.Packages))
	}
	for i, p := range doc.Packages {
		q := light.Packages[i]
		if q.PackageName != p.PackageName || q.PackageVersion != p.PackageVersion || q.PackageDownloadLocation != p.PackageDownloadLocation ||
			q.PrimaryPackagePurpose != p.PrimaryPackagePurpose || !reflect.DeepEqual(q.PackageChecksums, p.PackageChecksums) {
			t.Errorf("package %d: ReadPackages %+v\nRead %+v", i, q, p)
		}
	}
	if ToolchainImage(light) != ToolchainImage(doc) || ToolchainDigest(light) != ToolchainDigest(doc) {
		t.Errorf("ReadPackages: toolchain image %s %s", ToolchainImage(light), ToolchainDigest(light))
	}
	if _, err := ReadPackages([]byte(`{"packages": {}}`)); err == nil {
		t.Error("ReadPackages took packages that are not a list")
	}
}

// TestSchemaRejects: the validator is not a rubber stamp.
func TestSchemaRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no namespace": `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","creationInfo":{"created":"2024-05-01T00:00:00Z","creators":["Tool: x"]}}`,
		"bad date":     `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"urn:x","creationInfo":{"created":"2024-05-01","creators":["Tool: x"]}}`,
		"bad file id":  `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"urn:x","creationInfo":{"created":"2024-05-01T00:00:00Z","creators":["Tool: x"]},"files":[{"SPDXID":"SPDXRef-a_b","fileName":"a","checksums":[{"algorithm":"SHA1","checksumValue":"00"}]}]}`,
	} {
		if err := sbomtest.Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseDpkgListErrors(t *testing.T) {
	if _, err := ParseDpkgList([]byte("a\t1\tamd64\nbroken line\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want line 2", err)
	}
}

// TestStepDerivedDepends: the dependencies the shlibs step derived from
// the ELF files join the recipe's, once per package name, as pack adds
// them, and say where they come from.
func TestStepDerivedDepends(t *testing.T) {
	specFile, dpkg := testSpec(t)
	dir := filepath.Dir(specFile)
	res := filepath.Join(dir, "hello.json")
	if err := os.WriteFile(res, []byte(`{"depends": ["libgreet (>= 1.0-1)", "zlib (>= 1:1.2)"], "packages": ["libgreet", "zlib"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := Step{Spec: specFile, Root: filepath.Join(dir, "root"), Dpkg: dpkg, Out: t.TempDir(), Shlibs: res, Tool: "kiln-test"}.Run()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range doc.Packages {
		if strings.HasPrefix(string(p.PackageSPDXIdentifier), "Depends-") {
			got[p.PackageName] = p.PackageComment
		}
	}
	want := map[string]string{
		"libc6":    "runtime dependency: libc6 (>= 2.31)",
		"zlib":     "runtime dependency: zlib", // the recipe's, kept
		"libgreet": "runtime dependency derived from the package's ELF files (the shared libraries they need): libgreet (>= 1.0-1)",
	}
	if len(got) != len(want) {
		t.Errorf("runtime dependencies %v, want %v", got, want)
	}
	for n, c := range want {
		if got[n] != c {
			t.Errorf("dependency %s: %q, want %q", n, got[n], c)
		}
	}
	if _, err := (Step{Spec: specFile, Root: filepath.Join(dir, "root"), Out: t.TempDir(), Shlibs: filepath.Join(dir, "none.json")}).Run(); err == nil ||
		!strings.Contains(err.Error(), "derived dependencies") {
		t.Errorf("missing shlibs result: err = %v", err)
	}
}
