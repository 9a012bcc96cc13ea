package main

import (
	"strings"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/depgraph"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/spf13/cobra"
)

func graphCmd() *cobra.Command {
	var (
		bf          buildFlags
		format, out string
	)
	cmd := &cobra.Command{
		Use:   "graph [RECIPE-OR-DIR...]",
		Short: "Draw the dependency graph of recipes, targets and variants (dot, svg, html, mermaid)",
		Long:  help("graph"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := bf.config(args)
			if err != nil {
				return err
			}
			g, err := build.Graph(cfg)
			if err != nil {
				return err
			}
			data, err := depgraph.Render(cmd.Context(), g, format)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(data)
				return err
			}
			return atomicfile.Write(out, data, 0o644)
		},
	}
	bf.register(cmd.Flags())
	registerBuildCompletion(cmd, true)
	cmd.Flags().StringVar(&format, "format", "dot", "what to write: "+strings.Join(depgraph.Formats, ", "))
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: standard output)")
	completeWords(cmd, "format", depgraph.Formats...)
	return cmd
}
