// Package solve runs a kiln build on a BuildKit daemon: it connects, hands
// the daemon the session's local directories, shows BuildKit's progress
// display, exports the packages into the output directory without ever
// leaving a half-written file there, and summarises what ran.
package solve

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
)

// Request is one build.
type Request struct {
	Addr string
	// Locals maps session local names to host directories.
	Locals map[string]string
	// OutDir receives the result's files; "" exports nothing.
	OutDir string
	// Progress is a BuildKit display mode: auto, tty, plain, rawjson, quiet.
	Progress string
	// ProgressOut is where the display writes (default os.Stderr).
	ProgressOut io.Writer
	Build       gwclient.BuildFunc
	// Steps are the graph's step kinds by name (see StepKinds), so the
	// summary can tell commands that ran from sources that were re-checked.
	Steps map[string]string
}

// Run performs r and returns what the daemon did.
func Run(ctx context.Context, r Request) (*Summary, error) {
	c, err := client.New(ctx, r.Addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to buildkitd at %s: %w", r.Addr, err)
	}
	defer c.Close()

	mounts := map[string]fsutil.FS{}
	for name, dir := range r.Locals {
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("local %s: %w", dir, err)
		}
		mounts[name] = fs
	}
	opt := client.SolveOpt{LocalMounts: mounts}
	var tmp string
	if r.OutDir != "" {
		if err := os.MkdirAll(r.OutDir, 0o755); err != nil {
			return nil, err
		}
		// Export next to the destination, then rename file by file, so a
		// failed or interrupted build leaves the user's directory as it was.
		tmp, err = os.MkdirTemp(r.OutDir, ".kiln-export-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		opt.Exports = []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: tmp}}
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

	track := newTracker(r.Steps)
	statusCh := make(chan *client.SolveStatus)
	dispCh := make(chan *client.SolveStatus)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		_, err := c.Build(ectx, opt, "kiln", r.Build, statusCh)
		return err
	})
	eg.Go(func() error {
		defer close(dispCh)
		for s := range statusCh {
			track.add(s)
			dispCh <- s
		}
		return nil
	})
	eg.Go(func() error {
		_, err := disp.UpdateFrom(context.WithoutCancel(ectx), dispCh)
		return err
	})
	if err := eg.Wait(); err != nil {
		return track.summary(), track.explain(err)
	}
	sum := track.summary()
	if tmp != "" {
		files, err := moveAll(tmp, r.OutDir)
		if err != nil {
			return sum, err
		}
		sum.Files = files
	}
	return sum, nil
}

// moveAll renames every file exported into tmp to the same place in dst.
func moveAll(tmp, dst string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tmp, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.Rename(p, target); err != nil {
			return err
		}
		files = append(files, target)
		return nil
	})
	sort.Strings(files)
	return files, err
}
