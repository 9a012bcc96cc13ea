package daemon

import (
	"github.com/kiln-build/kiln/internal/atomicfile"

	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readPID reads a pid file. A missing file is (0, false, nil); a file that exists but holds no
// valid pid is (0, true, nil) so callers treat it like a stale file and clean it up.
func readPID(path string) (pid int, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reading pid file: %w", err)
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, true, nil
	}
	return pid, true, nil
}

// writePID writes the pid file atomically so a concurrent reader never sees a partial number.
func writePID(path string, pid int) error {
	// A random temporary name renamed over path: a link planted at either
	// name is replaced, never written through.
	if err := atomicfile.Write(path, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing pid file: %w", err)
	}
	return nil
}

// openNoFollow opens a file of the home that kiln appends to or locks in
// place, refusing a symbolic link: kiln runs as root, and a link planted
// in KILN_HOME would make it write wherever the link points.
func openNoFollow(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW, perm)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link: kiln does not write through links in its home; remove it", path)
	}
	return f, err
}

// processAlive reports whether pid is a live (not zombie) process whose command line contains
// marker. Checking the command line guards against pid reuse: after a reboot or a crash the
// pid in a stale file may belong to an unrelated process, which must never be reported as the
// daemon, let alone signalled.
func processAlive(pid int, marker string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return true // no procfs: the signal probe is all we have
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state letter follows the parenthesised command name, which may itself contain
	// spaces or parentheses, so look after the last ')'. A zombie has exited but has not
	// been reaped yet; for our purposes it is gone.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		if s := stat[i+2]; s == 'Z' || s == 'X' {
			return false
		}
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	return bytes.Contains(cmdline, []byte(marker))
}

// terminate stops pid: SIGTERM, up to grace for it to exit, then SIGKILL. The os.Process
// handle is taken before the identity check; on Linux it is a pidfd, so the signals reach
// that exact process even if the pid were recycled in between.
func terminate(ctx context.Context, pid int, marker string, grace time.Duration) error {
	proc, err := os.FindProcess(pid)
	if err != nil {
		return fmt.Errorf("finding buildkitd pid %d: %w", pid, err)
	}
	defer proc.Release()
	if !processAlive(pid, marker) {
		return nil
	}
	if err := proc.Signal(syscall.SIGTERM); err != nil {
		if errors.Is(err, os.ErrProcessDone) {
			return nil
		}
		return fmt.Errorf("sending SIGTERM to buildkitd pid %d: %w", pid, err)
	}
	if waitGone(ctx, pid, marker, grace) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("waiting for buildkitd pid %d to exit: %w", pid, err)
	}
	if err := proc.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("sending SIGKILL to buildkitd pid %d: %w", pid, err)
	}
	if !waitGone(ctx, pid, marker, 10*time.Second) {
		return fmt.Errorf("buildkitd pid %d still running after SIGKILL", pid)
	}
	return nil
}

// waitGone polls until the process is gone, the timeout passes or ctx ends.
func waitGone(ctx context.Context, pid int, marker string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for processAlive(pid, marker) {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
	return true
}

// fileLock is an exclusive flock on a file. flock locks belong to the open file description,
// so two kiln processes, or two goroutines that each open the file, exclude each other; and
// the kernel drops the lock if kiln dies, so a crash never leaves the home locked.
type fileLock struct{ f *os.File }

func lockFile(ctx context.Context, path string) (*fileLock, error) {
	f, err := openNoFollow(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	// Poll with LOCK_NB rather than block in flock so a cancelled context is honoured.
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &fileLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for lock %s (another kiln is starting or stopping the daemon): %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tryLockFile takes the lock only if it is free right now; ok=false means someone holds it.
func tryLockFile(path string) (l *fileLock, ok bool) {
	f, err := openNoFollow(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return &fileLock{f: f}, true
}

func (l *fileLock) unlock() {
	// Closing the descriptor releases the flock.
	_ = l.f.Close()
}

// logTail returns up to n last lines written to the log at or after offset, so a start-up
// failure shows this attempt's output rather than an older run's.
func logTail(path string, offset int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	const maxBytes = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > maxBytes {
		offset = fi.Size() - maxBytes
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	data, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, "\n")
	if strings.TrimSpace(out) == "" {
		return "(log is empty)"
	}
	return out
}
