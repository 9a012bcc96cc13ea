package main

import (
	"fmt"

	"github.com/kiln-build/kiln/version"
	"github.com/spf13/cobra"
)

func versionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Work with Debian-style package versions",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "compare A B",
		Short: "Print <, = or > as dpkg orders A and B (epoch, upstream, ~, revision)",
		Example: `  kiln version compare 1.0~rc1 1.0      # <
  [ "$(kiln version compare "$new" "$old")" = ">" ] && echo upgrade`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := version.CompareCommand(args[0], args[1])
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("kiln: %w", err)}
			}
			fmt.Fprintln(cmd.OutOrStdout(), r)
			return nil
		},
	})
	return cmd
}
