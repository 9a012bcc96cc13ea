package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/spf13/cobra"
)

func llbCmd() *cobra.Command {
	var (
		s       settings
		targets []string
	)
	cmd := &cobra.Command{
		Use:   "llb RECIPE-OR-DIR... --target T",
		Short: "Print the LLB definition of a build (pipe it to buildctl build)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := loadRecipes(args)
			if err != nil {
				return err
			}
			ctxFn, locals, err := contexts(rs)
			if err != nil {
				return err
			}
			pk, pkDir, err := packer()
			if err != nil {
				return err
			}
			locals[packerLocal] = pkDir
			jobs, err := frontend.Plan(frontend.Options{
				Recipes: rs, Targets: splitList(targets), Toolchain: s.toolchain(), Context: ctxFn, Packer: pk,
			})
			if err != nil {
				return err
			}
			def, err := frontend.Merge(jobs).Marshal(cmd.Context(), bkllb.Platform(toolchains.BuildPlatform))
			if err != nil {
				return err
			}
			// The locals the graph reads, for `buildctl build --local`.
			names := make([]string, 0, len(locals))
			for n := range locals {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Fprint(os.Stderr, "# buildctl build")
			for _, n := range names {
				fmt.Fprintf(os.Stderr, " --local %s=%s", n, locals[n])
			}
			fmt.Fprintln(os.Stderr)
			return bkllb.WriteTo(def, cmd.OutOrStdout())
		},
	}
	s.flags(cmd.Flags())
	cmd.Flags().StringSliceVarP(&targets, "target", "t", nil, `targets (default: every target the recipe lists)`)
	return cmd
}
