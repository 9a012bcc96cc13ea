package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/repogen"
)

// BenchmarkFirstStep: the time from `kiln build` starting to the daemon
// starting the build's first step (BuildKit's first vertex event in
// kiln's rawjson progress), for one recipe and for the generated
// 2,500-recipe feed; the build is interrupted there. Goals: under 0.3 s
// and 1.5 s.
func BenchmarkFirstStep(b *testing.B) {
	kiln := os.Getenv("KILN_BIN")
	if kiln == "" {
		b.Skip("KILN_BIN not set (run make bench)")
	}
	feed := b.TempDir()
	if _, err := repogen.Write(feed, feedSize); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		what, dir string
		goal      float64
		linger    time.Duration
	}{
		{"one recipe (examples/hello)", filepath.Join(repoRoot(), "examples", "hello"), 0.3, 0},
		{fmt.Sprintf("the %d-recipe feed", feedSize), feed, 1.5, 20 * time.Second},
	} {
		// A first build fills kiln's caches, as any user's first build
		// does: it goes on a while after its first step, for kiln to keep
		// the graphs of all its requests (a feed is sent in several),
		// which it compiles as they are sent; a user's first build runs
		// to its end.
		firstStep(b, kiln, c.dir, c.linger)
		// The median of three, each once the daemon is done with the
		// build before (an interrupted one is cancelled for a moment).
		var ds []time.Duration
		for range 3 {
			time.Sleep(3 * time.Second)
			ds = append(ds, firstStep(b, kiln, c.dir, 0))
		}
		slices.Sort(ds)
		d := ds[1]
		fmt.Printf("first step: %s: %.2fs from kiln build to the daemon's first step, median of 3 (goal < %.1fs)\n", c.what, d.Seconds(), c.goal)
	}
}

// firstStep runs kiln build on dir until the daemon reports a vertex
// started, then (linger later) interrupts it (by PID) and returns the
// time to that first step.
func firstStep(b *testing.B, kiln, dir string, linger time.Duration) time.Duration {
	cmd := command(kiln, "build", "--progress", "rawjson", "-o", b.TempDir(), dir)
	cmd.Stderr = nil // read below
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		// Drained while it stops: kiln blocked writing progress to a
		// full pipe would never finish cancelling.
		go func() { _, _ = io.Copy(io.Discard, stderr) }()
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Vertexes []struct {
				Started *time.Time `json:"started"`
			} `json:"vertexes"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue // kiln's own log lines
		}
		for _, v := range status.Vertexes {
			if v.Started != nil {
				d := time.Since(start)
				if linger > 0 {
					go func() { // kiln must not block on a full pipe meanwhile
						for sc.Scan() {
						}
					}()
					time.Sleep(linger)
				}
				return d
			}
		}
	}
	b.Fatalf("kiln build %s ended before any step started", dir)
	return 0
}
