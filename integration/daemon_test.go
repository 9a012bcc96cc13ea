package integration

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestManagedDaemon: with no --addr and no daemon running, kiln starts its
// own buildkitd under KILN_HOME, builds, and `kiln daemon` manages it.
// The recipe has no scripts, so no toolchain image is needed.
func TestManagedDaemon(t *testing.T) {
	requireIntegration(t)
	home, env := freshHome(t)

	if r := kiln(t, env, "daemon", "status"); r.err == nil || !strings.Contains(r.stdout, "stopped") {
		t.Fatalf("status before start: err=%v\n%s", r.err, r.stdout)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "tiny")})
	out := t.TempDir()
	mustKiln(t, env, "build", dir, "-o", out, "--progress", "plain")
	if _, err := os.Stat(filepath.Join(out, "tiny_1.0-1_x86_64.ipk")); err != nil {
		t.Fatal(err)
	}
	st := mustKiln(t, env, "daemon", "status")
	if !strings.Contains(st.stdout, "running (pid") || !strings.Contains(st.stdout, "unix://"+home) {
		t.Errorf("status after build:\n%s", st.stdout)
	}
	if _, err := os.Stat(filepath.Join(home, "buildkitd.log")); err != nil {
		t.Errorf("daemon log: %v", err)
	}
	mustKiln(t, env, "daemon", "stop")
	if r := kiln(t, env, "daemon", "status"); r.err == nil {
		t.Errorf("status after stop says running:\n%s", r.stdout)
	}
}

// freshHome is a new KILN_HOME (short: a socket path lives in it) and
// the environment that points kiln at it, without --addr; the daemon
// kiln starts there is stopped at the end of the test.
func freshHome(t *testing.T) (string, []string) {
	t.Helper()
	home, err := os.MkdirTemp("", "kh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	env := []string{"KILN_HOME=" + home, "KILN_ADDR="}
	t.Cleanup(func() { kiln(t, env, "daemon", "stop") })
	return home, env
}

// TestAddrTCP: --addr points kiln at a daemon it does not manage, here a
// second buildkitd listening on loopback TCP, started and stopped by the test.
func TestAddrTCP(t *testing.T) {
	requireIntegration(t)
	bin := os.Getenv("KILN_BUILDKITD")
	if bin == "" {
		t.Fatal("KILN_BUILDKITD is not set")
	}
	root, err := os.MkdirTemp("", "kt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "tcp://" + ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--root", filepath.Join(root, "state"), "--addr", addr,
		"--oci-worker=true", "--containerd-worker=false")
	logf, err := os.Create(filepath.Join(root, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	})
	home, err := os.MkdirTemp("", "kh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	env := []string{"KILN_HOME=" + home}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "tcp")})
	out := t.TempDir()
	var r result
	for i := 0; i < 50; i++ { // wait for the daemon to listen
		if r = kiln(t, env, "build", dir, "--addr", addr, "-o", out, "--progress", "plain"); r.err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r.err != nil {
		t.Fatalf("build on %s: %v\n%s", addr, r.err, tail(r.stderr, 20))
	}
	if _, err := os.Stat(filepath.Join(out, "tcp_1.0-1_x86_64.ipk")); err != nil {
		t.Fatal(err)
	}
	// kiln used the given daemon and started none of its own.
	if _, err := os.Stat(filepath.Join(home, "buildkitd.pid")); err == nil {
		t.Error("kiln started its managed daemon although --addr was given")
	}
}
