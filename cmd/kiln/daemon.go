package main

import (
	"fmt"

	"github.com/docker/go-units"

	"github.com/kiln-build/kiln/daemon"
	"github.com/spf13/cobra"
)

func daemonCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Manage kiln's own BuildKit daemon (used when --addr is not given)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "start",
		Short: "Start the managed buildkitd unless it is running",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, err := managed().Ensure(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "buildkitd running at", addr)
			return nil
		},
	}, statusCmd(), &cobra.Command{
		Use:   "stop",
		Short: "Stop the managed buildkitd (only the one kiln started)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return managed().Stop(cmd.Context())
		},
	}, pruneCmd(), &cobra.Command{
		Use:   "addr",
		Short: "Print the managed daemon's address",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), managed().Addr())
		},
	})
	return cmd
}

// statusCmd reports on the managed daemon, or with --addr/--builder on
// those daemons (checking TLS settings without building anything).
func statusCmd() *cobra.Command {
	var d daemonFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show whether the managed buildkitd (or the --addr/--builder daemons) runs, its address, version and platforms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			remotes, err := d.Explicit()
			if err != nil {
				return err
			}
			if len(remotes) > 0 {
				err = daemon.ReportRemotes(cmd.Context(), cmd.OutOrStdout(), remotes)
			} else if st, serr := managed().Status(cmd.Context()); serr != nil {
				return serr
			} else {
				err = st.Report(cmd.OutOrStdout())
			}
			if err != nil {
				return &exitError{code: 3, err: err}
			}
			return nil
		},
	}
	d.register(cmd.Flags())
	return cmd
}

// pruneCmd frees the managed daemon's build cache; its sizes are decimal
// (10GB is 10^9 bytes), as df -H and kiln's own messages print them.
func pruneCmd() *cobra.Command {
	var keep, free string
	var all bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Free the managed buildkitd's build cache, least recently used first (all that no build uses, unless --keep-storage or --min-free)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := daemon.PruneOptions{All: all}
			for _, f := range []struct {
				name, value string
				to          *int64
			}{{"--keep-storage", keep, &opts.KeepStorage}, {"--min-free", free, &opts.MinFree}} {
				if f.value == "" {
					continue
				}
				n, err := units.FromHumanSize(f.value)
				if err != nil || n <= 0 {
					return fmt.Errorf("%s %q: want a size such as 10GB or 500MB", f.name, f.value)
				}
				*f.to = n
			}
			r, err := managed().Prune(cmd.Context(), opts)
			if err != nil && r.Records == 0 {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "freed %s (%d cache records)\n", units.HumanSize(float64(r.Bytes)), r.Records)
			return err
		},
	}
	cmd.Flags().StringVar(&keep, "keep-storage", "", "keep the most recently used cache up to this size (e.g. 20GB)")
	cmd.Flags().StringVar(&free, "min-free", "", "remove cache until this much of the daemon's disk is available (e.g. 15GB)")
	cmd.Flags().BoolVar(&all, "all", false, "also remove base image layers and other records BuildKit keeps for itself")
	return cmd
}
