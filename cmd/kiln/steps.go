package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/kiln-build/kiln/check"
	"github.com/kiln-build/kiln/elfcheck"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/shlibs"
	"github.com/kiln-build/kiln/split"
	"github.com/kiln-build/kiln/treedigest"
	"github.com/kiln-build/kiln/unpack"
	"github.com/spf13/cobra"
)

// stepCmds are the commands the build graph runs: kiln's static binary,
// mounted into a step's root, with the step's flags (required unless the
// name ends in "?"). They are hidden from help.
func stepCmds() []*cobra.Command {
	return []*cobra.Command{
		step("pack", "Write one package from a staged tree (and its SBOM beside it)", []string{"format", "meta", "root", "out", "shlibs?", "sbom?"},
			func(cmd *cobra.Command, f map[string]string) error {
				var edit func(*pack.Package) error
				if file := f["shlibs"]; file != "" {
					edit = func(p *pack.Package) error {
						r, err := shlibs.ReadResult(file)
						p.Derive(r.Depends, r.Sonames)
						return err
					}
				}
				path, err := pack.WriteFromFiles(f["format"], f["meta"], f["root"], f["out"], edit)
				if err != nil {
					return err
				}
				cmd.Println("wrote", path)
				if f["sbom"] == "" {
					return nil
				}
				return pack.CopyBeside(f["sbom"], path, sbom.Ext)
			}),
		step("write-sbom", "Write the SPDX SBOM of one package from its staged tree", []string{"spec", "root", "dpkg", "out", "shlibs?"},
			func(cmd *cobra.Command, f map[string]string) error {
				// No version: the CLI's and the frontend image's kiln write
				// the same packages; the provenance records kiln's version.
				path, err := sbom.Step{Spec: f["spec"], Root: f["root"], Dpkg: f["dpkg"], Out: f["out"], Shlibs: f["shlibs"], Tool: "kiln"}.Run()
				if err == nil {
					cmd.Println("wrote", path)
				}
				return err
			}),
		step("sign-provenance", "Sign a build's provenance statement (DSSE) with the developer key", []string{"statement", "dev-cert", "dev-key", "out"},
			func(cmd *cobra.Command, f map[string]string) error {
				return provenance.SignFiles(f["statement"], f["dev-cert"], f["dev-key"], f["out"])
			}),
		step("split", "Divide a staged tree ($pkgdir) into output packages and strip them", []string{"spec", "root", "out"},
			func(_ *cobra.Command, f map[string]string) error {
				return split.RunFile(f["spec"], f["root"], f["out"])
			}),
		step("elfcheck", "Check the ELF files of split packages against the target's machine and C library", []string{"spec", "root"},
			func(_ *cobra.Command, f map[string]string) error { return elfcheck.RunFile(f["spec"], f["root"]) }),
		step("shlibs", "Resolve the shared libraries split packages need into dependencies", []string{"spec", "root", "out"},
			func(_ *cobra.Command, f map[string]string) error {
				return shlibs.RunFile(f["spec"], f["root"], f["out"])
			}),
		unpackCmd(),
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

// unpackCmd installs .ipk files into a root (the sysroot, an install
// test's root): kiln unpack --root DIR FILE...
func unpackCmd() *cobra.Command {
	var root string
	cmd := &cobra.Command{Use: "unpack", Short: "Install packages' files into a root, every link resolved inside it (runs inside the build)",
		Hidden: true, Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, files []string) error { return unpack.Files(root, files) }}
	cmd.Flags().StringVar(&root, "root", "", "root")
	_ = cmd.MarkFlagRequired("root")
	return cmd
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
		name, optional := strings.CutSuffix(n, "?")
		vals[name] = cmd.Flags().String(name, "", name)
		if !optional {
			_ = cmd.MarkFlagRequired(name)
		}
	}
	return cmd
}
