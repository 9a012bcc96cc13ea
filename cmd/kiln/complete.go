package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/schema"
	"github.com/spf13/cobra"
)

// Shell completion (kiln completion bash|zsh|fish, cobra's) completes
// recipes, the targets the recipes given so far can build, and their
// options, by reading them as a build would.

// completeRecipes offers recipe directories, recipe files and directories
// to look into (with a trailing /).
func completeRecipes(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	dir, prefix := filepath.Split(toComplete)
	entries, err := os.ReadDir(cmpOr(dir, "."))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".") {
			continue
		}
		p := dir + name
		fi, err := os.Stat(p) // through symbolic links
		switch {
		case err != nil:
		case fi.IsDir() && schema.IsRecipeDir(p):
			out = append(out, p)
		case fi.IsDir():
			out = append(out, p+"/")
		case slices.Contains([]string{".cue", ".yaml", ".yml", ".json"}, filepath.Ext(name)):
			out = append(out, p)
		}
	}
	d := cobra.ShellCompDirectiveNoFileComp
	if len(out) == 1 && strings.HasSuffix(out[0], "/") {
		d |= cobra.ShellCompDirectiveNoSpace // go on into it
	}
	return out, d
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// registerBuildCompletion completes the flags of buildFlags from the
// recipes named on the command line so far (the current directory's
// targets without any).
func registerBuildCompletion(cmd *cobra.Command, all bool) {
	cmd.ValidArgsFunction = completeRecipes
	_ = cmd.RegisterFlagCompletionFunc("target", func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		set, err := build.LoadTargets(args)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		names := set.Names()
		if all {
			names = append(names, "all")
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("opt", completeOpts)
	_ = cmd.RegisterFlagCompletionFunc("variant", func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		n := 0
		for _, r := range recipesOf(args) {
			n = max(n, len(r.Variants))
		}
		var out []string
		for i := range n {
			out = append(out, strconv.Itoa(i))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}

// completeOpts offers NAME= for every option of the recipes given, and
// NAME=CHOICE (or the default) once the name is typed.
func completeOpts(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	opts := map[string]schema.Option{}
	for _, r := range recipesOf(args) {
		for name, o := range r.Options {
			opts[name] = o
		}
	}
	name, _, typed := strings.Cut(toComplete, "=")
	if !typed {
		var out []string
		for n, o := range opts {
			out = append(out, n+"=\t"+o.Description)
		}
		slices.Sort(out)
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	o, ok := opts[name]
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	values := o.Choices
	if len(values) == 0 && o.Default != "" {
		values = []string{o.Default}
	}
	var out []string
	for _, v := range values {
		out = append(out, name+"="+v)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// recipesOf loads the recipes at paths, or none when they do not load:
// completion offers nothing rather than an error.
func recipesOf(paths []string) []*schema.Recipe {
	rs, _, err := build.LoadRecipes(paths)
	if err != nil {
		return nil
	}
	return rs
}

// completeWords completes a flag from a fixed list.
func completeWords(cmd *cobra.Command, flag string, words ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
}
