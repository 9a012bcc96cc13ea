package integration

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
)

// exportFiles lists the files under dir (relative), without kiln's
// staging (".kiln-export-*"), with their contents.
func exportFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".kiln-export-") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// staged reports whether kiln's staging directory in dir holds a file:
// the export into dir has begun.
func staged(dir string) bool {
	found := false
	stages, _ := filepath.Glob(filepath.Join(dir, ".kiln-export-*"))
	for _, s := range stages {
		filepath.WalkDir(s, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				found = true
				return filepath.SkipAll
			}
			return nil
		})
	}
	return found
}

// TestKilledDuringExport: kiln killed (SIGKILL: no clean-up runs) at
// moments from the start of its export into -o to its end leaves in -o,
// for every file, either the old one or the whole new one, never a part
// (files are written into a staging directory, synced, then renamed);
// the next build sweeps the staging the killed one left and ends with -o
// byte-identical to a clean build's.
func TestKilledDuringExport(t *testing.T) {
	requireIntegration(t)
	args := []string{"build", "examples/hello", "--target", "all", "--progress", "plain"}
	want := t.TempDir()
	mustKiln(t, nil, append(args, "-o", want)...)
	newFiles := exportFiles(t, want)
	if len(newFiles) < 2 {
		t.Fatalf("the clean build wrote %d files", len(newFiles))
	}
	out := t.TempDir()
	old := map[string]string{}
	for name := range newFiles {
		old[name] = "old " + name
	}
	writeFiles(t, out, old)
	killedMidway := 0
	for _, delay := range []time.Duration{0, 2, 10, 50, 100, 200, 400, 800} {
		writeFiles(t, out, old)
		cmd := exec.Command(os.Getenv("KILN_BIN"), append(args, "-o", out)...)
		cmd.Dir = repoRoot(t)
		var stderr lockedBuffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		exited := false
		for deadline := time.Now().Add(3 * time.Minute); !staged(out); time.Sleep(time.Millisecond) {
			select {
			case err := <-done:
				t.Fatalf("kiln ended (%v) before it was killed, its export unseen:\n%s", err, tail(stderr.String(), 10))
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("the export did not start:\n%s", tail(stderr.String(), 10))
			}
		}
		delay *= time.Millisecond
		time.Sleep(delay)
		cmd.Process.Kill()
		if err := <-done; err == nil {
			exited = true // it finished before the kill
		}
		got := exportFiles(t, out)
		olds, news := 0, 0
		for name, content := range got {
			switch content {
			case old[name]:
				olds++
			case newFiles[name]:
				news++
			default:
				t.Errorf("after a kill %v into the export, %s is neither the old file nor the new one (%d bytes, the new one %d)", delay, name, len(content), len(newFiles[name]))
			}
		}
		if len(got) != len(newFiles) {
			t.Errorf("after a kill %v into the export, -o holds %d files, want %d", delay, len(got), len(newFiles))
		}
		if olds > 0 && !exited {
			killedMidway++
		}
		t.Logf("killed %v after the export began: finished %v, %d old and %d new files", delay, exited, olds, news)
	}
	t.Logf("%d kills cut the export short", killedMidway)

	mustKiln(t, nil, append(args, "-o", out)...)
	if got := exportFiles(t, out); len(got) != len(newFiles) {
		t.Errorf("after the rerun -o holds %d files, want %d", len(got), len(newFiles))
	} else {
		for name, content := range got {
			if content != newFiles[name] {
				t.Errorf("after the rerun %s differs from the clean build's", name)
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".kiln-export-*")); len(left) > 0 {
		t.Errorf("the rerun left the killed builds' staging: %v", left)
	}
}

// TestOutputDiskFull: -o on a file system too small for the packages (a
// 64 KiB tmpfs) fails the build saying the file system is full, and
// leaves -o as it was: its earlier file intact, no staging, no part of a
// package.
func TestOutputDiskFull(t *testing.T) {
	requireIntegration(t)
	out := smallDisk(t)
	r := kiln(t, nil, "build", "examples/hello", "--target", "x86_64", "-o", out, "--progress", "plain")
	if r.err == nil {
		t.Fatal("a build into a full file system succeeded")
	}
	if want := "the file system of " + out + " is full"; !strings.Contains(r.stderr, want) {
		t.Errorf("kiln does not say %q:\n%s", want, tail(r.stderr, 10))
	}
	if names := dirNames(t, out); strings.Join(names, " ") != "old.ipk" || readFile(t, filepath.Join(out, "old.ipk")) != "old" {
		t.Errorf("-o after the failed export holds %v, want only old.ipk as it was", names)
	}
}

// smallDisk is a new directory on a 64 KiB tmpfs (unmounted at the end)
// holding one file, old.ipk ("old").
func smallDisk(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	testtool.Need(t, "mount", "umount")
	dir := t.TempDir()
	run(t, "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir)
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	writeFiles(t, dir, map[string]string{"old.ipk": "old"})
	return dir
}

// TestImageTarballDiskFull: an OCI image tarball (--oci) written to a
// full file system fails the build saying so, naming the file, and
// leaves nothing there but what was there.
func TestImageTarballDiskFull(t *testing.T) {
	requireIntegration(t)
	serveGreet(t)
	full := smallDisk(t)
	r := kiln(t, nil, "build", "examples/greet", "--target", "x86_64", "-o", t.TempDir(), "--progress", "plain",
		"--oci", filepath.Join(full, "greet.oci.tar"))
	if r.err == nil {
		t.Fatal("writing an image tarball to a full file system succeeded")
	}
	if !strings.Contains(r.stderr, "kiln: container image: ") || !strings.Contains(r.stderr, "write "+full+"/") || !strings.Contains(r.stderr, "no space left on device") {
		t.Errorf("kiln does not say the image's file system is full:\n%s", tail(r.stderr, 10))
	}
	if names := dirNames(t, full); strings.Join(names, " ") != "old.ipk" || readFile(t, filepath.Join(full, "old.ipk")) != "old" {
		t.Errorf("the full file system holds %v after the failure, want only old.ipk as it was", names)
	}
}
