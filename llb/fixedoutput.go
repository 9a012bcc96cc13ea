package llb

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/solve"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client/llb"
)

// Paths of fixed-output sources' steps.
const (
	// FetchOut is where a fetch step writes its output ($out).
	FetchOut = "/kiln/out"
	// LockDir holds the lock files a generator reads.
	LockDir = "/kiln/lock"
	// DepsDir holds generators' outputs in build steps (gomod, pip).
	DepsDir = "/kiln/deps"
	// GoRoot is where the Go of the golang image is in build steps.
	GoRoot = "/usr/local/go"
	// CASecret is the optional BuildKit secret holding the CA certificates
	// fetch steps trust (the client's, e.g. behind a TLS-inspecting proxy).
	// A secret is not part of any cache key: which CAs let the fetch
	// through changes nothing it fetches.
	CASecret = "kiln-ca-certificates"
	// CAFile is where fetch steps find it, the path Debian's bundle has.
	CAFile = "/etc/ssl/certs/ca-certificates.crt"
	// CargoHome is CARGO_HOME in build steps: the vendored crates' config.
	CargoHome = "/kiln/cargo-home"
	// GoBuildCache is Go's build cache in build steps, a cache mount.
	GoBuildCache = "/kiln/cache/go-build"
)

// A fixed-output source runs in two steps. The fetch step may reach the
// network and writes into $out; its definition holds what it fetches (the
// script, or the generator's lock files, which are copied out of $srcdir
// by content, so editing the program does not re-fetch) and how (image,
// proxy), never the declared digest: pinning the digest after a first
// build re-uses the fetched tree instead of fetching again. The check
// step (kiln's binary, no network) hashes the tree and fails on a missing
// or different digest, so nothing downstream runs. Downstream steps get
// the checked tree through a copy, which BuildKit keys by the tree's
// content: whatever fetched it, the same tree re-runs nothing after it.

// fetchPlan is what a fetch step runs and sees.
type fetchPlan struct {
	root   llb.State
	body   string
	env    map[string]string
	mounts []llb.RunOption
	// lock holds a generator's lock files, which the SBOM step reads.
	lock *llb.State
}

// fixedOutput returns the checked output tree of source i, which sees
// the sources before it in src.
func (c *compiler) fixedOutput(i int, s schema.Source, src llb.State) (llb.State, error) {
	what := fmt.Sprintf("source %d (%s)", i, describe(s))
	var p fetchPlan
	switch s.Generator() {
	case "":
		p = fetchPlan{root: c.fetchImage(s, "ca-certificates", "curl", "git"), body: s.Script,
			mounts: []llb.RunOption{llb.AddMount(SrcDir, src, llb.Readonly)}}
	case "gomod":
		p = c.gomodFetch(s, src)
	case "npm":
		p = c.npmFetch(s, src)
	case "pip":
		p = c.pipFetch(s, src)
	case "cargo":
		p = c.cargoFetch(s, src)
	default:
		return llb.State{}, &FieldError{Recipe: c.r, Field: c.sourceField(i) + "." + s.Generator(),
			Err: fmt.Errorf("%s: kiln has no %s generator", what, s.Generator())}
	}
	if p.lock != nil {
		c.locks[i] = *p.lock
	}
	opts := []llb.RunOption{
		script(p.body),
		llb.Dir(FetchOut),
		llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
		llb.AddEnv("HOME", "/root"),
		llb.AddEnv("TZ", "UTC"),
		llb.AddEnv("LC_ALL", "C.UTF-8"),
		llb.AddEnv("SOURCE_DATE_EPOCH", fmt.Sprint(c.r.Epoch)),
		llb.AddEnv("srcdir", SrcDir),
		llb.AddEnv("out", FetchOut),
		c.sharedName("source %d"+solve.FetchMarker+"(%s)", i, describe(s)),
	}
	for _, k := range slices.Sorted(maps.Keys(p.env)) {
		opts = append(opts, llb.AddEnv(k, p.env[k]))
	}
	opts = append(opts, llb.AddSecret(CAFile, llb.SecretID(CASecret), llb.SecretOptional, llb.SecretFileOpt(0, 0, 0o444)))
	fetched := p.root.Run(append(opts, p.mounts...)...).AddMount(FetchOut, llb.Scratch())
	tree := fetched
	if s.Digest == "" {
		c.digestReport(i, fetched)
	}
	// kiln lock (Locking) asks only for open digests: a later source sees
	// this one's tree unchecked, else the missing digest would fail its
	// fetch step and one pass would not find them all.
	if s.Digest != "" || !c.o.Toolchain.Fetch.Locking {
		tree = llb.Scratch().Run(
			llb.Args([]string{"/kiln/bin" + c.o.Packer.Path, "fixed-output", "--root", FetchOut,
				"--digest=" + s.Digest, "--what", what}),
			llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
			llb.Network(llb.NetModeNone),
			c.sharedName("source %d: check digest %s", i, orNone(s.Digest)),
		).AddMount(FetchOut, fetched)
	}
	// The copy is keyed by the tree's content (see above): checked or not,
	// the same tree gives the same steps after it.
	return llb.Scratch().File(llb.Copy(tree, "/", "/", &llb.CopyInfo{CopyDirContentsOnly: true}),
		c.sharedName("source %d: fixed output %s", i, orNone(s.Digest))), nil
}

// DigestReport is the digest of a fixed-output source without one, for
// kiln lock: State holds the digest in the file /digest. Field is the
// source's path in the recipe ("sources.1", "per_target.rm2.sources.0").
// Nothing runs it unless asked.
type DigestReport struct {
	Field string
	State llb.State
}

// digestReport records what source i's fetch step produces.
func (c *compiler) digestReport(i int, fetched llb.State) {
	field := c.sourceField(i)
	run := llb.Scratch().Run(
		llb.Args([]string{"/kiln/bin" + c.o.Packer.Path, "tree-digest", "--root", FetchOut, "--out", "/kiln/report/digest"}),
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		llb.AddMount(FetchOut, fetched, llb.Readonly),
		llb.Network(llb.NetModeNone),
		c.sharedName("source %d: digest of the fetched tree", i),
	)
	c.reports = append(c.reports, DigestReport{Field: field, State: run.AddMount("/kiln/report", llb.Scratch())})
}

// sourceField is source i's path in the recipe.
func (c *compiler) sourceField(i int) string {
	if c.perTargetSources {
		return fmt.Sprintf("per_target.%s.sources.%d", c.o.Target.Name, i)
	}
	return fmt.Sprintf("sources.%d", i)
}

// fetchImage is the image a fetch step runs in: the source's own, or the
// base image with packages.
func (c *compiler) fetchImage(s schema.Source, packages ...string) llb.State {
	if s.Image != "" {
		return c.o.Toolchain.Image(s.Image)
	}
	return toolchains.Fetcher(c.o.Toolchain, packages)
}

// lockFiles copies a generator's lock files (names relative to its
// directory in $srcdir; a trailing "?" makes one optional) out of src, so
// the fetch step depends on their content alone.
func lockFiles(src llb.State, dir string, names []string, name llb.ConstraintsOpt) llb.State {
	var fa *llb.FileAction
	for _, n := range names {
		opt := strings.HasSuffix(n, "?")
		n = strings.TrimSuffix(n, "?")
		from := path.Join("/", dir, n)
		ci := &llb.CopyInfo{}
		if opt {
			// A wildcard that matches nothing copies nothing.
			from = path.Join("/", dir, n[:len(n)-1]+"["+n[len(n)-1:]+"]")
			ci.AllowWildcard, ci.AllowEmptyWildcard = true, true
		}
		if fa == nil {
			fa = llb.Copy(src, from, "/"+n, ci)
		} else {
			fa = fa.Copy(src, from, "/"+n, ci)
		}
	}
	return llb.Scratch().File(fa, name)
}

// describe names a fixed-output source in progress and errors.
func describe(s schema.Source) string {
	if g := s.Generator(); g != "" {
		return g + " " + s.GeneratorPath()
	}
	return "script"
}

func orNone(d string) string {
	if d == "" {
		return "(none pinned)"
	}
	return d
}
