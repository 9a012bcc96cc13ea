package main

import (
	"fmt"

	"github.com/kiln-build/kiln/pack/ipk/feed"
	"github.com/spf13/cobra"
)

// indexCmd writes opkg feed indexes for directories of built packages.
// kiln build writes them itself; this is for feeds assembled by hand.
func indexCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "index DIR...",
		Short: "Write the opkg feed index (Packages, Packages.gz) of each directory holding .ipk files",
		Example: `  kiln index out/
  opkg update   # on the device, with "src/gz kiln http://HOST/out" in opkg.conf`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, dir := range args {
				n, err := feed.WriteTree(dir)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d packages indexed\n", dir, n)
			}
			return nil
		},
	}
}
