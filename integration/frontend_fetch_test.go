package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/solve"
)

// TestBuildxGomod: examples/gohello, whose modules a gomod generator
// fetches, built with plain `docker buildx build` on kiln's daemon. The
// proxy, the Go image and the CA certificates are what the CLI takes from
// the host; here they are build arguments and a secret, as a user of
// buildx passes them. A comment new each run in go.mod makes the fetch
// step run through the frontend (the module cache it gives, hence the
// pinned digest, is the same). The frontend's package is the CLI's, byte
// for byte, and runs under qemu.
func TestBuildxGomod(t *testing.T) {
	requireIntegration(t)
	ctx := t.TempDir()
	copyDir(t, filepath.Join(repoRoot(t), "examples/gohello"), ctx)
	gomod := filepath.Join(ctx, "src/go.mod")
	nonce := fmt.Sprintf("\n// TestBuildxGomod %d\n", time.Now().UnixNano())
	if err := os.WriteFile(gomod, []byte(readFile(t, gomod)+nonce), 0o644); err != nil {
		t.Fatal(err)
	}
	goVersion := strings.TrimPrefix(strings.TrimSpace(run(t, "go", "env", "GOVERSION")), "go")
	goproxy := strings.TrimSpace(run(t, "go", "env", "GOPROXY"))
	golang := "docker.io/library/golang:" + goVersion + "-bookworm"
	ca := firstFile(os.Getenv("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt")
	if ca == "" {
		t.Fatal("no CA certificates file on this host for the fetch step")
	}
	const ipk = "gohello_1.0.0-1_aarch64.ipk"

	out := filepath.Join(t.TempDir(), "out")
	r := mustBuildx(t, ctx, nil, "build", "--builder", buildxBuilder, "--progress", "plain",
		"-f", "kiln.cue", "--build-arg", "BUILDKIT_SYNTAX="+frontendImage(t),
		"--build-arg", "KILN_GOPROXY="+goproxy, "--build-arg", "KILN_GOLANG_IMAGE="+golang,
		"--secret", "id=kiln-ca-certificates,src="+ca,
		"--platform", "linux/arm64", "--output", "type=local,dest="+out, ".")
	if got := outputs(t, out); strings.Join(got, " ") != ipk {
		t.Fatalf("output = %v, want %s", got, ipk)
	}
	if !ranStep(r.stderr, "gohello source 1"+solve.FetchMarker) {
		t.Errorf("the frontend did not run the fetch step:\n%s", tail(r.stderr, 30))
	}
	// The check is keyed by the fetched tree's content: the same modules
	// as before, so it may come from the cache, but it is in the graph.
	if !strings.Contains(r.stderr, " gohello source 1: check digest sha256:") {
		t.Errorf("the build has no digest check of the modules:\n%s", tail(r.stderr, 30))
	}
	checkIPK(t, filepath.Join(out, ipk), "aarch64", "opt/bin/gohello", "ARM aarch64")
	x := t.TempDir()
	run(t, "dpkg-deb", "-x", filepath.Join(out, ipk), x)
	if got := run(t, "qemu-aarch64-static", filepath.Join(x, "opt/bin/gohello")); !strings.Contains(got, "Don't communicate by sharing memory") {
		t.Errorf("gohello printed %q", got)
	}

	// The frontend and the CLI run the same Build: same bytes.
	cli := t.TempDir()
	mustKiln(t, []string{"KILN_GOPROXY=" + goproxy, "KILN_GOLANG_IMAGE=" + golang},
		"build", ctx, "--target", "aarch64", "-o", cli, "--progress", "plain")
	if a, b := sha(t, filepath.Join(out, ipk)), sha(t, filepath.Join(cli, ipk)); a != b {
		t.Errorf("%s from buildx (%s) differs from kiln build's (%s)", ipk, a, b)
	}
}

// firstFile is the first of names that is a readable file, "" if none.
func firstFile(names ...string) string {
	for _, n := range names {
		if n == "" {
			continue
		}
		if f, err := os.Open(n); err == nil {
			f.Close()
			return n
		}
	}
	return ""
}
