package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentBuilds: 20 kiln processes building overlapping sets of
// recipes on the one managed daemon at once all succeed, and each
// package is byte-identical to the serial build's.
func TestConcurrentBuilds(t *testing.T) {
	requireIntegration(t)
	_, want := sharedCache(t)
	// 20 at once, as the issue asks, on four overlapping sets.
	patterns := [][]string{examples, {examples[0]}, {examples[1]}, {examples[1], examples[0]}}
	var sets [][]string
	for i := 0; i < 20; i++ {
		sets = append(sets, patterns[i%len(patterns)])
	}
	outs := make([]string, len(sets))
	results := make([]result, len(sets))
	var wg sync.WaitGroup
	for i, set := range sets {
		outs[i] = t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = kiln(t, nil, append([]string{"build", "--target", "all", "-o", outs[i], "--progress", "plain"}, set...)...)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Errorf("build %d of %v: %v\n%s", i, sets[i], r.err, tail(r.stderr, 15))
			continue
		}
		sameBytes(t, want, outs[i])
	}
}

// TestManagedDaemonStartedByMany: six kiln builds started at once with
// no daemon running (a fresh KILN_HOME) start one managed buildkitd
// between them, and all succeed on it.
func TestManagedDaemonStartedByMany(t *testing.T) {
	requireIntegration(t)
	home, env := freshHome(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"kiln.yaml": fmt.Sprintf(recipeHead, "many")})
	const n = 6
	results := make([]result, n)
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range results {
		outs[i] = t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = kiln(t, env, "build", dir, "-o", outs[i], "--progress", "plain")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.err != nil {
			t.Errorf("build %d: %v\n%s", i, r.err, tail(r.stderr, 10))
		} else if _, err := os.Stat(filepath.Join(outs[i], "many_1.0-1_x86_64.ipk")); err != nil {
			t.Errorf("build %d: %v", i, err)
		}
	}
	if pids := buildkitdsUnder(t, home); len(pids) != 1 {
		t.Errorf("%d kiln builds started %d daemons under %s: %v", n, len(pids), home, pids)
	}

	// kiln daemon prune frees that daemon's cache: some of it, then the
	// rest (with --all, BuildKit's own records too), then there is
	// nothing left to free.
	freed := regexp.MustCompile(`^freed (\S+) \((\d+) cache records\)\n$`)
	for i, args := range [][]string{{"--keep-storage", "1MB"}, {"--all"}, nil} {
		r := kiln(t, env, append([]string{"daemon", "prune"}, args...)...)
		m := freed.FindStringSubmatch(r.stdout)
		if r.err != nil || m == nil {
			t.Fatalf("kiln daemon prune %v: %v\n%s%s", args, r.err, r.stdout, tail(r.stderr, 10))
		}
		if empty := m[2] == "0"; (i == 0 && empty) || (i == 2 && !empty) {
			t.Errorf("kiln daemon prune %v: %s", args, r.stdout)
		}
	}
}

// buildkitdsUnder lists the pids of the buildkitd processes whose
// command line names dir (their --root or --addr).
func buildkitdsUnder(t *testing.T, dir string) []string {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // it exited
		}
		args := strings.Split(string(b), "\x00")
		if filepath.Base(args[0]) == "buildkitd" && strings.Contains(string(b), dir) {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}
