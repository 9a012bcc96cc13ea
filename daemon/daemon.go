// Package daemon runs kiln's embedded default BuildKit daemon: a buildkitd that kiln finds or
// starts by itself under a per-user home directory, so a new user never has to know BuildKit
// is there. It is only used when the user gives no --addr; remote daemons bypass it.
package daemon

import (
	"github.com/kiln-build/kiln/internal/atomicfile"
	"strings"

	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/sirupsen/logrus"
)

// ErrNotRoot is returned (wrapped) by Start when kiln is not running as root.
var ErrNotRoot = errors.New("kiln's embedded buildkitd must run as root (rootless mode is not supported yet): " +
	"run kiln as root, or pass --addr to use an existing BuildKit daemon")

// Files under the home directory.
const (
	sockName   = "buildkitd.sock"
	pidName    = "buildkitd.pid"
	logName    = "buildkitd.log"
	configName = "buildkitd.toml"
	lockName   = "lock"
	rootName   = "root"
)

// Timeouts; variables so tests can shorten them.
var (
	startTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
)

// maxSocketPath is the longest path a unix socket address can hold on Linux (sun_path is 108
// bytes including the terminating NUL).
const maxSocketPath = 107

// geteuid is replaceable so tests can exercise the not-root error while running as root.
var geteuid = os.Geteuid

// Managed is kiln's own buildkitd, identified by its home directory. The zero value uses
// DefaultHome and finds buildkitd itself. It holds no state in memory: every method reads the
// pid file, so separate kiln processes agree on which daemon is theirs.
type Managed struct {
	// Home holds the socket, pid file, log, config and build state ("" = DefaultHome()).
	Home string
	// Binary is the buildkitd to run ("" = $KILN_BUILDKITD, next to kiln, then $PATH).
	Binary string
	// InsecureRegistries are pulled from over plain HTTP. nil means
	// $KILN_INSECURE_REGISTRIES if set, else DefaultInsecureRegistries; an empty
	// non-nil slice means none.
	InsecureRegistries []string
	// Log receives progress messages (nil = logrus's standard logger).
	Log logrus.FieldLogger
}

// Status describes the managed daemon. Version and Platforms are filled only when it answers.
type Status struct {
	Running   bool     `json:"running"`
	PID       int      `json:"pid,omitempty"`
	Addr      string   `json:"addr"`
	Version   string   `json:"version,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
	LogFile   string   `json:"logFile"`
	Root      string   `json:"root"`
}

// home is the absolute home directory. Symlinks are resolved once it exists so the socket
// path kiln looks for in a daemon's command line is the same however the home was spelled.
func (m *Managed) home() string {
	h := m.Home
	if h == "" {
		h = DefaultHome()
	}
	if abs, err := filepath.Abs(h); err == nil {
		h = abs
	}
	if real, err := filepath.EvalSymlinks(h); err == nil {
		h = real
	}
	return h
}

func (m *Managed) path(name string) string { return filepath.Join(m.home(), name) }

func (m *Managed) log() logrus.FieldLogger {
	if m.Log != nil {
		return m.Log
	}
	return logrus.StandardLogger()
}

// Addr is the address the managed daemon listens on.
func (m *Managed) Addr() string { return "unix://" + m.path(sockName) }

// Status reports whether the managed daemon is running and, if it answers, its version and
// platforms. A pid file whose process is gone is removed. A daemon that is alive but does not
// answer is reported as Running together with an error.
func (m *Managed) Status(ctx context.Context) (Status, error) {
	st, stale, err := m.inspect(ctx)
	if stale {
		// Clean only when nobody holds the lock: a kiln that holds it may be just now
		// writing a fresh pid file, which must not be deleted.
		if l, ok := tryLockFile(m.path(lockName)); ok {
			if _, stillStale, _ := m.inspect(ctx); stillStale {
				m.removeState()
			}
			l.unlock()
		}
	}
	return st, err
}

// inspect reads the pid file and asks the daemon about itself. stale reports a pid file that
// names no live daemon of ours.
func (m *Managed) inspect(ctx context.Context) (st Status, stale bool, err error) {
	st = Status{Addr: m.Addr(), LogFile: m.path(logName), Root: m.path(rootName)}
	pid, exists, err := readPID(m.path(pidName))
	if err != nil || !exists {
		return st, false, err
	}
	if !processAlive(pid, m.path(sockName)) {
		return st, true, nil
	}
	st.Running, st.PID = true, pid
	if err := query(ctx, st.Addr, &st); err != nil {
		return st, false, fmt.Errorf("buildkitd (pid %d) is running but not answering on %s (log: %s): %w",
			pid, st.Addr, st.LogFile, err)
	}
	return st, false, nil
}

// query fills Version and Platforms from the daemon at addr.
func query(ctx context.Context, addr string, st *Status) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.New(ctx, addr)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", addr, err)
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		return fmt.Errorf("asking %s for its version: %w", addr, err)
	}
	workers, err := c.ListWorkers(ctx)
	if err != nil {
		return fmt.Errorf("listing workers of %s: %w", addr, err)
	}
	st.Version = info.BuildkitVersion.Version
	st.Platforms = platforms(workers)
	return nil
}

// platforms lists the workers' platforms once each, sorted.
func platforms(workers []*client.WorkerInfo) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range workers {
		for _, p := range w.Platforms {
			s := p.OS + "/" + p.Architecture
			if p.Variant != "" {
				s += "/" + p.Variant
			}
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ping succeeds once the daemon serves requests and has at least one worker.
func ping(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := client.New(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	workers, err := c.ListWorkers(ctx)
	if err != nil {
		return err
	}
	if len(workers) == 0 {
		return errors.New("daemon has no workers yet")
	}
	return nil
}

// Ensure returns the address of a running managed daemon, starting one if needed.
func (m *Managed) Ensure(ctx context.Context) (string, error) {
	if st, err := m.Status(ctx); err == nil && st.Running {
		if changed := m.changedSettings(); len(changed) > 0 {
			m.log().Warnf("the managed buildkitd runs with other settings than %s: they apply once it restarts (kiln daemon stop)",
				strings.Join(changed, ", "))
		}
		return st.Addr, nil
	}
	if err := m.Start(ctx); err != nil {
		return "", err
	}
	return m.Addr(), nil
}

// Start launches the managed daemon and waits until it answers. If one is already running it
// does nothing, so two kiln processes racing here end up sharing one daemon: the check and the
// launch happen under an flock on <Home>/lock.
func (m *Managed) Start(ctx context.Context) error {
	if geteuid() != 0 {
		return ErrNotRoot
	}
	home := m.home()
	if sock := filepath.Join(home, sockName); len(sock) > maxSocketPath {
		return fmt.Errorf("socket path %s is %d bytes, longer than the %d a unix socket allows: "+
			"set KILN_HOME to a shorter directory", sock, len(sock), maxSocketPath)
	}
	bin, err := findBuildkitd(m.Binary)
	if err != nil {
		return err
	}
	// 0700: whoever can reach the socket can run anything as root through BuildKit.
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("creating kiln home: %w", err)
	}
	l, err := lockFile(ctx, m.path(lockName))
	if err != nil {
		return err
	}
	defer l.unlock()
	return m.startLocked(ctx, bin)
}

func (m *Managed) startLocked(ctx context.Context, bin string) error {
	st, stale, err := m.inspect(ctx)
	if st.Running {
		if err == nil {
			m.log().WithField("pid", st.PID).Debug("buildkitd already running")
			return nil
		}
		// Alive but silent, and nobody else is starting it (we hold the lock): it may be
		// busy, so give it the same grace as a fresh start before giving up.
		return m.waitReady(ctx, st.PID, nil, 0)
	}
	if stale {
		m.removeState()
	}
	// A socket left by a crashed daemon would make the new one fail to listen.
	if err := os.Remove(m.path(sockName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing stale socket: %w", err)
	}

	cfg := m.path(configName)
	set, err := m.settings()
	if err != nil {
		return err
	}
	mirrors, err := parseMirrors(set["KILN_REGISTRY_MIRRORS"])
	if err != nil {
		return err
	}
	lookup := func(k string) (string, bool) { v, ok := set[k]; return v, ok }
	text, err := renderConfig(m.path(rootName), insecureFrom(m.InsecureRegistries, lookup), mirrors, reservedBytes(m.path(rootName)))
	if err != nil {
		return err
	}
	if err := m.saveSettings(set); err != nil {
		return err
	}
	if err := atomicfile.Write(cfg, []byte(text), 0o644); err != nil {
		return fmt.Errorf("writing buildkitd config: %w", err)
	}
	logPath := m.path(logName)
	logf, err := openNoFollow(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening buildkitd log: %w", err)
	}
	defer logf.Close() // the child has its own copy of the descriptor
	args := []string{
		"--config", cfg,
		"--addr", m.Addr(),
		"--root", m.path(rootName),
		"--oci-worker=true",
		"--containerd-worker=false",
	}
	fmt.Fprintf(logf, "\n--- kiln: starting %s %v at %s\n", bin, args, time.Now().UTC().Format(time.RFC3339))
	offset, _ := logf.Seek(0, io.SeekEnd)

	// Not exec.CommandContext: the daemon must outlive this call and this kiln process.
	cmd := exec.Command(bin, args...)
	cmd.Dir = m.home()
	cmd.Env = Environ(os.Environ())
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own session: no controlling terminal, so Ctrl-C in the shell that ran kiln does not
	// reach the daemon and it keeps serving later kiln invocations.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	pid := cmd.Process.Pid
	// Reap the child when it exits while kiln is alive, so it does not linger as a zombie
	// and so start-up can notice an early exit.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	if err := writePID(m.path(pidName), pid); err != nil {
		_ = cmd.Process.Kill()
		return err
	}
	m.log().WithFields(logrus.Fields{"pid": pid, "addr": m.Addr(), "log": logPath}).Info("starting buildkitd")
	return m.waitReady(ctx, pid, exited, offset)
}

// waitReady polls the daemon until it answers. exited, if non-nil, delivers the exit of a
// daemon this call started; offset is where its output begins in the log.
func (m *Managed) waitReady(ctx context.Context, pid int, exited <-chan error, offset int64) error {
	addr, logPath, marker := m.Addr(), m.path(logName), m.path(sockName)
	deadline := time.Now().Add(startTimeout)
	var lastErr error
	for {
		if lastErr = ping(ctx, addr); lastErr == nil {
			m.log().WithField("pid", pid).Debug("buildkitd is ready")
			return nil
		}
		if exited == nil && !processAlive(pid, marker) {
			m.removeState()
			return fmt.Errorf("buildkitd (pid %d) exited; last lines of %s:\n%s", pid, logPath, logTail(logPath, offset, 20))
		}
		if time.Now().After(deadline) {
			// Do not leave a daemon that never came up behind a pid file: the next
			// Ensure would trust it. Stopping it lets the next attempt start afresh.
			if err := terminate(context.WithoutCancel(ctx), pid, marker, 5*time.Second); err != nil {
				m.log().WithError(err).Warn("stopping unresponsive buildkitd")
			} else {
				m.removeState()
			}
			return fmt.Errorf("buildkitd (pid %d) did not answer on %s within %s (last error: %v); last lines of %s:\n%s",
				pid, addr, startTimeout, lastErr, logPath, logTail(logPath, offset, 20))
		}
		select {
		case werr := <-exited:
			m.removeState()
			return fmt.Errorf("buildkitd exited during start-up (%v); last lines of %s:\n%s", werr, logPath, logTail(logPath, offset, 20))
		case <-ctx.Done():
			// The daemon keeps starting in the background; the next Ensure will find it.
			return fmt.Errorf("waiting for buildkitd (pid %d) to start: %w", pid, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop terminates the managed daemon: SIGTERM to the pid in the pid file (never anything
// found by name), then SIGKILL after 30 s. Stopping a daemon that is not running is a no-op.
func (m *Managed) Stop(ctx context.Context) error {
	home := m.home()
	if _, err := os.Stat(home); errors.Is(err, os.ErrNotExist) {
		return nil // never started here; do not create the home just to lock it
	}
	l, err := lockFile(ctx, filepath.Join(home, lockName))
	if err != nil {
		return err
	}
	defer l.unlock()
	pid, exists, err := readPID(m.path(pidName))
	if err != nil || !exists {
		return err
	}
	marker := m.path(sockName)
	if processAlive(pid, marker) {
		m.log().WithField("pid", pid).Info("stopping buildkitd")
		if err := terminate(ctx, pid, marker, stopTimeout); err != nil {
			return err
		}
	}
	m.removeState()
	return nil
}

// removeState deletes the pid file and socket of a daemon that is no longer running.
func (m *Managed) removeState() {
	for _, name := range []string{pidName, sockName} {
		if err := os.Remove(m.path(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.log().WithError(err).Warnf("removing %s", name)
		}
	}
}
