package main

import (
	"fmt"
	"os"

	"github.com/kiln-build/kiln/check"
	"github.com/kiln-build/kiln/elfcheck"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/split"
	"github.com/kiln-build/kiln/treedigest"
	"github.com/spf13/cobra"
)

// stepCmds are the commands the build graph runs: kiln's static binary,
// mounted into a step's root, with the step's required flags. They are
// hidden from help.
func stepCmds() []*cobra.Command {
	return []*cobra.Command{
		step("pack", "Write one package from a staged tree", []string{"format", "meta", "root", "out"},
			func(cmd *cobra.Command, f map[string]string) error {
				path, err := pack.WriteFromFiles(f["format"], f["meta"], f["root"], f["out"])
				if err == nil {
					cmd.Println("wrote", path)
				}
				return err
			}),
		step("split", "Divide a staged tree ($pkgdir) into output packages and strip them", []string{"spec", "root", "out"},
			func(_ *cobra.Command, f map[string]string) error {
				return split.RunFile(f["spec"], f["root"], f["out"])
			}),
		step("elfcheck", "Check the ELF files of split packages against the target's machine and C library", []string{"spec", "root"},
			func(_ *cobra.Command, f map[string]string) error { return elfcheck.RunFile(f["spec"], f["root"]) }),
		step("fixed-output", "Check a fixed-output source's tree against its digest", []string{"root", "digest", "what"},
			func(cmd *cobra.Command, f map[string]string) error {
				got, err := treedigest.Check(f["root"], f["digest"], f["what"])
				if err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", f["what"], got)
				}
				return err
			}),
		step("tree-digest", "Write the digest of a fetched tree to a file (kiln lock)", []string{"root", "out"},
			func(_ *cobra.Command, f map[string]string) error {
				d, err := treedigest.Of(f["root"])
				if err != nil {
					return err
				}
				return os.WriteFile(f["out"], []byte(d+"\n"), 0o644)
			}),
		step("check", "Run a recipe test's declarative checks", []string{"spec"},
			func(cmd *cobra.Command, f map[string]string) error {
				n, err := check.RunFile(f["spec"])
				if err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "%d checks passed\n", n)
				}
				return err
			}),
	}
}

func step(name, short string, flags []string, run func(*cobra.Command, map[string]string) error) *cobra.Command {
	vals := map[string]*string{}
	cmd := &cobra.Command{Use: name, Short: short + " (runs inside the build)", Hidden: true, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := map[string]string{}
			for k, v := range vals {
				f[k] = *v
			}
			return run(cmd, f)
		}}
	for _, n := range flags {
		vals[n] = cmd.Flags().String(n, "", n)
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}
