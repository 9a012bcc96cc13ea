package main

import (
	"fmt"

	"github.com/kiln-build/kiln/build"
	"github.com/spf13/cobra"
)

func validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate RECIPE-OR-DIR...",
		Short: "Check recipes against the schema; print every error as file:line:col: field: message",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := build.LoadRecipes(args)
			if err != nil {
				return err
			}
			for _, r := range rs {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%s %s, targets %v)\n", r.File, r.Name, r.Version, r.Targets)
			}
			return nil
		},
	}
}
