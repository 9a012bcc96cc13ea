package main

import (
	"context"
	"fmt"
	"github.com/kiln-build/kiln/pack/ipk/feed"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/frontend"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/solve"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

func buildCmd() *cobra.Command {
	var (
		s                  settings
		d                  daemonFlags
		targets            []string
		out                string
		progress           string
		cacheTo, cacheFrom []string
		img                imageFlags
		sg                 signFlags
	)
	cmd := &cobra.Command{
		Use:   "build [RECIPE-OR-DIR...]",
		Short: "Build the packages of one or more recipes",
		Example: `  kiln build examples/hello --target armv7 -o out/
  kiln build examples/* --target all -o out/
  kiln build examples/* --addr tcp://build1:1234 --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem
  kiln build examples/* --addr tcp://build1:1234,tcp://build2:1234 --cache-to type=registry,ref=reg/cache:main,mode=max`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			start := time.Now()
			findDaemons := d.lookAhead(ctx)
			p, err := s.plan(ctx, args, targets)
			if err != nil {
				return err
			}
			logrus.Debugf("planned %d recipes in %v", len(p.opts.Recipes), time.Since(start))
			co, err := cache.Parse(cacheTo, cacheFrom)
			if err != nil {
				return err
			}
			if _, err := d.explicit(); err != nil {
				return err
			}
			if err := checkStatic(); err != nil {
				return err
			}
			secrets, err := sg.apply(p)
			if err != nil {
				return err
			}
			var ib *imageBuild
			if img.wanted() {
				if ib, err = img.prepare(p); err != nil {
					return err
				}
				defer ib.cleanup()
			}
			steps, err := solve.StepKinds(p.def)
			if err != nil {
				return err
			}
			daemons, err := findDaemons()
			if err != nil {
				return err
			}
			nodes, err := spread(p, daemons, co)
			if err != nil {
				return err
			}
			logrus.Debugf("daemons ready after %v", time.Since(start))
			sum, err := solve.Run(ctx, solve.Request{
				Nodes:    nodes,
				Locals:   p.locals,
				OutDir:   out,
				Progress: progress,
				Steps:    steps,
				Secrets:  secrets,
			})
			if err != nil {
				return err
			}
			logrus.Debugf("built and exported after %v", time.Since(start))
			if len(sum.Nodes) > 1 {
				// Each daemon indexed its own share: index them together.
				if err := feed.WriteFiles(sum.Files); err != nil {
					return fmt.Errorf("feed index: %w", err)
				}
				sum.Files = slices.Compact(sum.Files)
			}
			for _, f := range sum.Files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			for _, n := range sum.Nodes {
				fmt.Fprintf(os.Stderr, "kiln: daemon %s: %d packages, %s\n", n.Daemon, countPackages(n.Files), n)
			}
			fmt.Fprintf(os.Stderr, "kiln: %d packages, %s\n", countPackages(sum.Files), sum)
			if len(sum.Nodes) > 1 && sg.on {
				if err := sg.signCollected(ctx, p, daemons[0], out, progress, secrets); err != nil {
					return err
				}
			}
			if ib != nil {
				return ib.run(ctx, &img, p, daemons[0], co, progress, steps)
			}
			return nil
		},
	}
	s.flags(cmd.Flags())
	d.flags(cmd.Flags())
	cmd.Flags().StringSliceVarP(&targets, "target", "t", nil, `targets to build (repeat or comma-separate); "all" = every target a recipe lists (default)`)
	cmd.Flags().StringVarP(&out, "output", "o", "out", "directory the packages are written to")
	cmd.Flags().StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	cmd.Flags().StringArrayVar(&cacheTo, "cache-to", nil, "export the build cache: type=registry,ref=REF[,mode=max] or type=local,dest=DIR (buildx syntax; repeatable)")
	cmd.Flags().StringVar(&img.ref, "image", "", "also build the container image of the recipe with formats.oci (every target's platform) and push it as REF")
	cmd.Flags().StringVar(&img.oci, "oci", "", "also write that container image as an OCI image layout tarball to FILE")
	sg.register(cmd.Flags())
	cmd.Flags().StringArrayVar(&cacheFrom, "cache-from", nil, "import a build cache: type=registry,ref=REF or type=local,src=DIR (buildx syntax; repeatable)")
	return cmd
}

// spread gives each daemon its share of the jobs: groups of jobs linked by
// host: dependencies stay together, so nothing is built twice. A daemon
// left without work is still contacted, so a dead one is reported.
func spread(p *planned, daemons []daemon.Remote, co cache.Options) ([]solve.Node, error) {
	if len(daemons) == 1 {
		opts := append([]frontend.BuildOption{frontend.Planned(p.def)}, p.build...)
		return []solve.Node{{Daemon: daemons[0], Cache: co, Build: buildFunc(p.opts, opts...)}}, nil
	}
	// Signing needs every payload of a package: it runs once they are
	// collected (signCollected), not on each daemon.
	groups, err := plan.Groups(p.opts)
	if err != nil {
		return nil, err
	}
	nodes := make([]solve.Node, len(daemons))
	for i, share := range plan.Spread(groups, len(daemons)) {
		nodes[i] = solve.Node{Daemon: daemons[i], Cache: co.ForDaemon(i, len(daemons))}
		if len(share) == 0 {
			logrus.Infof("daemon %s: nothing to build (%d job groups for %d daemons)", daemons[i].Addr, len(groups), len(daemons))
			continue
		}
		o := p.opts
		o.Only = share
		nodes[i].Build = buildFunc(o)
		logrus.Infof("daemon %s builds %s", daemons[i].Addr, strings.Join(share, ", "))
		if len(co.Exports) > 0 {
			logrus.Infof("daemon %s exports its cache to %s", daemons[i].Addr, cache.Describe(nodes[i].Cache.Exports))
		}
	}
	return nodes, nil
}

// buildFunc runs the build function the gateway frontend runs too, with
// the --cache-from imports that BuildKit leaves to the frontend to apply.
func buildFunc(o frontend.Options, opts ...frontend.BuildOption) gwclient.BuildFunc {
	return func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
		c, err := cache.WithImports(c)
		if err != nil {
			return nil, err
		}
		return frontend.Build(ctx, c, o, opts...)
	}
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

// countPackages counts package files, leaving out feed indexes.
func countPackages(files []string) int {
	n := 0
	for _, f := range files {
		if !frontend.IsIndex(f) {
			n++
		}
	}
	return n
}
