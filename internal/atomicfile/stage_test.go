package atomicfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSweepStale: what a process that no longer runs staged is removed;
// what a running one (this test) stages, and other dot files, are kept.
func TestSweepStale(t *testing.T) {
	dir := t.TempDir()
	// A process that has exited: its pid is free (pids are not reused
	// that fast).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("no true: %v", err)
	}
	dead := cmd.Process.Pid
	deadDir := filepath.Join(dir, ".kiln-export-"+strconv.Itoa(dead)+"-123")
	deadFile := filepath.Join(dir, ".kiln-export-"+strconv.Itoa(dead)+"-img.tar-456")
	if err := os.MkdirAll(filepath.Join(deadDir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeAll(t, filepath.Join(deadDir, "sub", "half.ipk"), deadFile)
	mine, err := os.MkdirTemp(dir, StagePattern(""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(mine), ".kiln-export-"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("staging name %s does not carry the pid", mine)
	}
	keep := []string{mine, filepath.Join(dir, ".kiln-export-12345678"), filepath.Join(dir, ".other"), filepath.Join(dir, "p.ipk")}
	writeAll(t, keep[1:]...)
	if err := SweepStale(dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{deadDir, deadFile} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", p, err)
		}
	}
	for _, p := range keep {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	if err := SweepStale(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("a missing directory: %v", err)
	}
}

func writeAll(t *testing.T, paths ...string) {
	for _, p := range paths {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
