package main

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/buildreport"
	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

func buildCmd() *cobra.Command {
	var (
		bf                 buildFlags
		d                  daemonFlags
		sg                 signFlags
		img                build.Image
		out, progress      string
		prune              bool
		reports            []string
		cacheTo, cacheFrom []string
	)
	cmd := &cobra.Command{
		Use:   "build [RECIPE-OR-DIR...]",
		Short: "Build the packages of one or more recipes",
		Example: `  kiln build examples/hello --target armv7 -o out/
  kiln build examples/* --target all -o out/
  kiln build examples/hello -o /srv/feed --prune   # add to an existing feed, dropping older versions
  kiln build examples/* --addr tcp://build1:1234 --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem
  kiln build examples/* --addr tcp://build1:1234,tcp://build2:1234 --cache-to type=registry,ref=reg/cache:main,mode=max`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, start := cmd.Context(), time.Now()
			for _, r := range reports {
				if _, err := buildreport.Format(r); err != nil {
					return err
				}
			}
			findDaemons := sync.OnceValues(d.LookAhead(ctx, managed()))
			cfg, err := bf.config(args)
			if err != nil {
				return err
			}
			cfg.Indexes = build.OnDaemon(findDaemons, progress)
			if cfg.Sign, err = sg.signing(); err != nil {
				return err
			}
			if img.Ref != "" || img.OCI != "" {
				cfg.Image = &img
			}
			co, err := cache.Parse(cacheTo, cacheFrom)
			if err != nil {
				return err
			}
			b, err := build.Prepare(ctx, cfg)
			if err != nil {
				return err
			}
			logrus.Debugf("prepared in %v", time.Since(start))
			daemons, err := findDaemons()
			if err != nil {
				return err
			}
			res, err := b.Run(ctx, build.Target{Daemons: daemons, Cache: co, OutDir: out, Progress: progress, Prune: prune})
			if res != nil {
				// Written for a failed build too: what ran until it failed.
				if rerr := writeReports(reports, res, err); rerr != nil {
					return errors.Join(err, rerr)
				}
			}
			if err != nil {
				return err
			}
			for _, f := range res.Files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			for _, line := range res.Report() {
				logrus.Info(line)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	bf.register(fl)
	d.register(fl)
	fl.StringVarP(&out, "output", "o", "out", "directory the packages are written to")
	fl.BoolVar(&prune, "prune", false, "in a feed directory -o already holds, remove the older versions of the packages built (else kept, and indexed with the new ones)")
	fl.StringVar(&progress, "progress", "auto", "progress display: auto, tty, plain, rawjson or quiet")
	fl.StringArrayVar(&cacheTo, "cache-to", nil, "export the build cache: type=registry,ref=REF[,mode=max] or type=local,dest=DIR (buildx syntax; repeatable)")
	fl.StringArrayVar(&cacheFrom, "cache-from", nil, "import a build cache: type=registry,ref=REF or type=local,src=DIR (buildx syntax; repeatable)")
	fl.StringVar(&img.Ref, "image", "", "also build the container image of the recipe with formats.oci (every target's platform) and push it as REF")
	fl.StringVar(&img.OCI, "oci", "", "also write that container image as an OCI image layout tarball to FILE")
	fl.StringArrayVar(&reports, "report", nil, "write a build report to `FILE`.html or FILE.json (repeatable): each step's time, cache hit or miss and daemon, the slowest steps, the critical path, a timeline")
	sg.register(fl)
	registerBuildCompletion(cmd, true)
	completeWords(cmd, "progress", "auto", "tty", "plain", "rawjson", "quiet")
	return cmd
}

// writeReports writes the build report of res (err: the build's error)
// to each path, in the format its name says.
func writeReports(paths []string, res *build.Result, err error) error {
	if len(paths) == 0 {
		return nil
	}
	r := buildreport.New(res.Runs, res.Start, res.End, err)
	for _, path := range paths {
		format, _ := buildreport.Format(path) // checked before the build
		data, rerr := r.Render(format)
		if rerr == nil {
			rerr = atomicfile.Write(path, data, 0o644)
		}
		if rerr != nil {
			return fmt.Errorf("build report %s: %w", path, rerr)
		}
		logrus.Infof("build report: %s", path)
	}
	return nil
}
