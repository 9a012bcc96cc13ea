package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/solve"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

func buildCmd() *cobra.Command {
	var (
		s        settings
		targets  []string
		out      string
		progress string
	)
	cmd := &cobra.Command{
		Use:   "build [RECIPE-OR-DIR...]",
		Short: "Build the packages of one or more recipes",
		Example: `  kiln build examples/hello --target armv7 -o out/
  kiln build examples/* --target all -o out/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, err := s.plan(ctx, args, targets)
			if err != nil {
				return err
			}
			if err := checkStatic(); err != nil {
				return err
			}
			steps, err := solve.StepKinds(p.def)
			if err != nil {
				return err
			}
			addr, err := s.daemonAddr(ctx)
			if err != nil {
				return err
			}
			logrus.Debugf("building %d recipes on %s", len(p.opts.Recipes), addr)
			sum, err := solve.Run(ctx, solve.Request{
				Addr:     addr,
				Locals:   p.locals,
				OutDir:   out,
				Progress: progress,
				Steps:    steps,
				Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
					return frontend.Build(ctx, c, p.opts)
				},
			})
			if err != nil {
				return err
			}
			pkgs := 0
			for _, f := range sum.Files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
				if !frontend.IsIndex(f) {
					pkgs++
				}
			}
			fmt.Fprintf(os.Stderr, "kiln: %d packages, %s\n", pkgs, sum)
			return nil
		},
	}
	s.flags(cmd.Flags())
	cmd.Flags().StringSliceVarP(&targets, "target", "t", nil, `targets to build (repeat or comma-separate); "all" = every target a recipe lists (default)`)
	cmd.Flags().StringVarP(&out, "output", "o", "out", "directory the packages are written to")
	cmd.Flags().StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	return cmd
}

func splitList(v []string) []string {
	var out []string
	for _, x := range v {
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
