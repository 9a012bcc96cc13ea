package main

import (
	"github.com/kiln-build/kiln/build"
	"github.com/spf13/cobra"
)

func targetsCmd() *cobra.Command {
	return &cobra.Command{
		ValidArgsFunction: completeRecipes,
		Use:               "targets [RECIPE-OR-DIR...]",
		Short:             "List the build targets: kiln's own and those the repositories define, with where each was defined",
		Long:              help("targets"),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := build.LoadTargets(args)
			if err != nil {
				return err
			}
			return set.WriteTable(cmd.OutOrStdout())
		},
	}
}
