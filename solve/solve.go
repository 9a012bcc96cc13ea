// Package solve runs a kiln build on one or more BuildKit daemons: it
// connects, hands each daemon the session's local directories, shows
// BuildKit's progress display, exports the packages into the output
// directory without ever leaving a half-written file there, and summarises
// what ran.
package solve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/sirupsen/logrus"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
)

// Node is the part of a build one daemon runs.
type Node struct {
	Daemon daemon.Remote
	// Build is nil for a daemon with nothing to do: it is only checked.
	Build gwclient.BuildFunc
	// Definition, when set, is solved directly instead of by Build, as
	// buildctl does (one request less than a build function's).
	Definition *llb.Definition
	// Cache lists what this daemon exports its cache to and imports from.
	Cache cache.Options
	// Secrets are handed to this daemon through the session, for steps
	// that mount them (the signing key): only to the daemon that signs.
	Secrets map[string][]byte
}

// Request is one build, on one node or spread over several.
type Request struct {
	Nodes []Node
	// Locals maps session local names to host directories.
	Locals map[string]string
	// OutDir receives the result's files; "" exports nothing.
	OutDir string
	// Progress is a BuildKit display mode: auto, tty, plain, rawjson, quiet.
	Progress string
	// ProgressOut is where the display writes (default os.Stderr).
	ProgressOut io.Writer
	// Steps are the graph's step kinds by name (see StepKinds), so the
	// summary can tell commands that ran from sources that were re-checked.
	Steps map[string]string
	// StepsLater, when Steps is nil, gives them once the solve is done
	// (the caller works them out meanwhile).
	StepsLater func() map[string]string
	// Exports are further exporters (a container image, an OCI tarball)
	// for the result; with several nodes, only the first one's.
	Exports []client.ExportEntry
}

// Run performs r: the nodes solve concurrently; once all succeed, every
// node's files are moved into OutDir. If one fails the others are
// cancelled, nothing is moved, and the error names the failing daemon.
func Run(ctx context.Context, r Request) (*Summary, error) {
	if len(r.Nodes) == 0 {
		return nil, errors.New("no daemon to build on")
	}
	if r.OutDir != "" {
		if err := os.MkdirAll(r.OutDir, 0o755); err != nil {
			return nil, err
		}
	}
	multi := len(r.Nodes) > 1
	runs := make([]*nodeRun, len(r.Nodes))
	for i, n := range r.Nodes {
		runs[i] = &nodeRun{node: n, track: newTracker(r.Steps, r.StepsLater)}
		if multi {
			runs[i].label = label(n.Daemon.Addr)
		}
		defer runs[i].close()
	}
	// Connect to every daemon first, so an unreachable one or a refused
	// certificate fails before any work starts; all such are reported.
	{
		errs := make([]error, len(runs))
		var wg sync.WaitGroup
		for i, nr := range runs {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = nr.connect(ctx) }()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	mounts, err := localMounts(r.Locals)
	if err != nil {
		return nil, err
	}
	var work []*nodeRun
	for _, nr := range runs {
		if nr.node.Build == nil {
			continue
		}
		nr.started = make(chan struct{})
		if err := nr.prepare(mounts, r.OutDir); err != nil {
			return nil, err
		}
		if len(nr.node.Secrets) > 0 {
			nr.opt.Session = append(nr.opt.Session, secretsprovider.FromMap(nr.node.Secrets))
		}
		if len(work) == 0 {
			nr.opt.Exports = append(nr.opt.Exports, r.Exports...)
		}
		work = append(work, nr)
	}

	out := r.ProgressOut
	if out == nil {
		out = os.Stderr
	}
	mode := progressui.DisplayMode(r.Progress)
	if mode == "" {
		mode = progressui.AutoMode
	}
	disp, err := progressui.NewDisplay(out, mode)
	if err != nil {
		return nil, fmt.Errorf("progress display %q: %w", r.Progress, err)
	}
	dispCh := make(chan *client.SolveStatus)
	dispDone := make(chan error, 1)
	go func() {
		_, err := disp.UpdateFrom(context.WithoutCancel(ctx), dispCh)
		dispDone <- err
	}()

	start := time.Now()
	eg, ectx := errgroup.WithContext(ctx)
	var feeders sync.WaitGroup
	for i, nr := range work {
		statusCh := make(chan *client.SolveStatus)
		feeders.Add(1)
		go func() {
			defer feeders.Done()
			for s := range statusCh {
				if len(s.Vertexes) > 0 {
					nr.markStarted()
				}
				nr.track.add(s)
				if nr.label != "" {
					s = relabel(s, nr.label)
				}
				dispCh <- s
			}
		}()
		eg.Go(func() error {
			defer nr.markStarted()
			nr.err = nr.solve(ectx, statusCh, sameDaemonBefore(work, i))
			return nr.err
		})
	}
	solveErr := eg.Wait()
	feeders.Wait()
	close(dispCh)
	dispErr := <-dispDone

	sum := combine(work, multi)
	sum.Start, sum.End = start, time.Now()
	if solveErr != nil {
		return sum, diskFull(r.OutDir, failure(work, solveErr, multi))
	}
	if dispErr != nil {
		return sum, dispErr
	}
	if r.OutDir != "" {
		for _, nr := range work {
			files, err := moveAll(nr.tmp, r.OutDir)
			if err != nil {
				return sum, diskFull(r.OutDir, fmt.Errorf("moving the packages into %s: %w", r.OutDir, err))
			}
			nr.sum.Files = files
			sum.Files = append(sum.Files, files...)
		}
		sort.Strings(sum.Files)
	}
	for _, nr := range work {
		for _, e := range nr.track.exportFailures() {
			msg := fmt.Sprintf("the build succeeded, but %s failed: %s", e.name, e.err)
			if multi {
				msg = "daemon " + nr.node.Daemon.Addr + ": " + msg
			}
			logrus.Warn(msg)
			sum.Warnings = append(sum.Warnings, msg)
		}
	}
	return sum, nil
}

// nodeRun is one daemon's share of a Run.
type nodeRun struct {
	node  Node
	label string // progress prefix when several daemons run
	c     *client.Client
	opt   client.SolveOpt
	tmp   string
	track *tracker
	sum   *Summary
	err   error
	// started is closed once the daemon reports a step of this node, or
	// its solve ends (see sameDaemonBefore).
	started   chan struct{}
	startOnce sync.Once
	// exported is the exporters' response (e.g. the image's digest).
	exported map[string]string
}

func (nr *nodeRun) connect(ctx context.Context) error {
	c, _, err := nr.node.Daemon.Connect(ctx)
	nr.c = c
	return err
}

// localMounts opens the session's local directories, once for every
// node (a feed has thousands).
func localMounts(locals map[string]string) (map[string]fsutil.FS, error) {
	mounts := map[string]fsutil.FS{}
	for name, dir := range locals {
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("local %s: %w", dir, err)
		}
		mounts[name] = fs
	}
	return mounts, nil
}

// sameDaemonBefore is the last node before work[i] on the same daemon:
// work[i] sends its graph once that one's steps have started (or it has
// ended), so a daemon given a feed's graph in several requests (chunks)
// starts on the first one's steps, not on parsing all of them at once.
func sameDaemonBefore(work []*nodeRun, i int) *nodeRun {
	for j := i - 1; j >= 0; j-- {
		if work[j].node.Daemon.Addr == work[i].node.Daemon.Addr {
			return work[j]
		}
	}
	return nil
}

func (nr *nodeRun) markStarted() { nr.startOnce.Do(func() { close(nr.started) }) }

func (nr *nodeRun) prepare(mounts map[string]fsutil.FS, outDir string) error {
	nr.opt = client.SolveOpt{
		// Not nil: BuildKit's client copies the cache imports into it.
		FrontendAttrs: map[string]string{},
		LocalMounts:   mounts,
		CacheExports:  tolerant(nr.node.Cache.Exports),
		CacheImports:  nr.node.Cache.Imports,
	}
	if outDir != "" {
		// Export next to the destination, then rename file by file, so a
		// failed or interrupted build leaves the user's directory as it was,
		// and no package is ever seen half-written. What a kiln killed
		// before it could clean up (SIGKILL) staged is swept first.
		if err := atomicfile.SweepStale(outDir); err != nil {
			logrus.Warnf("%s: %v", outDir, err)
		}
		tmp, err := os.MkdirTemp(outDir, atomicfile.StagePattern(""))
		if err != nil {
			return err
		}
		nr.tmp = tmp
		nr.opt.Exports = []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: tmp}}
	}
	return nil
}

// tolerant marks cache exports ignore-error (unless the user chose): a
// registry that is down when the cache goes out must not fail a build
// whose packages are done; Run reports the failed export instead.
func tolerant(exports []client.CacheOptionsEntry) []client.CacheOptionsEntry {
	out := make([]client.CacheOptionsEntry, len(exports))
	for i, e := range exports {
		attrs := maps.Clone(e.Attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		if _, set := attrs["ignore-error"]; !set {
			attrs["ignore-error"] = "true"
		}
		out[i] = client.CacheOptionsEntry{Type: e.Type, Attrs: attrs}
	}
	return out
}

func (nr *nodeRun) solve(ctx context.Context, statusCh chan *client.SolveStatus, after *nodeRun) error {
	build := nr.node.Build
	if after != nil {
		build = func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			select {
			case <-after.started:
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
			return nr.node.Build(ctx, c)
		}
	}
	var resp *client.SolveResponse
	var err error
	if nr.node.Definition != nil && after == nil {
		resp, err = nr.c.Solve(ctx, nr.node.Definition, nr.opt, statusCh)
	} else {
		resp, err = nr.c.Build(ctx, nr.opt, "kiln", build, statusCh)
	}
	if resp != nil {
		nr.exported = resp.ExporterResponse
	}
	return err
}

func (nr *nodeRun) close() {
	if nr.c != nil {
		nr.c.Close()
	}
	if nr.tmp != "" {
		os.RemoveAll(nr.tmp)
	}
}

// combine adds up the nodes' summaries.
func combine(runs []*nodeRun, multi bool) *Summary {
	total := &Summary{}
	for _, nr := range runs {
		nr.sum = nr.track.summary()
		nr.sum.Daemon = nr.node.Daemon.Addr
		for i := range nr.sum.Runs {
			nr.sum.Runs[i].Daemon = nr.sum.Daemon
		}
		total.add(nr.sum)
		total.Runs = append(total.Runs, nr.sum.Runs...)
		if total.Exported == nil && len(nr.exported) > 0 {
			total.Exported = nr.exported // only the first node exports
		}
		if multi {
			total.Nodes = append(total.Nodes, nr.sum)
		}
	}
	return total
}

// failure reports the nodes that failed on their own, not those cancelled
// because another failed, each naming its daemon when there are several.
func failure(runs []*nodeRun, first error, multi bool) error {
	var errs []error
	for _, nr := range runs {
		if nr.err == nil {
			continue
		}
		cancelled := errors.Is(nr.err, context.Canceled) || strings.Contains(nr.err.Error(), "context canceled")
		if cancelled && nr.err != first {
			continue
		}
		err := nr.track.explain(nr.err)
		switch {
		case isConnection(nr.err) && !nr.answers():
			// It answered before the build started: it went away since.
			err = fmt.Errorf("daemon %s: lost the connection during the build (did the daemon stop?): %w", nr.node.Daemon.Addr, err)
		case multi:
			err = fmt.Errorf("daemon %s: %w", nr.node.Daemon.Addr, err)
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return first
	}
	return errors.Join(errs...)
}

// answers reports whether the daemon still answers: a step that failed to
// connect somewhere (a url source whose server is down) reads like a lost
// daemon, but then the daemon is there to say so.
func (nr *nodeRun) answers() bool {
	if nr.c == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := nr.c.Info(ctx)
	return err == nil
}

// isConnection tells a lost daemon from a failed build step.
func isConnection(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "Unavailable") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "transport is closing") ||
		strings.Contains(msg, "error reading from server: EOF")
}

// label is a daemon's prefix in the progress display.
func label(addr string) string {
	if i := strings.Index(addr, "://"); i >= 0 {
		return addr[i+3:]
	}
	return addr
}

// minFree is the free space below which -o counts as full when a build
// fails: an export that hits a full disk fills it to the last block,
// but BuildKit reports only "error from receiver: context canceled".
const minFree = 1 << 20

// diskFull adds to err, a failed build or export into outDir, that
// outDir's file system is full, when it is.
func diskFull(outDir string, err error) error {
	if outDir == "" || err == nil {
		return err
	}
	free, ferr := atomicfile.FreeBytes(outDir)
	if ferr != nil || free >= minFree {
		return err
	}
	return fmt.Errorf("the file system of %s is full (%d KiB free): the packages could not be written there, and it holds what it held before: %w", outDir, free/1024, err)
}
