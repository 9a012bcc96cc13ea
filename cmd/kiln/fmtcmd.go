package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/recipefmt"
	"github.com/kiln-build/kiln/schema"
	"github.com/spf13/cobra"
)

func fmtCmd() *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:               "fmt [--check] [RECIPE-OR-DIR...]",
		Short:             "Format recipe files canonically: CUE with CUE's formatter, YAML fields in the README's order",
		Long:              help("fmt"),
		ValidArgsFunction: completeRecipes,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			var changed []string
			var errs []error // every file is tried; all problems reported
			for _, p := range args {
				files, err := schema.FindRecipes(p)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				for _, f := range files {
					c, err := formatFile(f, check)
					if err != nil {
						errs = append(errs, err)
					}
					if c {
						changed = append(changed, f)
						fmt.Fprintln(cmd.OutOrStdout(), f)
					}
				}
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			if check && len(changed) > 0 {
				return &exitError{1, fmt.Errorf("kiln: %d file(s) not formatted (kiln fmt rewrites them)", len(changed))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "change nothing: list the files kiln fmt would change, and fail if there are any")
	return cmd
}

// formatFile formats file in place unless check; it reports a change.
func formatFile(file string, check bool) (bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, err
	}
	out, err := recipefmt.Source(file, data)
	if err != nil {
		return false, err
	}
	if string(out) == string(data) {
		return false, nil
	}
	if check {
		return true, nil
	}
	fi, err := os.Stat(file)
	if err != nil {
		return false, err
	}
	return true, atomicfile.Write(file, out, fi.Mode().Perm())
}
