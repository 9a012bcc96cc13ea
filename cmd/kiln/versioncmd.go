package main

import (
	"fmt"
	"runtime/debug"

	"github.com/kiln-build/kiln/version"
	"github.com/spf13/cobra"
)

// kilnVersion is stamped at build time (-X main.kilnVersion=...); without
// it, the module's build information gives it.
var kilnVersion = ""

// versionString is kiln's version and the BuildKit it is built with.
func versionString() string {
	v, bk := kilnVersion, "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		if v == "" {
			v = vcsVersion(info.Settings)
		}
		for _, d := range info.Deps {
			if d.Path == "github.com/moby/buildkit" {
				bk = d.Version
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return fmt.Sprintf("kiln %s (BuildKit %s)", v, bk)
}

// vcsVersion names a development build by the commit it was built from.
func vcsVersion(settings []debug.BuildSetting) string {
	rev, dirty := "", ""
	for _, s := range settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			rev = s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev == "" {
		return ""
	}
	return "devel-" + rev + dirty
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kiln's version and the BuildKit version it is built with",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), versionString()) },
	}
}

func compareCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compare-versions A B",
		Short: "Print <, = or > as dpkg and opkg order the package versions A and B (epoch, upstream, ~, revision)",
		Example: `  kiln compare-versions 1.0~rc1 1.0      # <
  [ "$(kiln compare-versions "$new" "$old")" = ">" ] && echo upgrade`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := version.CompareCommand(args[0], args[1])
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("kiln: %w", err)}
			}
			fmt.Fprintln(cmd.OutOrStdout(), r)
			return nil
		},
	}
}
