package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/kiln-build/kiln/toolchains"
	"github.com/spf13/cobra"
)

func targetsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "targets",
		Short: "List the build targets kiln knows",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TARGET\tTRIPLET\tPLATFORM\tIPK ARCH\tDESCRIPTION")
			for _, n := range toolchains.Names() {
				t, err := toolchains.Lookup(n)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Triplet, t.Platform, t.Formats["ipk"].Arch, t.Description)
			}
			return w.Flush()
		},
	}
}
