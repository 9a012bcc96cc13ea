package integration

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// TestSharedCache: daemon A (kiln's managed daemon) exported the cache of
// the examples to the registry with mode=max (sharedCache); a daemon B
// with an empty state imports it and runs no build step at all, and gives
// the same bytes. The same through a local cache directory.
func TestSharedCache(t *testing.T) {
	requireIntegration(t)
	ref, want := sharedCache(t)

	t.Run("registry", func(t *testing.T) {
		serveGreet(t)
		b := startDaemon(t, buildkitd.Options{})
		out := t.TempDir()
		r := mustKiln(t, nil, append([]string{"build", "--target", "all", "-o", out, "--progress", "plain",
			"--addr", b.Remote.Addr, "--cache-from", "type=registry,ref=" + ref}, examples...)...)
		s := parseSummary(t, r.stderr)
		t.Logf("daemon A: %+v; empty daemon B importing %s: %+v", exported.sum, ref, s)
		if s.packages != 6 || s.ran != 0 || s.cached == 0 {
			t.Errorf("daemon B: %+v, want 6 packages, steps cached and none run\\n%s", s, tail(r.stderr, 60))
		}
		if !strings.Contains(r.stderr, "importing cache manifest from "+ref) {
			t.Errorf("progress does not show the cache import:\\n%s", tail(r.stderr, 60))
		}
		sameBytes(t, want, out)
	})

	t.Run("local", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "cache")
		a := t.TempDir()
		mustKiln(t, nil, "build", "examples/hello", "--target", "x86_64", "-o", a, "--progress", "plain",
			"--cache-to", "type=local,dest="+dir+",mode=max")
		c := startDaemon(t, buildkitd.Options{})
		out := t.TempDir()
		r := mustKiln(t, nil, "build", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "plain",
			"--addr", c.Remote.Addr, "--cache-from", "type=local,src="+dir)
		if s := parseSummary(t, r.stderr); s.packages != 1 || s.ran != 0 || s.cached == 0 {
			t.Errorf("empty daemon importing %s: %+v, want nothing run\\n%s", dir, s, tail(r.stderr, 60))
		}
		sameBytes(t, a, out)
	})

	t.Run("bad-entry", func(t *testing.T) {
		r := kiln(t, nil, "build", "examples/hello", "--target", "x86_64", "-o", t.TempDir(), "--cache-to", "type=registry,mode=max")
		if r.err == nil || !strings.Contains(r.stderr, `--cache-to "type=registry,mode=max": type=registry needs ref=...`) {
			t.Errorf("cache-to without ref: err=%v\\n%s", r.err, r.stderr)
		}
	})
}

// sameBytes checks every package in got has the bytes of the same file in want.
func sameBytes(t *testing.T, want, got string) {
	t.Helper()
	names := packages(t, got)
	if len(names) == 0 {
		t.Fatalf("no packages in %s", got)
	}
	for _, n := range names {
		if a, b := sha(t, filepath.Join(want, n)), sha(t, filepath.Join(got, n)); a != b {
			t.Errorf("%s differs between daemons: %s vs %s", n, a, b)
		}
	}
}
