// Command kiln builds installable packages from declarative recipes on
// BuildKit. This main only wires flags to the library packages.
package main

import (
	"errors"
	"fmt"
	"os"

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
	root := &cobra.Command{
		Use:           "kiln",
		Short:         "Build installable packages from declarative recipes on BuildKit",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	debug := root.PersistentFlags().Bool("debug", false, "log debug messages")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		logrus.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
		if *debug {
			logrus.SetLevel(logrus.DebugLevel)
		}
	}
	root.AddCommand(buildCmd(), validateCmd(), llbCmd(), daemonCmd(), targetsCmd(), packCmd(), splitCmd(), versionCmd(), checkCmd(), indexCmd())
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			// Already positioned (file:line:col: ...), one problem a line.
			fmt.Fprintln(os.Stderr, err)
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "kiln:", err)
		os.Exit(1)
	}
}
