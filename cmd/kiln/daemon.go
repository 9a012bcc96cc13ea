package main

import (
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
	}, &cobra.Command{
		Use:   "status",
		Short: "Show whether the managed buildkitd runs, its address, version and platforms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := managed().Status(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
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
	}, &cobra.Command{
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
