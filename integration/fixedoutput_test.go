package integration

import (
	"bytes"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/distribution/reference"
	"github.com/kiln-build/kiln/internal/buildkitd"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/sbom/sbomtest"
	"github.com/kiln-build/kiln/treedigest"
)

// countingServer serves files on loopback and counts the requests, so a
// test sees whether a fetch step reached it.
func countingServer(t *testing.T, files map[string]string) (string, *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	fs := http.FileServer(http.Dir(dir))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fs.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), &n
}

// TestFixedOutputSource: a script source with network fetches over HTTP.
// Without a digest the build fails with the digest the step produced (the
// one treedigest gives for the same tree here) and runs nothing after it;
// pinned, it builds without fetching again; a wrong digest fails naming
// both, again before anything downstream.
func TestFixedOutputSource(t *testing.T) {
	requireIntegration(t)
	url, hits := countingServer(t, map[string]string{"data.txt": "fetched data\n"})
	wantDigest := fixedoutDigest(t)
	dir := t.TempDir()
	recipe := func(digest string) { fixedoutRecipe(t, dir, url, digest) }
	build := func() result { return kiln(t, nil, "build", dir, "-o", t.TempDir(), "--progress", "plain") }
	downstream := "fixedout [x86_64] build"

	recipe("")
	r := build()
	if r.err == nil {
		t.Fatalf("a fixed-output source without digest built:\n%s", tail(r.stderr, 30))
	}
	if !strings.Contains(r.stderr, "source 0 (script) has no digest: its output is "+wantDigest) {
		t.Errorf("the error does not give the produced digest %s:\n%s", wantDigest, tail(r.stderr, 30))
	}
	if ranStep(r.stderr, downstream) {
		t.Errorf("the build step ran after a missing digest")
	}
	fetched := hits.Load()
	if fetched == 0 {
		t.Fatal("the fetch step did not reach the server")
	}

	recipe(wantDigest)
	out := t.TempDir()
	r = mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain")
	if hits.Load() != fetched {
		t.Errorf("pinning the digest fetched again (%d requests, %d before)", hits.Load(), fetched)
	}
	if !strings.Contains(r.stderr, "(fetch steps: 0 of 1 run)") {
		t.Errorf("summary does not show the fetch step cached:\n%s", tail(r.stderr, 5))
	}
	x := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, "fixedout_1.0-1_x86_64.ipk"), x)
	if got := readFile(t, filepath.Join(x, "usr/share/fixedout/data.txt")); got != "fetched data\n" {
		t.Errorf("packaged %q", got)
	}

	wrong := treedigest.Prefix + strings.Repeat("0", 64)
	recipe(wrong)
	r = build()
	if r.err == nil {
		t.Fatalf("a wrong digest built:\n%s", tail(r.stderr, 30))
	}
	msg := "source 0 (script): digest mismatch: the recipe says " + wrong + " but the output is " + wantDigest
	if !strings.Contains(r.stderr, msg) {
		t.Errorf("the error does not name both digests (%s):\n%s", msg, tail(r.stderr, 30))
	}
	if last := strings.TrimSpace(tail(r.stderr, 2)); !strings.Contains(last, msg) {
		t.Errorf("kiln's error line does not say it: %q", last)
	}
	if ranStep(r.stderr, downstream) {
		t.Errorf("the build step ran after a digest mismatch")
	}
}

// TestFixedOutputCacheExport: the digest is the cache key, on any daemon.
// kiln's managed daemon builds a pinned fixed-output source and exports
// the cache to the registry (mode=max); a fresh buildkitd with an empty
// state, importing that cache, builds the recipe without running the
// fetch step (the server sees no request) and gives the same package.
func TestFixedOutputCacheExport(t *testing.T) {
	requireIntegration(t)
	// The server's port is new each run, so the first build must fetch.
	url, hits := countingServer(t, map[string]string{"data.txt": "fetched data\n"})
	dir := t.TempDir()
	fixedoutRecipe(t, dir, url, fixedoutDigest(t))
	ref := fmt.Sprintf("%s/kiln-test/fixedout:run-%d-%d", registry(), os.Getpid(), time.Now().UnixNano())
	a := t.TempDir()
	r := mustKiln(t, nil, "build", dir, "-o", a, "--progress", "plain", "--cache-to", "type=registry,ref="+ref+",mode=max")
	if !strings.Contains(r.stderr, "(fetch steps: 1 of 1 run)") {
		t.Fatalf("the first build did not run the fetch step:\n%s", tail(r.stderr, 5))
	}
	fetched := hits.Load()
	if fetched == 0 {
		t.Fatal("the fetch step did not reach the server")
	}

	d := startDaemon(t, buildkitd.Options{})
	b := t.TempDir()
	r = mustKiln(t, nil, "build", dir, "-o", b, "--progress", "plain",
		"--addr", d.Remote.Addr, "--cache-from", "type=registry,ref="+ref)
	if !strings.Contains(r.stderr, "importing cache manifest from "+ref) {
		t.Errorf("progress does not show the cache import:\n%s", tail(r.stderr, 40))
	}
	if !strings.Contains(r.stderr, "(fetch steps: 0 of 1 run)") {
		t.Errorf("the fresh daemon ran the fetch step:\n%s", tail(r.stderr, 5))
	}
	if n := hits.Load(); n != fetched {
		t.Errorf("the fresh daemon fetched (%d requests, %d before)", n, fetched)
	}
	sameBytes(t, a, b)
}

// fixedoutDigest is the digest of the tree fixedoutRecipe's fetch step
// produces: data.txt (0644) and sub/ (0755), as treedigest gives it here.
func fixedoutDigest(t *testing.T) string {
	t.Helper()
	want := t.TempDir()
	writeFiles(t, want, map[string]string{"data.txt": "fetched data\n"})
	if err := os.Mkdir(filepath.Join(want, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := treedigest.Of(want)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fixedoutRecipe writes into dir the recipe of package fixedout, whose
// fixed-output script source fetches url/data.txt, pinned by digest
// (none when "").
func fixedoutRecipe(t *testing.T, dir, url, digest string) {
	t.Helper()
	pin := ""
	if digest != "" {
		pin = "\n    digest: " + digest
	}
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "fixedout") + fmt.Sprintf(`sources:
  - script: |
      umask 022
      curl -fsS -o data.txt %s/data.txt
      mkdir sub
    network: true%s
    dest: deps
build: cp deps/data.txt built.txt
package: install -D -m 644 built.txt "$pkgdir/usr/share/fixedout/data.txt"
`, url, pin)})
}

// TestGomodGenerator: examples/gohello's modules come through the Go
// module proxy this machine reaches, the program is cross-built offline
// for aarch64 and runs under qemu; after an edit of the program, the
// rebuild fetches nothing.
func TestGomodGenerator(t *testing.T) {
	requireIntegration(t)
	dir := filepath.Join(t.TempDir(), "gohello")
	copyDir(t, filepath.Join(repoRoot(t), "examples/gohello"), dir)
	runGohello := func(out string) string {
		x := t.TempDir()
		run(t, "dpkg-deb", "-x", filepath.Join(out, "gohello_1.0.0-1_aarch64.ipk"), x)
		bin := filepath.Join(x, "opt/bin/gohello")
		if f := run(t, "file", bin); !strings.Contains(f, "ARM aarch64") {
			t.Errorf("not an aarch64 binary: %s", f)
		}
		return run(t, "qemu-aarch64-static", bin)
	}
	out := t.TempDir()
	mustKiln(t, nil, "build", dir, "--target", "aarch64", "-o", out, "--progress", "plain")
	got := runGohello(out)
	checkGoImage(t, filepath.Join(out, "gohello_1.0.0-1_aarch64.ipk"+sbom.Ext))
	checkVendored(t, filepath.Join(out, "gohello_1.0.0-1_aarch64.ipk"+sbom.Ext), "gomod", map[string]string{
		"github.com/google/uuid v1.6.0":                        "pkg:golang/github.com/google/uuid@v1.6.0",
		"rsc.io/quote/v4 v4.0.1":                               "pkg:golang/rsc.io/quote/v4@v4.0.1",
		"rsc.io/sampler v1.3.0":                                "pkg:golang/rsc.io/sampler@v1.3.0",
		"golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c": "pkg:golang/golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
	})
	const uuid = "53f8b315-3f19-5a81-9257-9fda522dfe5c" // uuid.NewSHA1(NameSpaceURL, "kiln")
	if !strings.Contains(got, "Don't communicate by sharing memory") || !strings.Contains(got, uuid) {
		t.Errorf("gohello printed %q", got)
	}

	main := filepath.Join(dir, "src/main.go")
	// A new edit each run, so the program's build is never cached.
	nonce := fmt.Sprint(time.Now().UnixNano())
	edited := strings.Replace(readFile(t, main), "fmt.Println(quote.Go())", `fmt.Println("edited `+nonce+`:", quote.Go())`, 1)
	if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out = t.TempDir()
	r := mustKiln(t, nil, "build", dir, "--target", "aarch64", "-o", out, "--progress", "plain")
	if !strings.Contains(r.stderr, "(fetch steps: 0 of 1 run)") {
		t.Errorf("the edit re-ran the fetch step:\n%s", tail(r.stderr, 5))
	}
	if ranStep(r.stderr, "gohello source 1: check digest") {
		t.Errorf("the edit re-ran the digest check")
	}
	if !ranStep(r.stderr, "gohello [aarch64] build") {
		t.Errorf("the edit did not rebuild the program")
	}
	if got := runGohello(out); !strings.HasPrefix(got, "edited "+nonce+": Don't communicate") {
		t.Errorf("the edited gohello printed %q", got)
	}
}

// TestNpmGenerator: examples/nodehello's packages come through the npm
// registry this machine reaches into node_modules, packaged as noarch;
// the packaged program runs with the host's node (where there is one).
func TestNpmGenerator(t *testing.T) {
	requireIntegration(t)
	stderr, x := buildExample(t, "nodehello", "nodehello_1.0.0-1_all.ipk")
	if !strings.Contains(stderr, "of 1 run)") {
		t.Errorf("summary counts no fetch step:\n%s", tail(stderr, 3))
	}
	checkVendored(t, filepath.Join(x, "package.ipk"+sbom.Ext), "npm", map[string]string{
		"debug 4.3.4": "pkg:npm/debug@4.3.4 SHA512:3d15851ee494dde0ed4093ef9cd63b25c91eb758f4b793ae3ac1733cfcec7a40f9d9997ca947c520f122b305ea22f1d61951ce817fbb1bfbc234d85e870c5f91",
		"ms 2.1.2":    "pkg:npm/ms@2.1.2 SHA512:b0690fc7e56332d980e8c5f6ee80381411442c50996784b85ea7863970afebcb53fa36f7be4fd1c9a2963f43d32b25ad98b48cd1bf9a7544c4bdbb353c4687db",
	})
	if arch := strings.TrimSpace(run(t, "dpkg-deb", "-f", filepath.Join(x, "package.ipk"), "Architecture")); arch != "all" {
		t.Errorf("Architecture: %s", arch)
	}
	for _, f := range []string{"opt/nodehello/main.js", "opt/nodehello/node_modules/debug/package.json",
		"opt/nodehello/node_modules/ms/index.js", "opt/bin/nodehello"} {
		if _, err := os.Stat(filepath.Join(x, f)); err != nil {
			t.Errorf("package lacks %s", f)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Log("node not installed: the packaged program is not run")
		return
	}
	if got := run(t, "node", filepath.Join(x, "opt/nodehello/main.js")); got != "a day is 1 day, or 86400000 ms\n" {
		t.Errorf("nodehello printed %q", got)
	}
}

// TestCargoGenerator: examples/rusthello's crates come from Debian's
// librust-*-dev packages as an offline directory registry, vendored by
// the cargo generator; cargo builds offline (--locked) against them.
func TestCargoGenerator(t *testing.T) {
	requireIntegration(t)
	stderr, x := buildExample(t, "rusthello", "rusthello_0.1.0-1_x86_64.ipk")
	// The check prints the digest when it runs; a build answered from the
	// cache shows no step output, so then the graph must hold the check.
	if !strings.Contains(stderr, "source 1 (cargo .): sha256:") &&
		!strings.Contains(mustKiln(t, nil, "llb", "examples/rusthello").stdout, "rusthello source 1: check digest sha256:") {
		t.Errorf("no digest check of the vendored crates:\n%s", tail(stderr, 10))
	}
	checkVendored(t, filepath.Join(x, "package.ipk"+sbom.Ext), "cargo", map[string]string{
		"itoa 1.0.1": "pkg:cargo/itoa@1.0.1 SHA256:1aab8fc367588b89dcee83ab0fd66b72b50b72fa1904d7095045ace2b0c81c35",
	})
	if got := run(t, filepath.Join(x, "opt/bin/rusthello")); got != "rusthello counts to 42\n" {
		t.Errorf("rusthello printed %q", got)
	}
}

// buildExample builds examples/NAME and unpacks its package ipk into a
// directory, which also holds the package itself as package.ipk.
func buildExample(t *testing.T, name, ipk string) (stderr, dir string) {
	t.Helper()
	out := t.TempDir()
	r := mustKiln(t, nil, "build", "examples/"+name, "-o", out, "--progress", "plain")
	dir = t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, ipk), dir)
	for _, ext := range []string{"", sbom.Ext} {
		if err := os.Rename(filepath.Join(out, ipk+ext), filepath.Join(dir, "package.ipk"+ext)); err != nil {
			t.Fatal(err)
		}
	}
	return r.stderr, dir
}

// checkGoImage: the SBOM at file names the image the Go compiler came
// from as a build tool, by the digest the registry serves it by.
func checkGoImage(t *testing.T, file string) {
	t.Helper()
	doc, err := sbom.Read(strings.NewReader(readFile(t, file)))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, p := range doc.Packages {
		if !strings.HasPrefix(string(p.PackageSPDXIdentifier), "Tool-image-") {
			continue
		}
		found++
		named, err := reference.ParseNormalizedNamed(p.PackageName)
		if err != nil || !strings.Contains(reference.Path(named), "golang") {
			t.Fatalf("%s: tool image %q: %v", file, p.PackageName, err)
		}
		want := manifestDigest(t, reference.Path(named), reference.TagNameOnly(named).(reference.Tagged).Tag()).String()
		if p.PrimaryPackagePurpose != "CONTAINER" || p.PackageVersion != want || len(p.PackageChecksums) != 1 {
			t.Errorf("%s: Go image %s: %s as %q, the registry serves %s", file, p.PackageName, p.PrimaryPackagePurpose, p.PackageVersion, want)
		}
	}
	if found != 1 {
		t.Errorf("%s names %d tool images, want the Go image", file, found)
	}
}

// checkVendored: the SBOM at file is valid SPDX 2.3 and lists as
// dependencies its kind generator source vendored exactly want ("NAME
// VERSION" -> "PURL[ ALGORITHM:CHECKSUM]"), each contained in the source.
func checkVendored(t *testing.T, file, kind string, want map[string]string) {
	t.Helper()
	data := []byte(readFile(t, file))
	if err := sbomtest.Validate(data); err != nil {
		t.Fatalf("%s is not valid SPDX 2.3: %v", file, err)
	}
	doc, err := sbom.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	contained := map[string]bool{}
	for _, r := range doc.Relationships {
		if r.Relationship == "CONTAINS" && strings.HasPrefix(string(r.RefA.ElementRefID), "Source-") {
			contained[string(r.RefB.ElementRefID)] = true
		}
	}
	got := map[string]string{}
	for _, p := range doc.Packages {
		if p.PrimaryPackagePurpose != "LIBRARY" {
			continue
		}
		if !strings.HasPrefix(string(p.PackageSPDXIdentifier), "Vendored-"+kind+"-") || !contained[string(p.PackageSPDXIdentifier)] {
			t.Errorf("%s: %s is not a dependency the %s source contains", file, p.PackageSPDXIdentifier, kind)
		}
		v := p.PackageExternalReferences[0].Locator
		for _, c := range p.PackageChecksums {
			v += " " + string(c.Algorithm) + ":" + c.Value
		}
		got[p.PackageName+" "+p.PackageVersion] = v
	}
	if !maps.Equal(got, want) {
		t.Errorf("%s lists vendored %v, want %v", file, got, want)
	}
}
