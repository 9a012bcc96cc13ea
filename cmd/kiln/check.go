package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/check"
	"github.com/spf13/cobra"
)

// checkCmd runs a test's declarative checks inside the build graph.
func checkCmd() *cobra.Command {
	var specFile string
	cmd := &cobra.Command{
		Use:    "check --spec checks.json",
		Short:  "Run a recipe test's declarative checks (runs inside the build)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := os.ReadFile(specFile)
			if err != nil {
				return err
			}
			var checks []check.Check
			if err := json.Unmarshal(data, &checks); err != nil {
				return fmt.Errorf("%s: %w", specFile, err)
			}
			if err := check.Run(checks); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d checks passed\n", len(checks))
			return nil
		},
	}
	cmd.Flags().StringVar(&specFile, "spec", "", "checks (JSON)")
	_ = cmd.MarkFlagRequired("spec")
	return cmd
}
