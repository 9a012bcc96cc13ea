package main

import (
	"sync"

	"github.com/kiln-build/kiln/build"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

func llbCmd() *cobra.Command {
	var (
		bf  buildFlags
		d   daemonFlags
		pin bool
	)
	cmd := &cobra.Command{
		Use:   "llb RECIPE-OR-DIR...",
		Short: "Print the LLB definition of a build (pipe it to buildctl build)",
		Long:  help("llb"),
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := bf.config(args)
			if err != nil {
				return err
			}
			// Only a repository listing feeds needs a daemon: to read
			// their indexes, which choose the packages the graph fetches.
			daemons := sync.OnceValues(d.LookAhead(cmd.Context(), managed()))
			cfg.Indexes = build.OnDaemon(daemons, "quiet")
			b, err := build.Prepare(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if pin {
				ds, err := daemons()
				if err != nil {
					return err
				}
				if err := b.Pin(cmd.Context(), ds[0]); err != nil {
					return err
				}
			}
			logrus.Info(b.BuildctlCommand())
			return b.WriteDefinition(cmd.Context(), cmd.OutOrStdout())
		},
	}
	bf.register(cmd.Flags())
	d.register(cmd.Flags())
	cmd.Flags().BoolVar(&pin, "pin", false, "resolve the toolchains' base images on the daemon and pull them by digest, as kiln build does (the SBOMs then record the digests: the graph kiln build solves)")
	registerBuildCompletion(cmd, true)
	return cmd
}
