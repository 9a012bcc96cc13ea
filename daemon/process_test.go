package daemon

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// shortHome is a kiln home short enough for a unix socket path (t.TempDir() paths can
// exceed the 107-byte limit).
func shortHome(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing %s: %v", dir, err)
		}
	})
	return dir
}

func testLogger(t *testing.T) logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(tWriter{t})
	l.SetLevel(logrus.DebugLevel)
	return l
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestStatusStaleOrCorruptPIDFile(t *testing.T) {
	for name, content := range map[string]string{
		"dead pid": strconv.Itoa(deadPID(t)) + "\n",
		"garbage":  "not a pid",
		// A live process that is not our daemon (this test) must not count as running.
		"foreign pid": strconv.Itoa(os.Getpid()),
	} {
		t.Run(name, func(t *testing.T) {
			home := shortHome(t)
			m := &Managed{Home: home, Log: testLogger(t)}
			writeFile(t, filepath.Join(home, pidName), content)
			writeFile(t, filepath.Join(home, sockName), "") // left over by a crash
			st, err := m.Status(context.Background())
			if err != nil || st.Running || st.PID != 0 {
				t.Fatalf("Status = %+v, %v; want not running, no error", st, err)
			}
			if exists(filepath.Join(home, pidName)) || exists(filepath.Join(home, sockName)) {
				t.Errorf("stale pid file or socket not cleaned")
			}
			if st.Addr != m.Addr() || st.LogFile != filepath.Join(home, logName) || st.Root != filepath.Join(home, rootName) {
				t.Errorf("Status paths = %+v", st)
			}
		})
	}
}

func TestStopNeverSignalsForeignPID(t *testing.T) {
	home := shortHome(t)
	m := &Managed{Home: home, Log: testLogger(t)}
	// If Stop trusted this pid it would SIGTERM the test binary itself.
	writeFile(t, filepath.Join(home, pidName), strconv.Itoa(os.Getpid()))
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if exists(filepath.Join(home, pidName)) {
		t.Errorf("stale pid file not removed")
	}
}

func TestNothingRunning(t *testing.T) {
	home := filepath.Join(shortHome(t), "never-created")
	m := &Managed{Home: home}
	st, err := m.Status(context.Background())
	if err != nil || st.Running {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if exists(home) {
		t.Errorf("Stop created the home directory")
	}
	if want := "unix://" + home + "/buildkitd.sock"; m.Addr() != want {
		t.Errorf("Addr = %q, want %q", m.Addr(), want)
	}
}

func TestStartNotRoot(t *testing.T) {
	old := geteuid
	geteuid = func() int { return 1000 }
	t.Cleanup(func() { geteuid = old })
	err := (&Managed{Home: shortHome(t)}).Start(context.Background())
	if !errors.Is(err, ErrNotRoot) || !strings.Contains(err.Error(), "rootless") {
		t.Fatalf("Start as non-root: %v", err)
	}
}

func TestStartSocketPathTooLong(t *testing.T) {
	home := filepath.Join("/tmp", strings.Repeat("k", 100))
	err := (&Managed{Home: home}).Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "KILN_HOME") || !strings.Contains(err.Error(), "socket path") {
		t.Fatalf("Start with long home: %v", err)
	}
	if exists(home) {
		t.Errorf("home created despite the error")
	}
}

func TestStartMissingBinary(t *testing.T) {
	isolateLookup(t)
	home := shortHome(t)
	err := (&Managed{Home: home}).Start(context.Background())
	if !errors.Is(err, ErrBuildkitdNotFound) || !strings.Contains(err.Error(), "make setup") {
		t.Fatalf("Start without buildkitd: %v", err)
	}
	err = (&Managed{Home: home, Binary: "/nonexistent/buildkitd"}).Start(context.Background())
	if !errors.Is(err, ErrBuildkitdNotFound) || !strings.Contains(err.Error(), "/nonexistent/buildkitd") {
		t.Fatalf("Start with missing Binary: %v", err)
	}
}

func TestStartDaemonExitsEarly(t *testing.T) {
	home := shortHome(t)
	bin := filepath.Join(t.TempDir(), "buildkitd")
	writeFile(t, bin, "#!/bin/sh\necho 'fake buildkitd: no such flag --frobnicate' >&2\nexit 3\n")
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	m := &Managed{Home: home, Binary: bin, Log: testLogger(t)}
	err := m.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no such flag --frobnicate") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Start = %v; want the exit status and the log tail", err)
	}
	if exists(filepath.Join(home, pidName)) {
		t.Errorf("pid file left behind after a failed start")
	}
	cfg, err := os.ReadFile(filepath.Join(home, configName))
	if err != nil || !strings.Contains(string(cfg), `[registry."127.0.0.1:5000"]`) {
		t.Errorf("config not written: %v\n%s", err, cfg)
	}
}

func TestStartDaemonNeverAnswers(t *testing.T) {
	old := startTimeout
	startTimeout = time.Second
	t.Cleanup(func() { startTimeout = old })
	home := shortHome(t)
	bin := filepath.Join(t.TempDir(), "buildkitd")
	// Stays alive (its command line carries the socket path, like buildkitd's) but never listens.
	writeFile(t, bin, "#!/bin/sh\necho 'fake buildkitd: hanging'\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n")
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	m := &Managed{Home: home, Binary: bin, Log: testLogger(t)}
	err := m.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer") || !strings.Contains(err.Error(), "fake buildkitd: hanging") {
		t.Fatalf("Start = %v; want a timeout with the log tail", err)
	}
	if exists(filepath.Join(home, pidName)) {
		t.Errorf("pid file left behind after a timed-out start")
	}
	if pids := daemonPIDs(t, home); len(pids) != 0 {
		t.Errorf("unresponsive daemon left running: %v", pids)
		killPIDs(t, pids)
	}
}

func TestLockExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	l1, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tryLockFile(path); ok {
		t.Fatal("second lock taken while the first is held")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lockFile while held = %v; want deadline exceeded", err)
	}
	l1.unlock()
	l2, ok := tryLockFile(path)
	if !ok {
		t.Fatal("lock not free after unlock")
	}
	l2.unlock()
}

// daemonPIDs lists live processes whose command line names this home's socket: the daemons
// a test started. It never matches by program name, so nothing else on the machine is touched.
func daemonPIDs(t *testing.T, home string) []int {
	t.Helper()
	marker := filepath.Join(home, sockName)
	if real, err := filepath.EvalSymlinks(home); err == nil {
		marker = filepath.Join(real, sockName)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("reading /proc: %v", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if processAlive(pid, marker) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func killPIDs(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("killing pid %d: %v", pid, err)
		}
	}
}

func TestStatusAliveButSilent(t *testing.T) {
	home := shortHome(t)
	m := &Managed{Home: home, Log: testLogger(t)}
	bin := filepath.Join(t.TempDir(), "buildkitd")
	writeFile(t, bin, "#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 0.1; done\n")
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Looks like our daemon (its command line names the socket) but never listens.
	cmd := exec.Command(bin, "--addr", m.Addr())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	writeFile(t, filepath.Join(home, pidName), strconv.Itoa(cmd.Process.Pid))
	// On a loaded machine the script may not show its command line yet.
	for i := 0; i < 50 && !processAlive(cmd.Process.Pid, filepath.Join(home, sockName)); i++ {
		time.Sleep(100 * time.Millisecond)
	}

	st, err := m.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not answering") || !st.Running || st.PID != cmd.Process.Pid {
		t.Fatalf("Status = %+v, %v; want running, with a not-answering error", st, err)
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if processAlive(cmd.Process.Pid, filepath.Join(home, sockName)) {
		t.Errorf("silent daemon survived Stop")
	}
}

// TestStartFiltersEnvironment: the managed daemon is long-lived and runs
// as root, so it gets only the variables it uses (PATH, proxies, locale),
// never kiln's signing keys or any other secret of the shell that started
// it.
func TestStartFiltersEnvironment(t *testing.T) {
	t.Setenv("KILN_DEV_KEY", "dev-key-secret-1")
	t.Setenv("KILN_REPO_KEY", "repo-key-secret-2")
	t.Setenv("GITHUB_TOKEN", "token-secret-3")
	t.Setenv("HTTPS_PROXY", "http://proxy.test:3128")
	home := shortHome(t)
	bin := fakeBuildkitd(t, "#!/bin/sh\necho '--- environment'\nenv\nexit 3\n")
	err := (&Managed{Home: home, Binary: bin, Log: testLogger(t)}).Start(context.Background())
	if err == nil {
		t.Fatal("Start of a daemon that exits succeeded")
	}
	log, rerr := os.ReadFile(filepath.Join(home, logName))
	if rerr != nil {
		t.Fatal(rerr)
	}
	for _, secret := range []string{"dev-key-secret-1", "repo-key-secret-2", "token-secret-3"} {
		if strings.Contains(string(log), secret) {
			t.Errorf("the daemon's environment holds %q:\n%s", secret, log)
		}
	}
	for _, kept := range []string{"PATH=", "HTTPS_PROXY=http://proxy.test:3128"} {
		if !strings.Contains(string(log), kept) {
			t.Errorf("the daemon's environment lacks %s:\n%s", kept, log)
		}
	}
}

func TestDaemonEnviron(t *testing.T) {
	in := []string{"PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8", "LC_ALL=C", "no_proxy=localhost", "TMPDIR=/tmp",
		"BUILDKIT_STEP_LOG_MAX_SIZE=1", "OTEL_EXPORTER_OTLP_ENDPOINT=x", "XDG_RUNTIME_DIR=/run/user/0",
		"KILN_DEV_KEY=k", "KILN_HOME=/h", "AWS_SECRET_ACCESS_KEY=s", "SSH_AUTH_SOCK=/tmp/a", "PATHX=1"}
	want := []string{"PATH=/usr/bin", "HOME=/root", "LANG=C.UTF-8", "LC_ALL=C", "no_proxy=localhost", "TMPDIR=/tmp",
		"BUILDKIT_STEP_LOG_MAX_SIZE=1", "OTEL_EXPORTER_OTLP_ENDPOINT=x", "XDG_RUNTIME_DIR=/run/user/0"}
	if got := Environ(in); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Environ = %q\nwant %q", got, want)
	}
}

// TestStartNeverWritesThroughSymlinks: another user able to plant
// symbolic links in KILN_HOME (or a stale link) must not make kiln, which
// runs as root, write its config, pid file or log into the link's target.
func TestStartNeverWritesThroughSymlinks(t *testing.T) {
	bin := fakeBuildkitd(t, "#!/bin/sh\nexit 3\n")
	for name, c := range map[string]struct {
		links []string
		want  string // in Start's error
	}{
		"config and pid": {[]string{configName, pidName, pidName + ".tmp"}, "exit status 3"},
		"log":            {[]string{logName}, "is a symbolic link"},
		"lock":           {[]string{lockName}, "is a symbolic link"},
	} {
		t.Run(name, func(t *testing.T) {
			home, victims := shortHome(t), t.TempDir()
			for _, l := range c.links {
				v := filepath.Join(victims, l)
				writeFile(t, v, "victim\n")
				if err := os.Symlink(v, filepath.Join(home, l)); err != nil {
					t.Fatal(err)
				}
			}
			err := (&Managed{Home: home, Binary: bin, Log: testLogger(t)}).Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Start = %v, want %q", err, c.want)
			}
			for _, l := range c.links {
				if got, _ := os.ReadFile(filepath.Join(victims, l)); string(got) != "victim\n" {
					t.Errorf("%s written through its link: %q", l, got)
				}
			}
		})
	}
}

// fakeBuildkitd writes an executable script standing in for buildkitd.
func fakeBuildkitd(t *testing.T, script string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "buildkitd")
	writeFile(t, bin, script)
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
