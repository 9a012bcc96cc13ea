package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/scaffold"
	"github.com/kiln-build/kiln/schema"
	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// schemaFile is where kiln new puts the JSON Schema YAML recipes name: in
// the repository (the new recipe's parent), hidden, so that neither
// kiln build repo nor repo/* takes it for a recipe.
const schemaFile = ".kiln/recipe.schema.json"

func newCmd() *cobra.Command {
	o := scaffold.Options{}
	var schemaRef string
	cmd := &cobra.Command{
		Use:   "new DIR",
		Short: "Make a recipe directory that validates and builds as it is",
		Long:  help("new"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := filepath.Clean(args[0])
			o.Name = filepath.Base(dir)
			if o.Maintainer == "" {
				o.Maintainer = defaultMaintainer()
			}
			t, err := recipeTime()
			if err != nil {
				return err
			}
			o.Time = t
			o.SchemaRef = schemaRef
			if o.SchemaRef == "" {
				o.SchemaRef = "../" + schemaFile
			}
			if err := scaffold.Write(dir, o); err != nil {
				return err
			}
			if o.Format == "yaml" && schemaRef == "" {
				b, err := schema.JSONSchema()
				if err != nil {
					return err
				}
				path := filepath.Join(filepath.Dir(dir), filepath.FromSlash(schemaFile))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return err
				}
				if err := atomicfile.Write(path, append(b, '\n'), 0o644); err != nil {
					return err
				}
			}
			logrus.Infof("created %s: kiln validate %s; kiln build %s", filepath.Join(dir, scaffold.RecipeFile(o.Format)), dir, dir)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Lang, "lang", "c", "the program's language: "+strings.Join(scaffold.Langs, ", "))
	f.StringVar(&o.Format, "format", "yaml", "the recipe's format: "+strings.Join(scaffold.Formats, ", "))
	f.StringVar(&o.Maintainer, "maintainer", os.Getenv("KILN_MAINTAINER"), `"Name <email>" (default $KILN_MAINTAINER, else git's user.name and user.email)`)
	f.StringVar(&o.License, "license", "MIT", "SPDX license expression")
	completeWords(cmd, "lang", scaffold.Langs...)
	completeWords(cmd, "format", scaffold.Formats...)
	f.StringVar(&schemaRef, "schema", "", "the JSON Schema a YAML recipe names (a URL, or a path relative to the recipe; default ../"+schemaFile+", written)")
	return cmd
}

// defaultMaintainer is git's identity, as cargo new takes it, or a
// placeholder that validates.
func defaultMaintainer() string {
	get := func(key string) string {
		out, err := exec.Command("git", "config", "--get", key).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	if name, email := get("user.name"), get("user.email"); name != "" && email != "" {
		return name + " <" + email + ">"
	}
	return "Your Name <you@example.org>"
}

// recipeTime is the new recipe's timestamp: SOURCE_DATE_EPOCH when set
// (reproducible scaffolding), else today.
func recipeTime() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
	}
	return time.Unix(n, 0), nil
}
