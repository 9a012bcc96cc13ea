package main

import (
	"fmt"
	"os"
	"sort"

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
			p, err := s.plan(cmd.Context(), args, targets)
			if err != nil {
				return err
			}
			// The locals the graph reads, for `buildctl build --local`.
			names := make([]string, 0, len(p.locals))
			for n := range p.locals {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Fprint(os.Stderr, "# buildctl build")
			for _, n := range names {
				fmt.Fprintf(os.Stderr, " --local %s=%s", n, p.locals[n])
			}
			fmt.Fprintln(os.Stderr)
			return bkllb.WriteTo(p.def, cmd.OutOrStdout())
		},
	}
	s.flags(cmd.Flags())
	cmd.Flags().StringSliceVarP(&targets, "target", "t", nil, `targets (default: every target the recipe lists)`)
	return cmd
}
