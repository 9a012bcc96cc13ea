package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "old.ipk" {
		t.Errorf("-o after Ctrl-C holds %v, want only old.ipk", names)
	}
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
