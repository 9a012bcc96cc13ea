// Package integration runs kiln end to end on a real buildkitd and reads
// the packages back with real tools (ar, dpkg-deb, file, qemu-user).
// `make test` sets KILN_INTEGRATION=1 and KILN_BIN; without them these
// tests skip, so `go test -short ./...` works anywhere.
package integration

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func requireIntegration(t *testing.T) string {
	t.Helper()
	if os.Getenv("KILN_INTEGRATION") != "1" {
		t.Skip("integration tests run under `make test` (KILN_INTEGRATION=1)")
	}
	bin := os.Getenv("KILN_BIN")
	if bin == "" {
		t.Fatal("KILN_BIN is not set")
	}
	return bin
}

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

type result struct {
	stdout, stderr string
	err            error
}

// kiln runs the kiln binary; dir "" means the repository root.
func kiln(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Getenv("KILN_BIN"), args...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	start := time.Now()
	err := cmd.Run()
	t.Logf("kiln %s (%.1fs)", strings.Join(args, " "), time.Since(start).Seconds())
	return result{so.String(), se.String(), err}
}

func mustKiln(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := kiln(t, env, args...)
	if r.err != nil {
		t.Fatalf("kiln %s: %v\nstderr:\n%s", strings.Join(args, " "), r.err, tail(r.stderr, 60))
	}
	return r
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// serveAnywhere serves dir on a free loopback port and returns its address.
func serveAnywhere(t *testing.T, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serve(t, addr, dir)
	return addr
}

// serve serves dir on addr (a fixed port when a recipe names it).
func serve(t *testing.T, addr, dir string) {
	t.Helper()
	// Another test run on the same machine may hold the port for a while:
	// wait for it rather than fail.
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(time.Second) {
		if ln, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

var summaryRe = regexp.MustCompile(`kiln: (\d+) packages, (\d+) steps: (\d+) cached, (\d+) run, (\d+) checked`)

type summary struct{ packages, steps, cached, ran int }

func parseSummary(t *testing.T, stderr string) summary {
	t.Helper()
	m := summaryRe.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no summary line in output:\n%s", tail(stderr, 20))
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return summary{n(1), n(2), n(3), n(4)}
}

func sha(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
