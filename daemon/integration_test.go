package daemon

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// helperHomeEnv, when set, turns the test binary into a stand-in for a separate kiln process
// that runs Ensure on that home and exits, so tests can check behaviour across processes.
const helperHomeEnv = "KILN_DAEMON_TEST_HELPER_HOME"

func TestMain(m *testing.M) {
	// The tests expect the built-in registry defaults, whatever the
	// environment running them (make sets these for its own daemon).
	os.Unsetenv("KILN_INSECURE_REGISTRIES")
	os.Unsetenv("KILN_REGISTRY_MIRRORS")
	if home := os.Getenv(helperHomeEnv); home != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		addr, err := (&Managed{Home: home}).Ensure(ctx)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper Ensure:", err)
			os.Exit(1)
		}
		fmt.Println(addr)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// realBuildkitd finds the buildkitd for integration tests: $KILN_BUILDKITD, else the one
// `make setup` links into bin/. With KILN_INTEGRATION=1 a missing binary fails the test
// so CI cannot pass by silently skipping; otherwise the test skips.
func realBuildkitd(t *testing.T) string {
	t.Helper()
	unavailable := t.Skipf
	if os.Getenv("KILN_INTEGRATION") == "1" {
		unavailable = t.Fatalf
	} else if testing.Short() {
		t.Skip("starts a real buildkitd: not with -short (make test runs it)")
	}
	if geteuid() != 0 {
		unavailable("integration test needs root to run buildkitd")
	}
	bin := os.Getenv("KILN_BUILDKITD")
	if bin == "" {
		bin, _ = filepath.Abs(filepath.Join("..", "bin", "buildkitd"))
	}
	if !isExecutable(bin) {
		unavailable("buildkitd not found at %s (set KILN_BUILDKITD or run `make setup`)", bin)
	}
	return bin
}

// integrationHome makes a short home and guarantees that every daemon started in it is
// stopped when the test ends: first through Stop, then by SIGKILL to any pid whose command
// line still names this home's socket.
func integrationHome(t *testing.T, bin string) *Managed {
	t.Helper()
	home := shortHome(t) // its RemoveAll cleanup is registered first, so it runs last
	m := &Managed{Home: home, Binary: bin, Log: testLogger(t)}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
		defer cancel()
		if err := m.Stop(ctx); err != nil {
			t.Errorf("cleanup Stop: %v", err)
		}
		if pids := daemonPIDs(t, home); len(pids) > 0 {
			t.Errorf("daemons still running after Stop: %v", pids)
			killPIDs(t, pids)
		}
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(home, logName)); err == nil {
				t.Logf("buildkitd.log:\n%s", log)
			}
		}
	})
	return m
}

func TestIntegrationLifecycle(t *testing.T) {
	bin := realBuildkitd(t)
	m := integrationHome(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A pid file from a previous boot must not stop the first start.
	writeFile(t, filepath.Join(m.Home, pidName), strconv.Itoa(deadPID(t)))

	addr, err := m.Ensure(ctx)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if addr != m.Addr() {
		t.Errorf("Ensure addr = %q, want %q", addr, m.Addr())
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	t.Logf("status: %+v", st)
	pidFile, _, _ := readPID(filepath.Join(m.Home, pidName))
	if !st.Running || st.PID <= 0 || st.PID != pidFile {
		t.Fatalf("Status = %+v; want running with the pid file's pid %d", st, pidFile)
	}
	if !slices.Contains(st.Platforms, "linux/amd64") {
		t.Errorf("platforms %v lack linux/amd64", st.Platforms)
	}
	if st.Version == "" {
		t.Errorf("empty daemon version")
	}
	if got := daemonPIDs(t, m.Home); !slices.Equal(got, []int{st.PID}) {
		t.Errorf("daemon processes for this home = %v, want [%d]", got, st.PID)
	}
	if sid := sessionID(t, st.PID); sid != st.PID {
		t.Errorf("daemon session id = %d, want its own session %d (Setsid)", sid, st.PID)
	}
	cfg, err := os.ReadFile(filepath.Join(m.Home, configName))
	if err != nil || !bytes.Contains(cfg, []byte(`[registry."localhost:5000"]`)) {
		t.Errorf("config: %v\n%s", err, cfg)
	}

	// A second Ensure (as from a second kiln invocation) reuses the daemon.
	addr2, err := (&Managed{Home: m.Home, Binary: bin, Log: m.Log}).Ensure(ctx)
	if err != nil || addr2 != addr {
		t.Fatalf("second Ensure = %q, %v", addr2, err)
	}
	st2, err := m.Status(ctx)
	if err != nil || st2.PID != st.PID {
		t.Fatalf("after second Ensure: %+v, %v; want pid %d", st2, err, st.PID)
	}
	if got := daemonPIDs(t, m.Home); len(got) != 1 {
		t.Errorf("daemon processes after second Ensure = %v", got)
	}

	if err := m.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if processAlive(st.PID, filepath.Join(m.Home, sockName)) {
		t.Errorf("pid %d still alive after Stop", st.PID)
	}
	for _, name := range []string{pidName, sockName} {
		if exists(filepath.Join(m.Home, name)) {
			t.Errorf("%s left after Stop", name)
		}
	}
	st3, err := m.Status(ctx)
	if err != nil || st3.Running {
		t.Errorf("Status after Stop = %+v, %v; want not running", st3, err)
	}
	if err := m.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestIntegrationConcurrentEnsure(t *testing.T) {
	bin := realBuildkitd(t)
	m := integrationHome(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Separate Managed values and separate lock descriptors, like two kiln processes.
	const n = 3
	var wg sync.WaitGroup
	addrs, errs := make([]string, n), make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addrs[i], errs[i] = (&Managed{Home: m.Home, Binary: bin, Log: m.Log}).Ensure(ctx)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || addrs[i] != m.Addr() {
			t.Errorf("Ensure #%d = %q, %v", i, addrs[i], errs[i])
		}
	}
	pids := daemonPIDs(t, m.Home)
	if len(pids) != 1 {
		t.Fatalf("concurrent Ensure started %d daemons: %v", len(pids), pids)
	}
	st, err := m.Status(ctx)
	if err != nil || !st.Running || st.PID != pids[0] {
		t.Fatalf("Status = %+v, %v; want running as pid %d", st, err, pids[0])
	}
	if log, err := os.ReadFile(filepath.Join(m.Home, logName)); err == nil {
		if c := strings.Count(string(log), "--- kiln: starting"); c != 1 {
			t.Errorf("log shows %d start attempts, want 1", c)
		}
	}
}

// sessionID reads the session id (field 6) from /proc/PID/stat.
func sessionID(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	// After the command name: state, ppid, pgrp, session.
	sid, err := strconv.Atoi(fields[3])
	if err != nil {
		t.Fatalf("parsing %s: %v", data, err)
	}
	return sid
}

// TestIntegrationAcrossProcesses runs Ensure from two separate processes at once, as two kiln
// invocations would: one daemon must start, and it must keep running after both exit.
func TestIntegrationAcrossProcesses(t *testing.T) {
	bin := realBuildkitd(t)
	m := integrationHome(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	outs, errs := make([][]byte, 2), make([]error, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, os.Args[0])
			cmd.Env = append(os.Environ(), helperHomeEnv+"="+m.Home, "KILN_BUILDKITD="+bin)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			outs[i], errs[i] = cmd.Output()
			t.Logf("helper process #%d stderr:\n%s", i, stderr.Bytes())
		}()
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil || strings.TrimSpace(string(outs[i])) != m.Addr() {
			t.Fatalf("helper process #%d: %v\n%s", i, errs[i], outs[i])
		}
	}
	pids := daemonPIDs(t, m.Home)
	if len(pids) != 1 {
		t.Fatalf("two kiln processes started %d daemons: %v", len(pids), pids)
	}
	// Both starters have exited; the daemon must still serve.
	st, err := m.Status(ctx)
	if err != nil || !st.Running || st.PID != pids[0] || len(st.Platforms) == 0 {
		t.Fatalf("Status after the starters exited = %+v, %v", st, err)
	}
}
