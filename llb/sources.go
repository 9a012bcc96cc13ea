package llb

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
)

// archiveExts are the names unpacked by default, as Toltec does.
var archiveExts = []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip"}

// IsArchive reports whether name looks like an archive kiln can unpack.
func IsArchive(name string) bool {
	for _, e := range archiveExts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// sources assembles $srcdir: each source is fetched (and unpacked) by its
// own vertex, then copied to its destination.
func (c *compiler) sources() (llb.State, error) {
	src := llb.Scratch()
	var cp srcCopies
	for i, s := range c.r.Sources {
		if s.FixedOutput() {
			// It may read files the earlier sources placed (lock files).
			src = cp.apply(c, src)
			out, err := c.fixedOutput(i, s, src)
			if err != nil {
				return llb.State{}, err
			}
			if s.Generator() != "" {
				if src, err = c.placeGenerated(i, s, out, src); err != nil {
					return llb.State{}, err
				}
				continue
			}
			cp.add(i, s, out, "/")
			continue
		}
		if s.Kind() == "script" {
			src = c.scriptSource(i, s, cp.apply(c, src))
			continue
		}
		st, from, err := c.source(i, s)
		if err != nil {
			return llb.State{}, fmt.Errorf("source %d: %w", i, err)
		}
		cp.add(i, s, st, from)
	}
	return c.patches(cp.apply(c, src)), nil
}

// srcCopies gathers consecutive copies of sources into $srcdir, so one
// file op makes them (one op per job, not one per source).
type srcCopies struct {
	fa   *llb.FileAction
	what []string
}

// add copies from in st to source s's destination.
func (cp *srcCopies) add(i int, s schema.Source, st llb.State, from string) {
	dest := path.Join("/", s.Dest) + "/"
	cp.fa = cp.fa.Copy(st, from, dest, &llb.CopyInfo{
		CopyDirContentsOnly: true,
		CreateDestPath:      true,
	})
	cp.what = append(cp.what, fmt.Sprintf("source %d: copy to $srcdir%s", i, strings.TrimSuffix(dest, "/")))
}

// apply makes the copies gathered so far over src.
func (cp *srcCopies) apply(c *compiler, src llb.State) llb.State {
	if cp.fa == nil {
		return src
	}
	src = src.File(cp.fa, c.sharedName("%s", strings.Join(cp.what, ", ")))
	*cp = srcCopies{}
	return src
}

// scriptSource runs a script source in its destination under $srcdir; it
// sees every earlier source, as SPK's script sources do, and has no network.
func (c *compiler) scriptSource(i int, s schema.Source, src llb.State) llb.State {
	dest := path.Join(SrcDir, s.Dest)
	opts := append(c.env(),
		script(fmt.Sprintf("mkdir -p %s && cd %s\n%s", shellQuote(dest), shellQuote(dest), s.Script)),
		llb.Dir(SrcDir),
		llb.Network(llb.NetModeNone),
		c.name("source %d: script", i),
	)
	return c.tc.Run(opts...).AddMount(SrcDir, src)
}

// patches applies the recipe's patch files in order with patch -pN (the
// recipe's patch_level, default 1), after every source is in place.
func (c *compiler) patches(src llb.State) llb.State {
	if len(c.r.Patches) == 0 {
		return src
	}
	lc := c.o.Context
	var follow []string
	body := ""
	level := 1
	if c.r.PatchLevel != nil {
		level = *c.r.PatchLevel
	}
	for _, p := range c.r.Patches {
		rel := strings.TrimPrefix(path.Join("/", lc.Prefix, p), "/")
		follow = append(follow, rel)
		body += fmt.Sprintf("echo %s; patch -p%d --forward --batch -i %s\n", shellQuote("applying "+p), level, shellQuote(path.Join("/kiln/patches", rel)))
	}
	files := lc.local(
		llb.FollowPaths(follow),
		c.sharedName("patches: local %s", strings.Join(c.r.Patches, ", ")))
	opts := append(c.env(),
		script(body),
		llb.Dir(SrcDir),
		llb.AddMount("/kiln/patches", files, llb.Readonly),
		llb.Network(llb.NetModeNone),
		c.name("apply %d patch(es)", len(c.r.Patches)),
	)
	return c.tc.Run(opts...).AddMount(SrcDir, src)
}

// source returns the state holding source s and the path to copy from it.
func (c *compiler) source(i int, s schema.Source) (llb.State, string, error) {
	switch s.Kind() {
	case "url":
		return c.urlSource(i, s)
	case "git":
		opts := []llb.GitOption{c.sharedName("source %d: git %s@%s", i, s.Git, short(s.Commit))}
		if s.Submodules {
			// Each submodule at the commit the pinned tree records.
			opts[0] = c.sharedName("source %d: git %s@%s with submodules", i, s.Git, short(s.Commit))
		} else {
			opts = append(opts, llb.GitSkipSubmodules())
		}
		st := llb.Git(s.Git, s.Commit, opts...)
		return st, "/", nil
	default:
		lc := c.o.Context
		p := path.Join("/", lc.Prefix, s.Path)
		st := lc.local(
			llb.FollowPaths([]string{strings.TrimPrefix(p, "/")}),
			llb.ExcludePatterns(lc.Excludes),
			c.sharedName("source %d: local %s", i, s.Path))
		return st, p, nil
	}
}

func (c *compiler) urlSource(i int, s schema.Source) (llb.State, string, error) {
	fname := s.Filename
	if fname == "" {
		if u, err := url.Parse(s.URL); err == nil && strings.Trim(u.Path, "/") != "" {
			fname = path.Base(u.Path)
		}
	}
	if fname == "" {
		return llb.State{}, "", fmt.Errorf("url %s: cannot tell a file name; set filename", s.URL)
	}
	// Archives are unpacked unless the recipe says extract: false (Toltec's
	// noextract); other files are copied as they are.
	extract := s.ShouldExtract() && IsArchive(fname)
	dl := llb.HTTP(s.URL,
		llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, s.SHA256)),
		llb.Filename(fname),
		c.sharedName("source %d: fetch %s", i, s.URL))
	if !extract {
		return dl, "/" + fname, nil
	}
	// Not tied to a recipe or target: the same archive unpacks once.
	out := toolchains.Unpack(c.o.Toolchain, dl, fname, s.StripArg(), s.MaxUnpacked, fmt.Sprintf("unpack %s (strip %s)", fname, s.StripArg()))
	return out, "/", nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// local reads the context narrowed by opts; every plain local read shares
// the local's name as its cache key hint and its unique ID.
func (lc LocalContext) local(opts ...llb.LocalOption) llb.State {
	if lc.State != nil {
		return lc.State(opts...)
	}
	base := []llb.LocalOption{llb.SharedKeyHint(lc.Name), llb.LocalUniqueID(lc.UniqueID)}
	return llb.Local(lc.Name, append(base, opts...)...)
}
