package main

import (
	"fmt"
	"os"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/spf13/cobra"
)

func verifyCmd() *cobra.Command {
	var (
		d                    daemonFlags
		recipes              []string
		baseImage, aptMirror string
		progress             string
	)
	cmd := &cobra.Command{
		Use:   "verify PACKAGE...",
		Short: "Rebuild packages from the recipe their SBOM names, ignoring the build cache, and compare the bytes",
		Long: `Rebuild each package from the recipe build its SBOM (PACKAGE.spdx.json beside it) names,
with every step run again, and compare the result with PACKAGE byte for byte. On a difference it
prints what differs: the members only one side has, then the first differing member's path, mode
or content offset. The exit status is 0 only when every package is identical.`,
		Example: `  kiln verify out/hello_1.0.0-1_armv7.ipk --recipes examples/hello
  kiln verify feed/*.ipk --recipes . --addr tcp://other-builder:1234`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			daemons, err := d.LookAhead(ctx, managed())()
			if err != nil {
				return err
			}
			vs, err := build.Verify(ctx, build.VerifyConfig{
				Packages: args, Recipes: recipes, Daemons: daemons, Progress: progress,
				Toolchain: toolchains.Options{BaseImage: baseImage, AptMirror: aptMirror},
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, v := range vs {
				if v.Diff == nil {
					fmt.Fprintf(w, "%s: identical to its rebuild (sha256 %s)\n", v.Package, v.SHA256)
					continue
				}
				fmt.Fprintf(w, "%s: DIFFERS from its rebuild from recipe %s (%s) for %s:\n", v.Package, v.Origin.Recipe, v.Origin.Digest, v.Origin.Target)
				for _, line := range v.Diff {
					fmt.Fprintln(w, "  "+line)
				}
			}
			if !build.Identical(vs) {
				return &exitError{code: 1, err: fmt.Errorf("kiln: verify: a rebuild differs")}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	d.register(fl)
	fl.StringSliceVar(&recipes, "recipes", []string{"."}, "recipe files or directories holding the recipes the packages were built from")
	fl.StringVar(&baseImage, "base-image", os.Getenv("KILN_BASE_IMAGE"), "image toolchains start from, as the build used [$KILN_BASE_IMAGE]")
	fl.StringVar(&aptMirror, "apt-mirror", os.Getenv("KILN_APT_MIRROR"), "Debian mirror URL for toolchain packages; default: the host's apt mirror [$KILN_APT_MIRROR]")
	fl.StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	return cmd
}
