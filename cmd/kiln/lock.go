package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/lock"
	"github.com/kiln-build/kiln/schema"
	"github.com/spf13/cobra"
)

func lockCmd() *cobra.Command {
	var (
		bf       buildFlags
		d        daemonFlags
		progress string
		dryRun   bool
	)
	cmd := &cobra.Command{
		Use:   "lock RECIPE-OR-DIR",
		Short: "Pin what a recipe leaves open: git refs to commits, url sha256s, fixed-output digests",
		Long: `lock resolves what a recipe leaves open and writes it into the recipe file:
a git source's ref (tag or branch; none = the default branch) to its commit,
a url source's missing sha256, a fixed-output source's missing digest; in a
repository file, every recipe's. A digest of a source the file does not
spell out (computed by CUE, given by defaults) is printed and named in an
error: pin it where it is defined. The BuildKit daemon resolves and fetches, as a build would; kiln itself reaches
no network. With --dry-run the values are printed and the file is kept.`,
		Example: `  kiln lock examples/gohello
  kiln lock repo/tool/kiln.yaml --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := schema.RecipeFile(args[0])
			if err != nil {
				return err
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			pins, err := lock.Find(file, data)
			if err != nil {
				return err
			}
			var daemons []daemon.Remote
			connect := func() (err error) {
				if daemons == nil {
					daemons, err = d.LookAhead(cmd.Context(), managed())()
				}
				return err
			}
			var refs []*lock.Pin // commits and sha256s
			for _, p := range pins {
				if p.Kind != lock.Digest {
					refs = append(refs, p)
				}
			}
			if len(refs) > 0 {
				if err := connect(); err != nil {
					return err
				}
				if err := build.ResolvePins(cmd.Context(), daemons[0], progress, refs); err != nil {
					return err
				}
				if data, err = lock.Apply(file, data, refs); err != nil {
					return err
				}
			}
			// The digests the recipes leave open, once evaluated: some
			// the file spells out, others CUE computes.
			open, err := lock.Open(file, data)
			if err != nil {
				return err
			}
			written, computed := lock.Computed(open, pins)
			if len(refs)+len(open) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "kiln: %s: nothing to lock\n", file)
				return nil
			}
			if len(open) > 0 {
				if err := connect(); err != nil {
					return err
				}
				if data, err = lockDigests(cmd, file, data, open, written, dryRun, bf, build.Target{Daemons: daemons, Progress: progress}); err != nil {
					return err
				}
			}
			for _, p := range append(pins, computed...) { // the file's order, then the others
				if p.Value != "" {
					fmt.Fprintln(cmd.OutOrStdout(), p)
				}
			}
			if !dryRun {
				if err := atomicfile.Write(file, data, 0o644); err != nil {
					return err
				}
			}
			return computedError(file, computed)
		},
	}
	fl := cmd.Flags()
	bf.register(fl)
	d.register(fl)
	fl.StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	fl.BoolVar(&dryRun, "dry-run", false, "print the resolved values; leave the recipe file as it is")
	return cmd
}

// lockDigests fills the open digest pins by running the fixed-output
// sources' fetch steps on the recipe as data has it (commits and sums
// filled in): the recipe file itself, or with --dry-run a copy beside it,
// so local sources resolve the same. It writes the written pins into data.
func lockDigests(cmd *cobra.Command, file string, data []byte, open, written []*lock.Pin, dryRun bool, bf buildFlags, t build.Target) ([]byte, error) {
	path := file
	if dryRun {
		f, err := os.CreateTemp(filepath.Dir(file), ".kiln-lock-*"+filepath.Ext(file))
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
	cfg, err := bf.config([]string{path})
	if err != nil {
		return nil, err
	}
	cfg.Toolchain.Fetch.Locking = true
	cfg.Indexes = build.OnDaemon(func() ([]daemon.Remote, error) { return t.Daemons, nil }, t.Progress)
	b, err := build.Prepare(cmd.Context(), cfg)
	if err != nil {
		return nil, err
	}
	digests, err := b.Digests(cmd.Context(), t)
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
		if p.Value = digests[build.DigestOf{File: path, Recipe: name, Field: p.Source}]; p.Value == "" {
			return nil, fmt.Errorf("%s: %s: no fetch step produced a digest (is the source built for any target?)", file, p.Field)
		}
		values[p.Field] = p.Value
	}
	for _, p := range written {
		p.Value = values[p.Field]
	}
	return lock.Apply(file, data, written)
}

// computedError names the digests kiln lock found but could not write:
// their sources are not spelled out in the file.
func computedError(file string, computed []*lock.Pin) error {
	if len(computed) == 0 {
		return nil
	}
	var lines []string
	for _, p := range computed {
		lines = append(lines, "  "+p.String())
	}
	return fmt.Errorf("%s: %d source(s) computed by CUE or given by defaults; kiln lock cannot write into them, pin these where they are defined:\n%s",
		file, len(computed), strings.Join(lines, "\n"))
}
