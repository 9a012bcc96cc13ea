package main

import (
	"errors"
	"fmt"
	"strings"

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
			w := cmd.OutOrStdout()
			remotes, err := d.Explicit()
			if err != nil {
				return err
			}
			if len(remotes) > 0 {
				var errs []error
				for _, r := range remotes {
					st, err := r.Check(cmd.Context())
					state := "running"
					if err != nil {
						state = "unreachable"
						errs = append(errs, err)
					}
					fmt.Fprintf(w, "address:   %s\nstatus:    %s\n", r.Addr, state)
					if st.Version != "" {
						fmt.Fprintf(w, "version:   %s\nplatforms: %s\n", st.Version, strings.Join(st.Platforms, ", "))
					}
				}
				if len(errs) > 0 {
					return &exitError{code: 3, err: errors.Join(errs...)}
				}
				return nil
			}
			st, err := managed().Status(cmd.Context())
			if err != nil {
				return err
			}
			state := "stopped"
			if st.Running {
				state = fmt.Sprintf("running (pid %d)", st.PID)
			}
			fmt.Fprintf(w, "status:    %s\naddress:   %s\n", state, st.Addr)
			if st.Version != "" {
				fmt.Fprintf(w, "version:   %s\nplatforms: %s\n", st.Version, strings.Join(st.Platforms, ", "))
			}
			fmt.Fprintf(w, "root:      %s\nlog:       %s\n", st.Root, st.LogFile)
			if !st.Running {
				return &exitError{code: 3, err: fmt.Errorf("buildkitd is not running")}
			}
			return nil
		},
	}
	d.register(cmd.Flags())
	return cmd
}
