package main

import (
	"fmt"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/version"
	"github.com/spf13/cobra"
)

// versionString is kiln's version and the BuildKit it is built with.
func versionString() string {
	kiln, bk := build.Version()
	return fmt.Sprintf("kiln %s (BuildKit %s)", kiln, bk)
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kiln's version and the BuildKit version it is built with",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), versionString()) },
	}
}

func compareCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compare-versions A B",
		Short: "Print <, = or > as dpkg and opkg order the package versions A and B (epoch, upstream, ~, revision)",
		Example: `  kiln compare-versions 1.0~rc1 1.0      # <
  [ "$(kiln compare-versions "$new" "$old")" = ">" ] && echo upgrade`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := version.CompareCommand(args[0], args[1])
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("kiln: %w", err)}
			}
			fmt.Fprintln(cmd.OutOrStdout(), r)
			return nil
		},
	}
}
