package integration

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/treedigest"
)

// wheel builds a pure-Python wheel holding one module.
func wheel(t *testing.T, name, version string, files map[string]string) []byte {
	t.Helper()
	info := name + "-" + version + ".dist-info/"
	files[info+"METADATA"] = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	files[info+"WHEEL"] = "Wheel-Version: 1.0\nGenerator: kiln-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	var record strings.Builder
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(p, body string) {
		w, err := zw.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	for _, p := range []string{name + "/__init__.py", info + "METADATA", info + "WHEEL"} {
		sum := sha256.Sum256([]byte(files[p]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[p]))
		add(p, files[p])
	}
	record.WriteString(info + "RECORD,,\n")
	add(info+"RECORD", record.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPipGenerator: a requirements file with hashes is fetched from a
// package index served over local HTTP (a directory listing per project,
// as PEP 503 asks) into a directory the package step installs from with
// --no-index; a missing digest gives the digest of that directory.
func TestPipGenerator(t *testing.T) {
	requireIntegration(t)
	whl := wheel(t, "kilngreet", "1.0", map[string]string{"kilngreet/__init__.py": "def greet():\n    return 'hello from a wheel'\n"})
	const file = "kilngreet-1.0-py3-none-any.whl"
	url, hits := countingServer(t, map[string]string{"simple/kilngreet/" + file: string(whl)})
	sum := sha256.Sum256(whl)
	want := t.TempDir()
	writeFiles(t, want, map[string]string{file: string(whl)})
	wantDigest, err := treedigest.Of(want)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	// pin is "" or a digest line following registry's.
	recipe := func(pin string) {
		writeFiles(t, dir, map[string]string{
			"src/requirements.txt": fmt.Sprintf("kilngreet==1.0 --hash=sha256:%x\n", sum),
			"src/main.py":          "import kilngreet\nprint(kilngreet.greet())\n",
			"kiln.yaml": strings.Replace(fmt.Sprintf(recipeHead, "pyhello"), "targets: [x86_64]", "targets: [noarch]", 1) + fmt.Sprintf(`makedepends: ["build:python3-pip"]
sources:
  - path: src
  - pip: requirements.txt
    registry: %s/simple/%s
package: |
  PIP_BREAK_SYSTEM_PACKAGES=1 pip install --require-hashes -r requirements.txt --target "$pkgdir/opt/pyhello/lib"
  install -D -m 644 main.py "$pkgdir/opt/pyhello/main.py"
`, url, pin),
		})
	}
	recipe("")
	r := kiln(t, nil, "build", dir, "-o", t.TempDir(), "--progress", "plain")
	if r.err == nil || !strings.Contains(r.stderr, "source 1 (pip requirements.txt) has no digest: its output is "+wantDigest) {
		t.Fatalf("without digest: %v\n%s", r.err, tail(r.stderr, 30))
	}
	if hits.Load() == 0 {
		t.Error("the fetch step did not reach the index")
	}

	recipe("\n    digest: " + wantDigest)
	out := t.TempDir()
	mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	checkVendored(t, filepath.Join(out, "pyhello_1.0-1_all.ipk"+sbom.Ext), "pip", map[string]string{
		"kilngreet 1.0": fmt.Sprintf("pkg:pypi/kilngreet@1.0 SHA256:%x", sum),
	})
	x := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, "pyhello_1.0-1_all.ipk"), x)
	if _, err := os.Stat(filepath.Join(x, "opt/pyhello/lib/kilngreet/__init__.py")); err != nil {
		t.Fatalf("the package lacks the installed wheel: %v", err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Log("python3 not installed: the packaged program is not run")
		return
	}
	cmd := exec.Command("python3", filepath.Join(x, "opt/pyhello/main.py"))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(x, "opt/pyhello/lib"))
	if got, err := cmd.CombinedOutput(); err != nil || string(got) != "hello from a wheel\n" {
		t.Errorf("pyhello: %q, %v", got, err)
	}
}
