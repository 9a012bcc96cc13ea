package main

import (
	"fmt"

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
	}, &cobra.Command{
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
