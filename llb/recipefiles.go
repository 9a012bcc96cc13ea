package llb

import (
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
)

// RecipeDir is where the pack step sees the recipe's own files that
// format options name (an spk icon given relative to the recipe).
const RecipeDir = "/kiln/recipe"

// fileOptions are the format options whose value is a file: a relative
// path names a file beside the recipe, an absolute one a file in the
// pack step (the package root is PkgDir).
var fileOptions = map[string][]string{"spk": {"icon", "icon_256", "wizard"}}

// recipeFileOptions returns format's options with each relative file
// option rewritten to where the pack step sees it, and those files.
func (c *compiler) recipeFileOptions(format string, opts map[string]any) (map[string]any, []string) {
	var files []string
	out := opts
	for _, k := range fileOptions[format] {
		p, ok := opts[k].(string)
		if !ok || p == "" || strings.HasPrefix(p, "/") {
			continue
		}
		if out == nil || len(files) == 0 {
			out = maps.Clone(opts)
		}
		rel := strings.TrimPrefix(path.Join("/", c.o.Context.Prefix, p), "/")
		out[k] = path.Join(RecipeDir, rel)
		files = append(files, rel)
	}
	slices.Sort(files)
	return out, files
}

// recipeFilesMount mounts the recipe's files the options name at RecipeDir.
func (c *compiler) recipeFilesMount(files []string) llb.RunOption {
	st := c.o.Context.local(llb.FollowPaths(files), c.sharedName("format files: local %s", strings.Join(files, ", ")))
	return llb.AddMount(RecipeDir, st, llb.Readonly)
}
