package frontend

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/kiln-build/kiln/gitignore"
	"github.com/kiln-build/kiln/schema"
	bkllb "github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/patternmatcher/ignorefile"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// The session locals and options BuildKit clients (buildx, buildctl) use.
const (
	localContext    = "context"
	localDockerfile = "dockerfile"
	keyFilename     = "filename"
	keyContextKey   = "contextkey"
	keyFileKey      = "dockerfilekey"
	keySessionIDPre = "local-sessionid:"
)

// recipeFile is the recipe the client sent: -f's base name (buildx's
// filename option) in the dockerfile local.
type recipeFile struct {
	name string
	data []byte
}

// sessionFor is the session holding local name: buildx may put locals in
// sessions of their own (local-sessionid:NAME).
func sessionFor(bo gwclient.BuildOpts, name string) string {
	if id := bo.Opts[keySessionIDPre+name]; id != "" {
		return id
	}
	return bo.SessionID
}

func localNames(bo gwclient.BuildOpts) (ctxName, fileName string) {
	ctxName, fileName = localContext, localDockerfile
	if v := bo.Opts[keyContextKey]; v != "" {
		ctxName = v
	}
	if v := bo.Opts[keyFileKey]; v != "" {
		fileName = v
	}
	return ctxName, fileName
}

// solveLocal transfers the files of a session local that match include
// (and not exclude) and returns the reference holding them.
func solveLocal(ctx context.Context, c gwclient.Client, name, label string, include, exclude []string) (gwclient.Reference, error) {
	bo := c.BuildOpts()
	st := bkllb.Local(name,
		bkllb.SessionID(sessionFor(bo, name)),
		bkllb.IncludePatterns(include),
		bkllb.ExcludePatterns(exclude),
		bkllb.SharedKeyHint(name+"-kiln-"+label),
		bkllb.Differ(bkllb.DiffNone, false),
		bkllb.WithCustomName("[internal] load "+label))
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("loading %s from local %q: %w", label, name, err)
	}
	return res.SingleRef()
}

// readRecipe reads the recipe file: the filename option, or else the one
// of schema.RecipeFiles the dockerfile local holds.
func readRecipe(ctx context.Context, c gwclient.Client) (*recipeFile, error) {
	bo := c.BuildOpts()
	_, local := localNames(bo)
	names := schema.RecipeFiles
	if f := bo.Opts[keyFilename]; f != "" {
		names = []string{path.Clean(f)}
	}
	ref, err := solveLocal(ctx, c, local, "recipe", names, nil)
	if err != nil {
		return nil, err
	}
	var found []*recipeFile
	for _, n := range names {
		dt, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: n})
		if err != nil {
			continue // absent: the error says only "not found" through the gateway
		}
		if len(dt) > schema.MaxSize {
			return nil, fmt.Errorf("%s: recipe larger than %d bytes", n, schema.MaxSize)
		}
		found = append(found, &recipeFile{name: n, data: dt})
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return nil, fmt.Errorf("several recipes found (%s, %s): pick one with -f", found[0].name, found[1].name)
	case len(names) == 1:
		return nil, fmt.Errorf("recipe %s not found in the build's dockerfile directory", names[0])
	default:
		return nil, fmt.Errorf("no recipe found: pass -f RECIPE (want one of %s)", strings.Join(names, ", "))
	}
}

// contextInfo is what kiln needs to know about the build context before
// compiling: where the recipe sits in it and which files to leave out.
type contextInfo struct {
	// prefix is the recipe's directory inside the context ("" = its root).
	prefix   string
	excludes []string
}

// scanContext finds the recipe inside the context and reads the ignore
// files, transferring only those few small files. Local sources of a
// recipe are relative to its own directory, as with the CLI, so that
// `docker buildx build -f examples/hello/kiln.cue .` finds examples/hello/src:
// the recipe's directory is where the context holds a file of the same
// name and content. A recipe the context does not hold (sent from
// elsewhere) takes the context's root as its directory.
func scanContext(ctx context.Context, c gwclient.Client, rf *recipeFile) (*contextInfo, error) {
	local, _ := localNames(c.BuildOpts())
	base := path.Base(rf.name)
	skip := []string{".git", "**/.git"}
	ref, err := solveLocal(ctx, c, local, "context metadata",
		[]string{".dockerignore", "**/.gitignore", base, "**/" + base}, skip)
	if err != nil {
		return nil, err
	}
	info := &contextInfo{excludes: skip}
	if dt, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: ".dockerignore"}); err == nil {
		pats, err := ignorefile.ReadAll(bytes.NewReader(dt))
		if err != nil {
			return nil, fmt.Errorf(".dockerignore: %w", err)
		}
		info.excludes = append(info.excludes, pats...)
	}
	var matches []string
	err = walk(ctx, ref, "", func(p string, st *fstypes.Stat) error {
		switch {
		case fs.FileMode(st.Mode).IsDir():
			return nil
		case path.Base(p) == ".gitignore":
			dt, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: p})
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			dir := path.Dir(p)
			info.excludes = append(info.excludes, gitignore.Parse(dt, dir)...)
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
