package integration

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// TestSeveralDaemons: a builder file lists two real daemons, one requiring
// mutual TLS and one plain; kiln spreads the six independent jobs of the
// examples over both, solves concurrently and collects every package.
// Both daemons start empty and import the shared cache, so no toolchain is
// built cold.
func TestSeveralDaemons(t *testing.T) {
	requireIntegration(t)
	ref, want := sharedCache(t)
	serveGreet(t)
	tlsd, plain, builder := tlsAndPlain(t)

	out := t.TempDir()
	r := mustKiln(t, nil, append([]string{"build", "--target", "all", "-o", out, "--progress", "plain",
		"--builder", builder, "--cache-from", "type=registry,ref=" + ref}, examples...)...)
	s := parseSummary(t, r.stderr)
	if s.packages != 6 || s.ran != 0 {
		t.Errorf("summary %+v, want 6 packages from the cache\n%s", s, tail(r.stderr, 40))
	}
	t.Logf("%s", tail(strings.TrimSpace(r.stderr), 3))
	sameBytes(t, want, out)
	if got := packages(t, out); len(got) != 6 {
		t.Errorf("packages = %v", got)
	}
	// Each daemon indexed its share; the feed index covers them all.
	checkFeed(t, out, packages(t, out))
	for _, d := range []*buildkitd.Daemon{tlsd, plain} {
		line := regexp.MustCompile(`kiln: daemon ` + regexp.QuoteMeta(d.Remote.Addr) + `: (\d+) packages`).FindStringSubmatch(r.stderr)
		if line == nil || line[1] != "3" {
			t.Errorf("daemon %s did not build 3 of the 6 packages (%v):\n%s", d.Remote.Addr, line, tail(r.stderr, 10))
		}
		// The progress shows each daemon's steps under its own name.
		if !strings.Contains(r.stderr, "["+strings.TrimPrefix(d.Remote.Addr, "tcp://")+"] ") {
			t.Errorf("progress has no steps labelled with %s", d.Remote.Addr)
		}
	}

	t.Run("one-unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := "tcp://" + ln.Addr().String()
		ln.Close()
		out := t.TempDir()
		r := kiln(t, nil, append([]string{"build", "--target", "all", "-o", out, "--progress", "plain",
			"--addr", plain.Remote.Addr + "," + dead, "--cache-from", "type=registry,ref=" + ref}, examples...)...)
		if r.err == nil || !strings.Contains(r.stderr, "daemon "+dead+": the daemon is unreachable") {
			t.Errorf("build with a dead daemon: err=%v\n%s", r.err, tail(r.stderr, 10))
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("a failed build left %d entries in the output directory", len(entries))
		}
	})
}

// TestSeveralDaemonsOneDies: one of two daemons is killed while it fetches
// a source; the build fails naming that daemon, the other daemon's work is
// not exported, and the output directory is left as it was.
func TestSeveralDaemonsOneDies(t *testing.T) {
	requireIntegration(t)
	ref, _ := sharedCache(t)
	a := startDaemon(t, buildkitd.Options{})
	b := startDaemon(t, buildkitd.Options{})
	hit := make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hit <- struct{}{}:
		default:
		}
		<-r.Context().Done() // never answers: the daemon fetching it dies first
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"slow/kiln.yaml": fmt.Sprintf(recipeHead, "slow") + fmt.Sprintf("sources:\n  - url: http://%s/data.txt\n    sha256: %s\npackage: cp data.txt \"$pkgdir/\"\n",
			ln.Addr(), strings.Repeat("ab", 32)),
		"tiny/kiln.yaml": fmt.Sprintf(recipeHead, "tiny"),
	})
	out := t.TempDir()
	// Two independent jobs, in recipe order: slow goes to the first daemon.
	done := make(chan result, 1)
	go func() {
		done <- kiln(t, nil, "build", filepath.Join(dir, "slow"), filepath.Join(dir, "tiny"), "-o", out, "--progress", "plain",
			"--addr", a.Remote.Addr, "--addr", b.Remote.Addr, "--cache-from", "type=registry,ref="+ref)
	}()
	var r result
	select {
	case <-hit:
		a.Kill()
		r = <-done
	case r = <-done:
		t.Fatalf("build ended before fetching the slow source: %v\n%s", r.err, tail(r.stderr, 20))
	}
	if r.err == nil {
		t.Fatal("build succeeded although a daemon died")
	}
	t.Logf("%s", tail(strings.TrimSpace(r.stderr), 1))
	if msg := tail(strings.TrimSpace(r.stderr), 3); !strings.Contains(msg, "daemon "+a.Remote.Addr+": lost the connection during the build") ||
		strings.Contains(msg, "daemon "+b.Remote.Addr) {
		t.Errorf("error does not name the dead daemon (only):\n%s", msg)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed build left %d entries in the output directory", len(entries))
	}
}

// TestLargeGraphRequests: a graph over the size of one request (lowered
// here with KILN_MAX_REQUEST; a 2,500-recipe feed is over BuildKit's 16 MiB)
// is solved as several requests to the one daemon: the same packages,
// byte for byte, and one feed index over all of them.
func TestLargeGraphRequests(t *testing.T) {
	requireIntegration(t)
	_, want := sharedCache(t)
	serveGreet(t)
	out := t.TempDir()
	r := mustKiln(t, []string{"KILN_MAX_REQUEST=20000"}, append([]string{"build", "--target", "all", "-o", out, "--progress", "plain"}, examples...)...)
	m := regexp.MustCompile(`solving it as (\d+) requests`).FindStringSubmatch(r.stderr)
	if m == nil || m[1] == "1" {
		t.Fatalf("the build was not split into several requests:\n%s", tail(r.stderr, 20))
	}
	t.Logf("%s requests", m[1])
	sameBytes(t, want, out)
	checkFeed(t, out, packages(t, out))
}
