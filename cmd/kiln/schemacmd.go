package main

import (
	"github.com/kiln-build/kiln/schema"
	"github.com/spf13/cobra"
)

func schemaCmd() *cobra.Command {
	var jsonSchema bool
	cmd := &cobra.Command{
		Use:   "schema [--json-schema]",
		Short: "Print the recipe schema: kiln's CUE, or a JSON Schema for editors",
		Long:  help("schema"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := schema.CUE()
			if jsonSchema {
				b, err := schema.JSONSchema()
				if err != nil {
					return err
				}
				out = append(b, '\n')
			}
			_, err := cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().BoolVar(&jsonSchema, "json-schema", false, "print a JSON Schema (draft 2020-12) of YAML and JSON recipes")
	return cmd
}
