package integration

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// startDaemon starts a throw-away buildkitd on loopback TCP with an empty
// state (optionally requiring mutual TLS) and stops it, by PID, when the
// test ends.
func startDaemon(t *testing.T, o buildkitd.Options) *buildkitd.Daemon {
	t.Helper()
	if os.Getenv("KILN_BUILDKITD") == "" {
		t.Fatal("KILN_BUILDKITD is not set")
	}
	// Short: buildkitd puts unix sockets under its root.
	dir, err := os.MkdirTemp("", "kd")
	if err != nil {
		t.Fatal(err)
	}
	o.Dir = dir
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := buildkitd.Start(ctx, o)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Logf("started buildkitd pid %d on %s", d.PID, d.Remote.Addr)
	t.Cleanup(func() {
		d.Stop()
		os.RemoveAll(dir)
	})
	return d
}

// examples are the recipes every remote test builds.
var examples = []string{"examples/hello", "examples/greet"}

// exported is the cache of a full build of the examples (every target),
// pushed once per test run from kiln's managed daemon (warm after
// TestExamplesAllTargets) with mode=max, and the packages it gave.
var exported struct {
	once sync.Once
	ref  string
	out  string
	sum  summary
	err  error
}

// sharedCache returns the registry reference of that cache, so fresh
// daemons can build the examples without cold toolchain builds.
func sharedCache(t *testing.T) (ref, out string) {
	t.Helper()
	exported.once.Do(func() {
		exported.ref = fmt.Sprintf("%s/kiln-test/cache:run-%d-%d", registry(), os.Getpid(), time.Now().Unix())
		dir, err := os.MkdirTemp("", "kiln-cache-out")
		if err != nil {
			exported.err = err
			return
		}
		exported.out = dir
		serveGreet(t)
		r := kiln(t, nil, append([]string{"build", "--target", "all", "-o", dir, "--progress", "plain",
			"--cache-to", "type=registry,ref=" + exported.ref + ",mode=max"}, examples...)...)
		if r.err != nil {
			exported.err = fmt.Errorf("exporting the cache: %v\n%s", r.err, tail(r.stderr, 40))
			return
		}
		exported.sum = parseSummary(t, r.stderr)
	})
	if exported.err != nil {
		t.Fatal(exported.err)
	}
	return exported.ref, exported.out
}

func registry() string {
	if r := os.Getenv("KILN_REGISTRY"); r != "" {
		return r
	}
	return "127.0.0.1:5000"
}

// packages lists the .ipk files in dir by name.
func packages(t *testing.T, dir string) []string {
	t.Helper()
	got, _ := filepath.Glob(filepath.Join(dir, "*.ipk"))
	var names []string
	for _, g := range got {
		names = append(names, filepath.Base(g))
	}
	return names
}

func TestMain(m *testing.M) {
	code := m.Run()
	if exported.out != "" {
		os.RemoveAll(exported.out)
	}
	os.Exit(code)
}

// serveGreet serves greet's upstream tarball where its recipe fetches it,
// unless something already listens there (another test run on this
// machine serving the same file: the recipe's sha256 checks it).
func serveGreet(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:8765")
	if err != nil {
		t.Logf("not serving greet's upstream: %v", err)
		return
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(filepath.Join(repoRoot(t), "examples/greet/upstream")))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}
