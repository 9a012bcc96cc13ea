package main

import (
	"github.com/kiln-build/kiln/pack"
	"github.com/spf13/cobra"
)

// packCmd is the step that runs inside the build graph: kiln's static
// binary, mounted into an empty root, writes one package file.
func packCmd() *cobra.Command {
	var format, meta, root, out string
	cmd := &cobra.Command{
		Use:    "pack --format F --meta package.json --root DIR --out DIR",
		Short:  "Write one package from a staged tree (runs inside the build)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := pack.Lookup(format)
			if err != nil {
				return err
			}
			p, err := pack.ReadPackageJSON(meta)
			if err != nil {
				return err
			}
			path, err := pack.WriteFile(f, p, root, out)
			if err != nil {
				return err
			}
			cmd.Println("wrote", path)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "ipk", "package format")
	cmd.Flags().StringVar(&meta, "meta", "", "package metadata (JSON)")
	cmd.Flags().StringVar(&root, "root", "", "staged files")
	cmd.Flags().StringVar(&out, "out", "", "output directory")
	for _, f := range []string{"meta", "root", "out"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}
