package main

import (
	"fmt"

	"github.com/kiln-build/kiln/build"
	"github.com/spf13/cobra"
)

func validateCmd() *cobra.Command {
	return &cobra.Command{
		ValidArgsFunction: completeRecipes,
		Use:               "validate RECIPE-OR-DIR...",
		Short:             "Check recipes and their repository's targets against the schema; print every error as file:line:col: field: message",
		Args:              cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Recipes are compiled too (no daemon needed): what a build
			// rejects before it starts fails validation.
			rs, set, err := build.Check(args)
			if err != nil {
				return err
			}
			for _, r := range rs {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%s %s, targets %v)\n", r.File, r.Name, r.Version, r.Targets)
			}
			for _, n := range set.Names() {
				if o := set.Origin(n); o.File != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (target %s)\n", o, n)
				}
			}
			return nil
		},
	}
}
