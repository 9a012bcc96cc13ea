package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/kiln-build/kiln/build"
	"github.com/spf13/cobra"
)

func targetsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "targets [RECIPE-OR-DIR...]",
		Short: "List the build targets: kiln's own and those the repositories define, with where each was defined",
		Long:  help("targets"),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := build.LoadTargets(args)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "TARGET\tTRIPLET\tPLATFORM\tSUITE\tIPK ARCH\tWHERE\tDESCRIPTION")
			for _, n := range set.Names() {
				t, err := set.Lookup(n)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Triplet, t.Platform, t.Suite, t.Formats["ipk"].Arch, set.Origin(n), t.Description)
			}
			return w.Flush()
		},
	}
}
