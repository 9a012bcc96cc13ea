package frontend

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/gitignore"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// keyFilename is the recipe's name (buildx -f; buildctl --opt filename=).
const keyFilename = "filename"

// recipeFile is the recipe the client sent, read through dockerui: the
// dockerfile local, a frontend input or a remote context.
type recipeFile struct {
	name    string
	data    []byte
	recipes []*schema.Recipe
	// targets are kiln's own and the repository's: a repository file's
	// targets: and the context's targets/ directories (loadTargets).
	targets *toolchains.Set
}

// readRecipe reads the recipe: the filename option, or else the one of
// schema.RecipeFiles the client sent. It returns the dockerui client that
// found it, which the rest of the build asks for contexts and options.
func readRecipe(ctx context.Context, c gwclient.Client) (*recipeFile, *dockerui.Client, error) {
	names := schema.RecipeFiles
	if f := c.BuildOpts().Opts[keyFilename]; f != "" {
		names = []string{path.Clean(f)}
	}
	var found []*recipeFile
	var bc *dockerui.Client
	for _, n := range names {
		nbc, err := dockerui.NewClient(withFilename(c, n))
		if err != nil {
			return nil, nil, err
		}
		src, err := nbc.ReadEntrypoint(ctx, "kiln")
		if err != nil {
			continue // absent: the error says only "not found" through the gateway
		}
		if len(src.Data) > schema.MaxSize {
			return nil, nil, fmt.Errorf("%s: recipe larger than %d bytes", n, schema.MaxSize)
		}
		found = append(found, &recipeFile{name: n, data: src.Data})
		bc = nbc
	}
	switch {
	case len(found) > 1:
		return nil, nil, fmt.Errorf("several recipes found (%s, %s): pick one with -f", found[0].name, found[1].name)
	case len(found) == 0 && len(names) == 1:
		return nil, nil, fmt.Errorf("recipe %s not found in the build's dockerfile directory", names[0])
	case len(found) == 0:
		return nil, nil, fmt.Errorf("no recipe found: pass -f RECIPE (want one of %s)", strings.Join(names, ", "))
	}
	rf := found[0]
	rs, err := schema.ParseRepo(rf.name, rf.data)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rs {
		r.File = rf.name
	}
	rf.recipes = rs
	return rf, bc, nil
}

// loadTargets loads the targets the recipe may use: kiln's own, those of a
// repository file, and those of the context's targets/ directories beside
// the recipe (see contextInfo.targets), and checks the recipes' targets.
func (rf *recipeFile) loadTargets(files []toolchains.Source) error {
	srcs := append([]toolchains.Source{{File: rf.name, Data: rf.data, Recipes: true}}, files...)
	set, err := toolchains.Load(srcs...)
	if err != nil {
		return err
	}
	read := func(string) ([]byte, error) { return rf.data, nil }
	if err := schema.CheckTargets(rf.recipes, set.Names(), read); err != nil {
		return err
	}
	rf.targets = set
	return nil
}

// withFilename is c with the filename option set, for dockerui.
func withFilename(c gwclient.Client, name string) gwclient.Client {
	return &optsClient{Client: c, name: name}
}

type optsClient struct {
	gwclient.Client
	name string
}

func (c *optsClient) BuildOpts() gwclient.BuildOpts {
	bo := c.Client.BuildOpts()
	opts := make(map[string]string, len(bo.Opts)+1)
	for k, v := range bo.Opts {
		opts[k] = v
	}
	opts[keyFilename] = c.name
	bo.Opts = opts
	return bo
}

// buildContext is the context the recipe's local sources come from:
// dockerui's main context (the context local with .dockerignore applied,
// a git or http context, or a frontend input), each read narrowed to what
// the source names. Local sources are relative to the recipe's own
// directory, as with the CLI: `docker buildx build -f examples/hello/kiln.cue .`
// finds examples/hello/src. The error a later read meets is returned
// through the pointer (dockerui caches the context, so there is none once
// the scan succeeded).
func buildContext(ctx context.Context, c gwclient.Client, bc *dockerui.Client, rf *recipeFile) (llb.LocalContext, *contextInfo, *error, error) {
	info, err := scanContext(ctx, c, bc, rf)
	if err != nil {
		return llb.LocalContext{}, nil, nil, err
	}
	var lateErr error
	lc := llb.LocalContext{Name: dockerui.DefaultLocalNameContext, Prefix: info.prefix, Excludes: info.excludes,
		State: func(opts ...bkllb.LocalOption) bkllb.State {
			st, err := bc.MainContext(ctx, opts...)
			if err != nil {
				lateErr = err
				return bkllb.Scratch()
			}
			return *st
		}}
	return lc, info, &lateErr, nil
}

// contextInfo is what kiln needs to know about the build context before
// compiling: where the recipe sits in it and which files to leave out.
type contextInfo struct {
	// prefix is the recipe's directory inside the context ("" = its root).
	prefix   string
	excludes []string
	// targetFiles are the files of every targets/ directory of the
	// context, by path; targets picks the recipe's.
	targetFiles map[string][]byte
}

// isTargetFile reports whether p is a file of a targets/ directory.
func isTargetFile(p string) bool {
	return path.Base(path.Dir(p)) == toolchains.TargetsDir && toolchains.IsTargetsFile(p)
}

// targets are the files of the targets/ directories beside the recipe, as
// the CLI reads them (build.LoadTargets): the one in the recipe's
// directory and the one in its parent, in path order.
func (i *contextInfo) targets() []toolchains.Source {
	dirs := []string{path.Join(i.prefix, toolchains.TargetsDir)}
	if i.prefix != "" {
		dirs = append(dirs, path.Join(path.Dir(i.prefix), toolchains.TargetsDir))
	}
	var out []toolchains.Source
	for _, p := range slices.Sorted(maps.Keys(i.targetFiles)) {
		if slices.Contains(dirs, path.Dir(p)) {
			out = append(out, toolchains.Source{File: p, Data: i.targetFiles[p]})
		}
	}
	return out
}

// scanContext finds the recipe inside the context and reads the ignore
// files, transferring only those few small files. The recipe's directory
// is where the context holds a file of the same name and content; a recipe
// the context does not hold (sent from elsewhere) takes the context's root.
func scanContext(ctx context.Context, c gwclient.Client, bc *dockerui.Client, rf *recipeFile) (*contextInfo, error) {
	dockerignore, err := bc.DockerIgnorePatterns(ctx)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	skip := []string{".git", "**/.git"}
	info := &contextInfo{excludes: append(skip, dockerignore...), targetFiles: map[string][]byte{}}
	base := path.Base(rf.name)
	include := []string{"**/.gitignore", base, "**/" + base}
	for _, ext := range []string{".cue", ".yaml", ".yml", ".json"} { // toolchains.IsTargetsFile
		include = append(include, toolchains.TargetsDir+"/*"+ext, "**/"+toolchains.TargetsDir+"/*"+ext)
	}
	st, err := bc.MainContext(ctx,
		bkllb.IncludePatterns(include),
		bkllb.ExcludePatterns(info.excludes),
		bkllb.SharedKeyHint(dockerui.DefaultLocalNameContext+"-kiln-metadata"),
		bkllb.Differ(bkllb.DiffNone, false),
		bkllb.WithCustomName("[internal] load context metadata"))
	if err != nil {
		return nil, err
	}
	ref, err := solveState(ctx, c, *st)
	if err != nil {
		return nil, fmt.Errorf("loading the build context's metadata: %w", err)
	}
	var matches []string
	ignores := map[string][]byte{}
	err = walk(ctx, ref, "", func(p string, st *fstypes.Stat) error {
		switch {
		case fs.FileMode(st.Mode).IsDir():
			return nil
		case path.Base(p) == ".gitignore":
			dt, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: p})
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			ignores[p] = dt
		case isTargetFile(p) && st.Size <= schema.MaxSize:
			dt, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: p})
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			info.targetFiles[p] = dt
		case path.Base(p) == base && st.Size == int64(len(rf.data)):
			dt, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: p})
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			if bytes.Equal(dt, rf.data) {
				matches = append(matches, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Parents before children, whatever order the walk found them in.
	info.excludes = append(info.excludes, gitignore.FromFiles(ignores)...)
	switch len(matches) {
	case 0:
	case 1:
		if d := path.Dir(matches[0]); d != "." {
			info.prefix = d
		}
	default:
		return nil, fmt.Errorf("the context holds the recipe %s several times (%s): its local sources are ambiguous; use the recipe's directory as the context", rf.name, strings.Join(matches, ", "))
	}
	return info, nil
}

func solveState(ctx context.Context, c gwclient.Client, st bkllb.State) (gwclient.Reference, error) {
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, err
	}
	return res.SingleRef()
}

// walk visits every entry below dir of ref, parents before children, in
// name order (ReadDir sorts).
func walk(ctx context.Context, ref gwclient.Reference, dir string, fn func(p string, st *fstypes.Stat) error) error {
	entries, err := ref.ReadDir(ctx, gwclient.ReadDirRequest{Path: "/" + dir})
	if err != nil {
		return fmt.Errorf("listing %q: %w", dir, err)
	}
	for _, e := range entries {
		p := path.Join(dir, e.Path)
		if err := fn(p, e); err != nil {
			return err
		}
		if fs.FileMode(e.Mode).IsDir() {
			if err := walk(ctx, ref, p, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
