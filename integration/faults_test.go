package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/buildkitd"
)

// TestInterruptCleansUp: Ctrl-C in the middle of a build cancels it:
// kiln says it was interrupted and leaves -o as it was, without its
// temporary export directory (the signal used to kill kiln before its
// clean-up ran).
func TestInterruptCleansUp(t *testing.T) {
	requireIntegration(t)
	dir, out := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{
		"slow/kiln.yaml": testRecipe("slow") + fmt.Sprintf(`build: |
  echo started %d
  sleep 300
package: "true"
`, time.Now().UnixNano()),
	})
	writeFiles(t, out, map[string]string{"old.ipk": "old"})
	cmd := exec.Command(os.Getenv("KILN_BIN"), "build", filepath.Join(dir, "slow"), "-o", out, "--progress", "plain")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(stderr.String(), "echo started") && !strings.Contains(stderr.String(), "started ") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the build did not start:\n%s", stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("an interrupted build succeeded")
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("kiln did not stop within a minute of Ctrl-C:\n%s", tail(stderr.String(), 20))
	}
	if !strings.Contains(stderr.String(), "kiln: interrupted") {
		t.Errorf("kiln does not say it was interrupted:\n%s", tail(stderr.String(), 10))
	}
	if names := dirNames(t, out); strings.Join(names, " ") != "old.ipk" {
		t.Errorf("-o after Ctrl-C holds %v, want only old.ipk", names)
	}
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// lockedBuffer is a bytes.Buffer a command writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSourceServerDown: a url source whose server refuses the connection
// fails the build naming the source, not as a daemon that went away.
func TestSourceServerDown(t *testing.T) {
	requireIntegration(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"down/kiln.yaml": testRecipe("down") + fmt.Sprintf(`sources:
  - url: http://127.0.0.1:9/down-%d.tar.gz
    sha256: %s
package: "true"
`, time.Now().UnixNano(), strings.Repeat("ab", 32)),
	})
	r := kiln(t, nil, "build", filepath.Join(dir, "down"), "-o", t.TempDir(), "--progress", "plain")
	if r.err == nil {
		t.Fatal("a build whose source server is down succeeded")
	}
	if strings.Contains(r.stderr, "did the daemon stop") || !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("the error blames the daemon or hides the refused connection:\n%s", tail(r.stderr, 10))
	}
}

// testRecipe is the head of a one-target recipe called name.
func testRecipe(name string) string {
	return "name: " + name + `
version: 1.0-1
summary: Test
license: MIT
maintainer: Kiln Tests <tests@example.org>
timestamp: 2024-05-01
targets: [x86_64]
`
}

// TestCacheExportRegistryDown: a registry that is down when the cache is
// exported costs the cache, not the build: the packages are written and
// kiln warns that the export failed.
func TestCacheExportRegistryDown(t *testing.T) {
	requireIntegration(t)
	out := t.TempDir()
	r := kiln(t, nil, "build", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "plain",
		"--cache-to", "type=registry,ref=127.0.0.1:1/kiln-test/down:1")
	if r.err != nil {
		t.Fatalf("the build failed with the cache registry down: %v\n%s", r.err, tail(r.stderr, 10))
	}
	if _, err := os.Stat(filepath.Join(out, "hello_1.0.0-1_x86_64.ipk")); err != nil {
		t.Errorf("package not written: %v", err)
	}
	if !strings.Contains(r.stderr, "kiln: warning: the build succeeded, but exporting cache to registry failed") ||
		!strings.Contains(r.stderr, "connection refused") {
		t.Errorf("no warning that the cache export failed:\n%s", tail(r.stderr, 10))
	}
}

// TestDaemonKilledMidBuild: a daemon killed (SIGKILL) in the middle of a
// build fails it naming the daemon; restarted on the same state, the
// rerun takes what finished before the kill from the cache (the build
// step is not run twice).
func TestDaemonKilledMidBuild(t *testing.T) {
	requireIntegration(t)
	ref, _ := sharedCache(t)
	state, err := os.MkdirTemp("", "kd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	start := func() *buildkitd.Daemon {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		d, err := buildkitd.Start(ctx, buildkitd.Options{Dir: state})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Stop)
		return d
	}
	dir := t.TempDir()
	recipe := func(pkg string) {
		writeFiles(t, dir, map[string]string{"killed/kiln.yaml": testRecipe("killed") + fmt.Sprintf(`build: |
  echo built %d > built.txt
package: |
  %s
  install -D -m 644 built.txt "$pkgdir/opt/built.txt"
`, time.Now().UnixNano(), pkg)})
	}
	recipe("sleep 600")
	d := start()
	cmd := exec.Command(os.Getenv("KILN_BIN"), "build", filepath.Join(dir, "killed"), "-o", t.TempDir(), "--progress", "plain",
		"--addr", d.Remote.Addr, "--cache-from", "type=registry,ref="+ref)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for !strings.Contains(stderr.String(), "killed [x86_64] package\n") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the package step did not start:\n%s", tail(stderr.String(), 20))
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.Kill()
	if err := cmd.Wait(); err == nil {
		t.Fatal("the build succeeded although its daemon was killed")
	}
	if !strings.Contains(stderr.String(), "daemon "+d.Remote.Addr+": lost the connection during the build") {
		t.Errorf("the error does not name the killed daemon:\n%s", tail(stderr.String(), 5))
	}

	// The build step's script is unchanged, the package step's is not.
	d2 := start()
	recipeFile := filepath.Join(dir, "killed", "kiln.yaml")
	data, err := os.ReadFile(recipeFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"killed/kiln.yaml": strings.Replace(string(data), "sleep 600", "true", 1)})
	r := mustKiln(t, nil, "build", filepath.Join(dir, "killed"), "-o", t.TempDir(), "--progress", "plain",
		"--addr", d2.Remote.Addr, "--cache-from", "type=registry,ref="+ref)
	if !cachedVertex(r.stderr, "killed [x86_64] build") {
		t.Errorf("the rerun ran the build step again:\n%s", tail(r.stderr, 30))
	}
}

// cachedVertex reports whether plain progress shows the vertex called
// name as CACHED.
func cachedVertex(progress, name string) bool {
	num := ""
	for _, line := range strings.Split(progress, "\n") {
		if n, rest, ok := strings.Cut(line, " "); ok && rest == name {
			num = n
		}
		if num != "" && line == num+" CACHED" {
			return true
		}
	}
	return false
}
