package integration

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSignedSyspkgInGraph: kiln build --sign writes motd's syspkg metainfo
// signed in the build graph, with the developer key handed to the daemon
// only as a BuildKit secret. The repository index accepts the signature;
// the key's bytes appear nowhere: not in the output, the progress, the
// exported cache, nor the daemon's state and log.
func TestSignedSyspkgInGraph(t *testing.T) {
	requireIntegration(t)
	keys, needles := devKeys(t)

	// A fresh daemon (over TLS: --sign refuses plain TCP): its whole state
	// can be searched for the key.
	d, ca, client, _ := tlsDaemon(t)
	out, cacheDir := t.TempDir(), t.TempDir()
	r := mustKiln(t, nil, "build", "examples/motd", "-o", out, "--progress", "plain", "--addr", d.Remote.Addr,
		"--tlscacert", ca.Cert, "--tlscert", client.Cert, "--tlskey", client.Key, "--cache-to", "type=local,dest="+cacheDir+",mode=max", "--sign", "--dev-cert", filepath.Join(keys, "developer-signed.pem"), "--dev-key", filepath.Join(keys, "developer.key"),
		"--syspkg-url", "https://example.org/repo")
	if !strings.Contains(r.stderr, "sign syspkg metainfo motd (1 payloads)") {
		t.Errorf("no signing step in the progress:\n%s", tail(r.stderr, 20))
	}
	meta := readFile(t, filepath.Join(out, "motd.json"))
	for _, want := range []string{`"id": "motd"`, `{ "any", `, "------BEGIN SIGNATURE------", `"https://example.org/repo/motd-$VERSION-$ARCH.zip"`} {
		if !strings.Contains(meta, want) {
			t.Errorf("motd.json lacks %q:\n%s", want, meta)
		}
	}
	// The repository owner's index checks the signature chain and payloads.
	idx := run(t, os.Getenv("KILN_BIN"), "syspkg", "index", out, "--url", "https://example.org/repo",
		"--repo-cert", filepath.Join(keys, "repository.pem"), "--repo-key", filepath.Join(keys, "repository.key"))
	if !strings.Contains(idx, `(1 packages, signed by "Kiln Test Repo")`) {
		t.Errorf("kiln syspkg index: %s", idx)
	}

	// The key is nowhere: not in the outputs, not in the daemon's state.
	for _, n := range needles {
		if bytes.Contains([]byte(r.stdout+r.stderr), n) {
			t.Errorf("kiln's output or progress holds the developer key")
		}
	}
	if entries, _ := os.ReadDir(cacheDir); len(entries) == 0 {
		t.Errorf("no cache exported to %s", cacheDir)
	}
	for _, dir := range []string{out, cacheDir, filepath.Dir(d.Log)} {
		err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, n := range needles {
				if bytes.Contains(data, n) {
					t.Errorf("%s holds the developer key", p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Without the key the build refuses before anything runs.
	bad := kiln(t, nil, "build", "examples/motd", "-o", t.TempDir(), "--sign", "--dev-cert", filepath.Join(keys, "developer-signed.pem"),
		"--dev-key", filepath.Join(keys, "missing.key"))
	if bad.err == nil || !strings.Contains(bad.stderr, "missing.key") {
		t.Errorf("missing key: err=%v\n%s", bad.err, bad.stderr)
	}
}

// TestSignSeveralDaemons: with the jobs spread over two daemons, kiln
// collects the payloads and signs the metainfo on the first afterwards;
// only that one, reached over TLS, is offered the key. A plain TCP daemon
// is refused as the one that signs.
func TestSignSeveralDaemons(t *testing.T) {
	requireIntegration(t)
	ref, _ := sharedCache(t)
	serveGreet(t)
	keys := t.TempDir()
	runIn := func(args ...string) string { t.Helper(); return kilnIn(t, keys, args...) }
	runIn("cert", "developer", "Jane Doe", "--bits", "2048")
	a, b, builder := tlsAndPlain(t)
	sign := []string{"--sign", "--dev-cert", filepath.Join(keys, "developer.pem"), "--dev-key", filepath.Join(keys, "developer.key"),
		"--syspkg-url", "https://example.org/repo"}
	out := t.TempDir()
	r := mustKiln(t, nil, append([]string{"build", "examples/motd", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "plain",
		"--builder", builder, "--cache-from", "type=registry,ref=" + ref}, sign...)...)
	for _, d := range []string{a.Remote.Addr, b.Remote.Addr} {
		if !strings.Contains(r.stderr, "kiln: daemon "+d+": ") {
			t.Errorf("daemon %s built nothing:\n%s", d, tail(r.stderr, 10))
		}
	}
	meta := readFile(t, filepath.Join(out, "motd.json"))
	if !strings.Contains(meta, `{ "any", `) || !strings.Contains(meta, "------BEGIN SIGNATURE------") {
		t.Errorf("motd.json:\n%s", meta)
	}
	if !strings.Contains(r.stdout, filepath.Join(out, "motd.json")) {
		t.Errorf("stdout does not list motd.json:\n%s", r.stdout)
	}

	bad := kiln(t, nil, append([]string{"build", "examples/motd", "--target", "x86_64", "-o", t.TempDir(),
		"--addr", b.Remote.Addr + "," + a.Remote.Addr}, sign...)...)
	if bad.err == nil || !strings.Contains(bad.stderr, "--sign: daemon "+b.Remote.Addr+" is plain TCP") {
		t.Errorf("signing on a plain TCP daemon: %v\n%s", bad.err, tail(bad.stderr, 5))
	}
}

// kilnIn runs the kiln binary in dir (kiln cert writes where it runs).
// devKeys makes a repository certificate, a developer certificate it
// signs and the developer's key in a new directory, and returns it with
// pieces of the key to search for (DER bytes, a line of the PEM).
func devKeys(t *testing.T) (string, [][]byte) {
	t.Helper()
	keys := t.TempDir()
	for _, args := range [][]string{
		{"cert", "repository", "Kiln Test Repo", "--bits", "2048"},
		{"cert", "developer", "Jane Doe", "--bits", "2048"},
		{"cert", "sign", "developer.pem"},
	} {
		kilnIn(t, keys, args...)
	}
	key := readFile(t, filepath.Join(keys, "developer.key"))
	block, _ := pem.Decode([]byte(key))
	if block == nil {
		t.Fatal("developer.key is not PEM")
	}
	return keys, [][]byte{block.Bytes[100:140], []byte(strings.Split(key, "\n")[5])}
}

func kilnIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return run(t, "sh", append([]string{"-c", `cd "$1" && shift && "$@"`, "sh", dir, os.Getenv("KILN_BIN")}, args...)...)
}

// foundDepsRepo: myapp links libmy, which mylib-dev (host:) brings into
// $SYSROOT; myapp lists no depends and is packed as syspkg only.
const foundDepsRepo = `recipes:
  mylib:
    version: 1.0-1
    summary: A library
    license: MIT
    maintainer: Kiln Tests <tests@example.org>
    timestamp: 2024-05-01
    targets: [x86_64]
    build: |
      printf 'int my_answer(void) { return 42; }\n' > my.c
      "$CC" -shared -fPIC -Wl,-soname,libmy.so.1 -o libmy.so.1 my.c
    package: |
      install -D libmy.so.1 "$pkgdir/usr/lib/libmy.so.1"
      ln -s libmy.so.1 "$pkgdir/usr/lib/libmy.so"
    packages:
      mylib: {files: ["usr/lib/libmy.so.1"]}
      mylib-dev: {files: ["usr/lib/libmy.so"], uses: [mylib]}
  myapp:
    version: 2.0-1
    summary: An application
    license: MIT
    maintainer: Kiln Tests <tests@example.org>
    timestamp: 2024-05-01
    targets: [x86_64]
    makedepends: [host:mylib-dev]
    formats: {syspkg: {}}
    build: |
      printf 'int my_answer(void);\nint main(void) { return my_answer() - 42; }\n' > app.c
      "$CC" -o myapp app.c -L"$SYSROOT/usr/lib" -lmy
    package: install -D myapp "$pkgdir/usr/bin/myapp"
`

// TestSignedSyspkgFoundDepends: the signed syspkg metainfo of a program
// linked to a library of the build depends on that library's package,
// which the recipe never wrote: the shared-library resolution found it,
// and the signing step reads its result as the pack step does.
func TestSignedSyspkgFoundDepends(t *testing.T) {
	requireIntegration(t)
	keys := t.TempDir()
	kilnIn(t, keys, "cert", "developer", "Jane Doe", "--bits", "2048")
	dir, out := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": foundDepsRepo})
	r := mustKiln(t, nil, "build", dir, "-o", out, "--progress", "plain", "--sign", "--dev-cert", filepath.Join(keys, "developer.pem"),
		"--dev-key", filepath.Join(keys, "developer.key"), "--syspkg-url", "https://example.org/repo")
	meta := readFile(t, filepath.Join(out, "myapp.json"))
	if !regexp.MustCompile(`"depends": \[ "mylib 1\.0(\.0)?" \]`).MatchString(meta) || !strings.Contains(meta, "------BEGIN SIGNATURE------") {
		t.Errorf("myapp.json does not depend on mylib:\n%s\n%s", meta, tail(r.stderr, 10))
	}
}
