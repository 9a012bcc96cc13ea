package main

import (
	"fmt"

	"github.com/kiln-build/kiln/sbom"
	"github.com/spf13/cobra"
)

// sbomCmd reads the SBOMs kiln writes beside packages.
func sbomCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sbom",
		Short: "Query the SPDX SBOMs beside built packages",
	}
	var contains string
	query := &cobra.Command{
		Use:   "query DIR --contains NAME[@VERSION]",
		Short: "List the packages under DIR whose SBOM names a component (exit status 1: none)",
		Example: `  kiln sbom query out/ --contains zlib1g
  kiln sbom query feed/ --contains libc6@2.36-9+deb12u13`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := sbom.Query(args[0], contains)
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintln(cmd.OutOrStdout(), m)
			}
			if len(ms) == 0 {
				return &exitError{code: 1, err: fmt.Errorf("no SBOM under %s names %s", args[0], contains)}
			}
			return nil
		},
	}
	query.Flags().StringVar(&contains, "contains", "", "component to look for: NAME or NAME@VERSION")
	_ = query.MarkFlagRequired("contains")
	cmd.AddCommand(query)
	return cmd
}
