package main

import (
	"fmt"
	"sync"

	"github.com/kiln-build/kiln/build"
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
			l, err := build.LockFile(cmd.Context(), build.LockRequest{File: file, DryRun: dryRun, Progress: progress,
				Config: bf.config, Daemons: sync.OnceValues(d.LookAhead(cmd.Context(), managed()))})
			if err != nil {
				return err
			}
			if l.Nothing {
				fmt.Fprintf(cmd.ErrOrStderr(), "kiln: %s: nothing to lock\n", file)
				return nil
			}
			for _, p := range l.Pins {
				if p.Value != "" {
					fmt.Fprintln(cmd.OutOrStdout(), p)
				}
			}
			return l.ComputedError(file)
		},
	}
	fl := cmd.Flags()
	bf.register(fl)
	d.register(fl)
	fl.StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	fl.BoolVar(&dryRun, "dry-run", false, "print the resolved values; leave the recipe file as it is")
	return cmd
}
