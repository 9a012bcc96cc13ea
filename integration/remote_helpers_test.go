package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
	t.Helper()
	greetServer.once.Do(func() { greetServer.err = startGreetServer(repoRoot(t)) })
	if greetServer.err != nil {
		t.Fatal(greetServer.err)
	}
}

// greetServer serves examples/greet/upstream on the address its recipe
// names, once for the whole test binary.
var greetServer struct {
	once sync.Once
	err  error
}

// startGreetServer listens on 127.0.0.1:8765. Another test run on the
// machine may hold the port: if it serves the same tarball, builds find
// what they need there; otherwise wait for the port.
func startGreetServer(root string) error {
	const addr = "127.0.0.1:8765"
	dir := filepath.Join(root, "examples/greet/upstream")
	want, err := os.ReadFile(filepath.Join(dir, "greet-1.0.tar.gz"))
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(time.Second) {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			go func() { _ = http.Serve(ln, http.FileServer(http.Dir(dir))) }() // until the test binary ends
			return nil
		}
		if served, gerr := httpGet("http://" + addr + "/greet-1.0.tar.gz"); gerr == nil && bytes.Equal(served, want) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("serving greet's upstream on %s: %v (and what listens there serves other files)", addr, err)
		}
	}
}

func httpGet(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
