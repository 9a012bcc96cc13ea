// Command kiln builds installable packages from declarative recipes on
// BuildKit. This main only wires flags to the library packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/internal/messages"
	_ "github.com/kiln-build/kiln/pack/all" // registers every package format
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// exitError carries a specific exit status (e.g. validation failures).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	// Ctrl-C (or SIGTERM) cancels the build instead of killing kiln, so
	// what it cleans up on failure — the export directory in -o, a
	// half-written image tarball — goes too. A second Ctrl-C kills it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	stopProfile := profile()
	err := rootCmd().ExecuteContext(ctx)
	stopProfile()
	if err != nil && ctx.Err() != nil { // before stop, which cancels ctx too
		err = fmt.Errorf("interrupted: %w", err)
	}
	stop()
	if err != nil {
		var ee *exitError
		var re *build.RecipeError
		switch {
		case errors.As(err, &ee):
			fmt.Fprintln(os.Stderr, err)
			os.Exit(ee.code)
		case errors.As(err, &re):
			// Already positioned (file:line:col: ...), one problem a line.
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "kiln:", err)
		os.Exit(1)
	}
}

// profile writes a CPU profile to $KILN_CPUPROFILE and a heap profile to
// $KILN_MEMPROFILE when set: how the feed-scale figures are examined
// (go tool pprof bin/kiln FILE).
func profile() func() {
	cpu, mem := os.Getenv("KILN_CPUPROFILE"), os.Getenv("KILN_MEMPROFILE")
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			logrus.Warnf("KILN_CPUPROFILE: %v", err)
		}
	}
	return func() {
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
		if mem != "" {
			m, err := os.Create(mem)
			if err == nil {
				err = pprof.WriteHeapProfile(m)
				m.Close()
			}
			if err != nil {
				logrus.Warnf("KILN_MEMPROFILE: %v", err)
			}
		}
	}
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "kiln",
		Short:         "Build installable packages from declarative recipes on BuildKit",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	debug := root.PersistentFlags().Bool("debug", false, "log debug messages")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		logrus.SetOutput(os.Stderr)
		logrus.SetFormatter(messages.Formatter{Prefix: "kiln"})
		if *debug {
			logrus.SetLevel(logrus.DebugLevel)
		}
	}
	root.AddCommand(buildCmd(), validateCmd(), llbCmd(), daemonCmd(), targetsCmd(), versionCmd(), compareCmd(), indexCmd(),
		certCmd(), syspkgCmd(), schemaCmd(), newCmd(), graphCmd(), fmtCmd(), sbomCmd(), verifyCmd(), importCmd(), lockCmd())
	root.AddCommand(stepCmds()...)
	return root
}
