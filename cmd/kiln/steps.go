package main

import (
	"fmt"

	"github.com/kiln-build/kiln/check"
	"github.com/kiln-build/kiln/elfcheck"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/split"
	"github.com/spf13/cobra"
)

// The commands below are steps of the build graph: kiln's static binary,
// mounted into the step's root, runs them. They are hidden from help.

func packCmd() *cobra.Command {
	var format, meta, root, out string
	return step(&cobra.Command{
		Use:   "pack --format F --meta package.json --root DIR --out DIR",
		Short: "Write one package from a staged tree (runs inside the build)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := pack.WriteFromFiles(format, meta, root, out)
			if err == nil {
				cmd.Println("wrote", path)
			}
			return err
		},
	}, map[string]*string{"format": &format, "meta": &meta, "root": &root, "out": &out})
}

func splitCmd() *cobra.Command {
	var spec, root, out string
	return step(&cobra.Command{
		Use:   "split --spec split.json --root DIR --out DIR",
		Short: "Divide a staged tree ($pkgdir) into output packages and strip them (runs inside the build)",
		RunE:  func(*cobra.Command, []string) error { return split.RunFile(spec, root, out) },
	}, map[string]*string{"spec": &spec, "root": &root, "out": &out})
}

func elfcheckCmd() *cobra.Command {
	var spec, root string
	return step(&cobra.Command{
		Use:   "elfcheck --spec elfcheck.json --root DIR",
		Short: "Check the ELF files of split packages against the target's machine and C library (runs inside the build)",
		RunE:  func(*cobra.Command, []string) error { return elfcheck.RunFile(spec, root) },
	}, map[string]*string{"spec": &spec, "root": &root})
}

func checkCmd() *cobra.Command {
	var spec string
	return step(&cobra.Command{
		Use:   "check --spec checks.json",
		Short: "Run a recipe test's declarative checks (runs inside the build)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := check.RunFile(spec)
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%d checks passed\n", n)
			}
			return err
		},
	}, map[string]*string{"spec": &spec})
}

// step hides cmd and gives it the required string flags named in flags.
func step(cmd *cobra.Command, flags map[string]*string) *cobra.Command {
	cmd.Hidden, cmd.Args = true, cobra.NoArgs
	for name, v := range flags {
		cmd.Flags().StringVar(v, name, "", name)
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
