package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/importer"
	_ "github.com/kiln-build/kiln/importer/all" // registers every importer
	"github.com/spf13/cobra"
)

// exitIncomplete is kiln import's status when something was dropped or
// approximated: the recipes are written, but need a look.
const exitIncomplete = 2

func importCmd() *cobra.Command {
	var (
		out, format string
		asJSON      bool
		o           importer.Options
		tmplOpts    []string
	)
	cmd := &cobra.Command{
		Use:   "import KIND PATH... -o DIR",
		Short: "Turn recipes of another builder (" + strings.Join(importer.Kinds(), ", ") + ") into kiln recipes, reporting what was not carried over",
		Long:  help("import"),
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("-o DIR is required: where the recipes are written")
			}
			o.TemplateOpts = map[string]string{}
			for _, kv := range tmplOpts {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("--opt %q: want NAME=VALUE", kv)
				}
				o.TemplateOpts[k] = v
			}
			imp, err := importer.Lookup(args[0])
			if err != nil {
				return err
			}
			im, err := imp(args[1:], o)
			if err != nil {
				return err
			}
			written, err := importer.Write(out, im, importer.Format(format))
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(importer.NewJSONReport(im, written)); err != nil {
					return err
				}
			} else {
				fmt.Fprint(w, importer.TextReport(im))
			}
			if !importer.Complete(im) {
				return &exitError{exitIncomplete, fmt.Errorf("kiln: some fields were not carried over exactly (see the report)")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "directory the recipes are written to (one directory per recipe)")
	f.StringVar(&format, "format", "cue", "recipe format: cue or yaml")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.StringVar(&o.Maintainer, "maintainer", "", "maintainer for formats without one (Name <email>)")
	f.StringVar(&o.License, "license", "", "license for formats without one (SPDX)")
	f.StringVar(&o.Timestamp, "timestamp", "", "timestamp for formats without one (ISO-8601)")
	f.StringArrayVar(&tmplOpts, "opt", nil, "NAME=VALUE: render templated SPK specs with this option (e.g. version=2.4.0), repeatable")
	return cmd
}
