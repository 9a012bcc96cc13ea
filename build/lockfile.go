package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/lock"
)

// LockRequest is one `kiln lock` of a recipe or repository file.
type LockRequest struct {
	File string
	// DryRun resolves the values and keeps the file as it is.
	DryRun bool
	// Config is the build configuration for recipe paths (the command's
	// build flags); fixed-output digests are found by planning with it.
	Config func(paths []string) (Config, error)
	// Daemons are asked for, once, only when something needs resolving.
	Daemons  func() ([]daemon.Remote, error)
	Progress string
}

// Locked is what LockFile resolved.
type Locked struct {
	// Pins are the file's own pins, in its order, then the values of
	// sources the file does not spell out (Computed).
	Pins []*lock.Pin
	// Computed are digests of sources CUE computes or defaults give: they
	// cannot be written into the file (ComputedError).
	Computed []*lock.Pin
	// Nothing is true when the file leaves nothing open.
	Nothing bool
}

// LockFile resolves what the file leaves open (git refs to commits, url
// sha256s on the daemon; fixed-output digests by running their fetch
// steps) and, unless DryRun, writes it into the file.
func LockFile(ctx context.Context, r LockRequest) (*Locked, error) {
	data, err := os.ReadFile(r.File)
	if err != nil {
		return nil, err
	}
	pins, err := lock.Find(r.File, data)
	if err != nil {
		return nil, err
	}
	var refs []*lock.Pin // commits and sha256s
	for _, p := range pins {
		if p.Kind != lock.Digest {
			refs = append(refs, p)
		}
	}
	if len(refs) > 0 {
		ds, err := r.Daemons()
		if err != nil {
			return nil, err
		}
		if err := ResolvePins(ctx, ds[0], r.Progress, refs); err != nil {
			return nil, err
		}
		if data, err = lock.Apply(r.File, data, refs); err != nil {
			return nil, err
		}
	}
	// The digests the recipes leave open, once evaluated: some the file
	// spells out, others CUE computes.
	open, err := lock.Open(r.File, data)
	if err != nil {
		return nil, err
	}
	written, computed := lock.Computed(open, pins)
	if len(refs)+len(open) == 0 {
		return &Locked{Nothing: true}, nil
	}
	if len(open) > 0 {
		ds, err := r.Daemons()
		if err != nil {
			return nil, err
		}
		if data, err = r.digests(ctx, data, open, written, Target{Daemons: ds, Progress: r.Progress}); err != nil {
			return nil, err
		}
	}
	if !r.DryRun {
		if err := atomicfile.Write(r.File, data, 0o644); err != nil {
			return nil, err
		}
	}
	return &Locked{Pins: append(pins, computed...), Computed: computed}, nil
}

// digests fills the open digest pins by running the fixed-output sources'
// fetch steps on the recipe as data has it (commits and sums filled in):
// the recipe file itself, or with DryRun a copy beside it, so local
// sources resolve the same. It writes the written pins into data.
func (r LockRequest) digests(ctx context.Context, data []byte, open, written []*lock.Pin, t Target) ([]byte, error) {
	path := r.File
	if r.DryRun {
		f, err := os.CreateTemp(filepath.Dir(r.File), ".kiln-lock-*"+filepath.Ext(r.File))
		if err != nil {
			return nil, err
		}
		path = f.Name()
		f.Close()
		defer os.Remove(path)
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return nil, err
	}
	cfg, err := r.Config([]string{path})
	if err != nil {
		return nil, err
	}
	cfg.Toolchain.Fetch.Locking = true
	cfg.Indexes = OnDaemon(func() ([]daemon.Remote, error) { return t.Daemons, nil }, t.Progress)
	b, err := Prepare(ctx, cfg)
	if err != nil {
		return nil, err
	}
	digests, err := b.Digests(ctx, t)
	if err != nil {
		return nil, err
	}
	// A recipe file's one recipe is named in the file, a repository's by
	// its key.
	names := map[string]string{}
	for of := range digests {
		names[of.File] = of.Recipe
	}
	values := map[string]string{}
	for _, p := range open {
		name := p.Recipe
		if name == "" {
			name = names[path]
		}
		if p.Value = digests[DigestOf{File: path, Recipe: name, Field: p.Source}]; p.Value == "" {
			return nil, fmt.Errorf("%s: %s: no fetch step produced a digest (is the source built for any target?)", r.File, p.Field)
		}
		values[p.Field] = p.Value
	}
	for _, p := range written {
		p.Value = values[p.Field]
	}
	return lock.Apply(r.File, data, written)
}

// ComputedError names the digests LockFile found but could not write:
// their sources are not spelled out in the file.
func (l *Locked) ComputedError(file string) error {
	if len(l.Computed) == 0 {
		return nil
	}
	var lines []string
	for _, p := range l.Computed {
		lines = append(lines, "  "+p.String())
	}
	return fmt.Errorf("%s: %d source(s) computed by CUE or given by defaults; kiln lock cannot write into them, pin these where they are defined:\n%s",
		file, len(l.Computed), strings.Join(lines, "\n"))
}
