package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/solve"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
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
			opts := frontend.Options{
				Recipes:   rs,
				Targets:   splitList(targets),
				Toolchain: s.toolchain(),
				Context:   ctxFn,
				Packer:    pk,
			}
			// Compile before contacting the daemon: bad input fails fast.
			jobs, err := frontend.Plan(opts)
			if err != nil {
				return err
			}
			if err := checkStatic(); err != nil {
				return err
			}
			def, err := frontend.Merge(jobs).Marshal(ctx, bkllb.Platform(toolchains.BuildPlatform))
			if err != nil {
				return err
			}
			steps, err := solve.StepKinds(def)
			if err != nil {
				return err
			}
			addr, err := s.daemonAddr(ctx)
			if err != nil {
				return err
			}
			logrus.Debugf("building %d jobs on %s", len(jobs), addr)
			sum, err := solve.Run(ctx, solve.Request{
				Addr:     addr,
				Locals:   locals,
				OutDir:   out,
				Progress: progress,
				Steps:    steps,
				Build: func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
					return frontend.Build(ctx, c, opts)
				},
			})
			if err != nil {
				return err
			}
			for _, f := range sum.Files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			fmt.Fprintf(os.Stderr, "kiln: %d packages, %s\n", len(sum.Files), sum)
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
