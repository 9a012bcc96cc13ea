package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/split"
	"github.com/spf13/cobra"
)

// splitCmd runs inside the build graph, in the target's toolchain: it
// divides $pkgdir into the recipe's output packages and strips them.
func splitCmd() *cobra.Command {
	var specFile, root, out string
	cmd := &cobra.Command{
		Use:    "split --spec split.json --root DIR --out DIR",
		Short:  "Divide a staged tree into output packages (runs inside the build)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := os.ReadFile(specFile)
			if err != nil {
				return err
			}
			var spec split.Spec
			if err := json.Unmarshal(data, &spec); err != nil {
				return fmt.Errorf("%s: %w", specFile, err)
			}
			return split.Run(spec, root, out)
		},
	}
	cmd.Flags().StringVar(&specFile, "spec", "", "split specification (JSON)")
	cmd.Flags().StringVar(&root, "root", "", "staged files ($pkgdir)")
	cmd.Flags().StringVar(&out, "out", "", "output directory, one subdirectory per package")
	for _, f := range []string{"spec", "root", "out"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}
