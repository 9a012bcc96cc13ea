package main

import (
	"fmt"
	"os"
	"path/filepath"

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
a url source's missing sha256, a fixed-output source's missing digest. The
BuildKit daemon resolves and fetches, as a build would; kiln itself reaches
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
			if len(pins) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "kiln: %s: nothing to lock\n", file)
				return nil
			}
			daemons, err := d.LookAhead(cmd.Context(), managed())()
			if err != nil {
				return err
			}
			if err := build.ResolvePins(cmd.Context(), daemons[0], progress, pins); err != nil {
				return err
			}
			if data, err = lock.Apply(file, data, pins); err != nil {
				return err
			}
			if data, err = lockDigests(cmd, file, data, pins, dryRun, bf, build.Target{Daemons: daemons, Progress: progress}); err != nil {
				return err
			}
			for _, p := range pins {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			if dryRun {
				return nil
			}
			return atomicfile.Write(file, data, 0o644)
		},
	}
	fl := cmd.Flags()
	bf.register(fl)
	d.register(fl)
	fl.StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	fl.BoolVar(&dryRun, "dry-run", false, "print the resolved values; leave the recipe file as it is")
	return cmd
}

// lockDigests fills the digest pins by running the fixed-output sources'
// fetch steps on the recipe as data has it (commits and sums filled in):
// the recipe file itself, or with --dry-run a copy beside it, so local
// sources resolve the same.
func lockDigests(cmd *cobra.Command, file string, data []byte, pins []*lock.Pin, dryRun bool, bf buildFlags, t build.Target) ([]byte, error) {
	var open []*lock.Pin
	for _, p := range pins {
		if p.Kind == lock.Digest {
			open = append(open, p)
		}
	}
	if len(open) == 0 {
		return data, nil
	}
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
	cfg.Indexes = build.OnDaemon(func() ([]daemon.Remote, error) { return t.Daemons, nil }, t.Progress)
	b, err := build.Prepare(cmd.Context(), cfg)
	if err != nil {
		return nil, err
	}
	digests, err := b.Digests(cmd.Context(), t)
	if err != nil {
		return nil, err
	}
	for _, p := range open {
		if p.Value = digests[path][p.Field]; p.Value == "" {
			return nil, fmt.Errorf("%s: %s: no fetch step produced a digest (is the source built for any target?)", file, p.Field)
		}
	}
	return lock.Apply(file, data, open)
}
