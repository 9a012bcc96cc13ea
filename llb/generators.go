package llb

import (
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/kiln-build/kiln/schema"
	"github.com/moby/buildkit/client/llb"
)

// Generators read a lock file from $srcdir and fetch what it lists as a
// fixed-output source; build steps then use the result offline, with the
// tool's own offline settings in their environment (depEnv).

// gomodFetch downloads the modules go.mod and go.sum list into a module
// cache, through the proxy the settings (or the source) name. GOSUMDB is
// off: go.sum pins every module, and the checksum database's answers
// would change the tree from one day to the next.
func (c *compiler) gomodFetch(s schema.Source, src llb.State) fetchPlan {
	root := c.o.Toolchain.Image(c.golangImage(s))
	lock := lockFiles(src, s.GoMod, []string{"go.mod", "go.sum?"}, c.sharedName("gomod %s: go.mod and go.sum", s.GoMod))
	env := map[string]string{
		"GOMODCACHE": FetchOut, "GOFLAGS": "-mod=mod", "GOSUMDB": "off", "GOTOOLCHAIN": "local",
		"GOCACHE": "/tmp/go-build", "PATH": GoRoot + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	}
	if p := firstNonEmpty(s.Registry, c.o.Toolchain.Fetch.GoProxy); p != "" {
		env["GOPROXY"] = p
	}
	return fetchPlan{root: root, env: env,
		body:   "cd " + LockDir + " && go mod download",
		mounts: []llb.RunOption{llb.AddMount(LockDir, lock)}}
}

func (c *compiler) golangImage(s schema.Source) string {
	if s.Image != "" {
		return s.Image
	}
	return c.o.Toolchain.GolangImage()
}

// npmFetch installs package-lock.json's packages without running their
// scripts; the tree becomes the project's node_modules. Build steps run
// offline, so install scripts (npm rebuild) run there.
func (c *compiler) npmFetch(s schema.Source, src llb.State) fetchPlan {
	lock := lockFiles(src, s.NPM, []string{"package.json", "package-lock.json"}, c.sharedName("npm %s: package.json and package-lock.json", s.NPM))
	env := map[string]string{"npm_config_update_notifier": "false", "npm_config_fund": "false", "npm_config_audit": "false",
		"NODE_EXTRA_CA_CERTS": CAFile}
	if r := firstNonEmpty(s.Registry, c.o.Toolchain.Fetch.NPMRegistry); r != "" {
		env["npm_config_registry"] = r
	}
	return fetchPlan{root: c.fetchImage(s, "ca-certificates", "npm"), env: env,
		body: "cp -r " + LockDir + " /tmp/project && cd /tmp/project && npm ci --ignore-scripts --cache /tmp/npm-cache " +
			"&& if [ -d node_modules ]; then cp -a node_modules/. \"$out\"/; fi",
		mounts: []llb.RunOption{llb.AddMount(LockDir, lock, llb.Readonly)}}
}

// pipFetch downloads the requirements file's distributions (every one
// pinned by --hash, as pip's hash-checking mode requires) into a directory
// build steps install from with --no-index. Dependencies are not
// resolved again: hash-checking mode needs them all listed.
func (c *compiler) pipFetch(s schema.Source, src llb.State) fetchPlan {
	name := path.Base(s.Pip)
	lock := lockFiles(src, path.Dir(s.Pip), []string{name}, c.sharedName("pip %s: requirements", s.Pip))
	env := map[string]string{"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"}
	if r := firstNonEmpty(s.Registry, c.o.Toolchain.Fetch.PipIndex); r != "" {
		env["PIP_INDEX_URL"] = r
	}
	return fetchPlan{root: c.fetchImage(s, "ca-certificates", "python3-pip"), env: env,
		body:   "pip download --no-deps --require-hashes -r " + path.Join(LockDir, name) + ` -d "$out"`,
		mounts: []llb.RunOption{llb.AddMount(LockDir, lock, llb.Readonly)}}
}

// placeGenerated puts a generator's checked output where build steps
// find it: npm's as node_modules of its project in $srcdir; gomod's as
// the module cache, pip's distributions, under DepsDir (depMounts).
func (c *compiler) placeGenerated(i int, s schema.Source, out, src llb.State) (llb.State, error) {
	switch s.Generator() {
	case "npm":
		dest := path.Join("/", s.NPM, "node_modules") + "/"
		return src.File(llb.Copy(out, "/", dest, &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}),
			c.sharedName("source %d: copy to $srcdir%s", i, path.Clean(dest))), nil
	case "gomod", "pip":
		kind := s.Generator()
		if _, dup := c.deps[kind]; dup {
			return src, &FieldError{Recipe: c.r, Field: c.sourceField(i) + "." + kind,
				Err: fmt.Errorf("a recipe has one %s source (build steps find all it fetched in one place)", kind)}
		}
		c.deps[kind] = dep{state: out, source: s}
		return src, nil
	}
	return src, fmt.Errorf("source %d: no place for %s output", i, s.Generator())
}

// dep is a generator's output that build steps mount.
type dep struct {
	state  llb.State
	source schema.Source
}

// depMounts mounts generators' outputs (and Go) into a build step.
func (c *compiler) depMounts() []llb.RunOption {
	var out []llb.RunOption
	for _, kind := range slices.Sorted(maps.Keys(c.deps)) {
		d := c.deps[kind]
		out = append(out, llb.AddMount(path.Join(DepsDir, kind), d.state, llb.Readonly))
		if kind == "gomod" {
			out = append(out, llb.AddMount(GoRoot, c.o.Toolchain.Image(c.golangImage(d.source)),
				llb.SourcePath(GoRoot), llb.Readonly),
				// Go's build cache is keyed by content: sharing it between
				// builds changes no output, only how long they take.
				llb.AddMount(GoBuildCache, llb.Scratch(), llb.AsPersistentCacheDir("kiln-go-build", llb.CacheMountShared)))
		}
	}
	return out
}

// depEnv is the offline settings of the recipe's generators, for every
// script's environment.
func (c *compiler) depEnv(vars map[string]string) {
	for _, s := range c.r.Sources {
		switch s.Generator() {
		case "gomod":
			vars["GOMODCACHE"] = path.Join(DepsDir, "gomod")
			vars["GOFLAGS"] = "-mod=mod"
			vars["GOPROXY"] = "off"
			vars["GOSUMDB"] = "off"
			vars["GOTOOLCHAIN"] = "local"
			vars["GOCACHE"] = GoBuildCache
			vars["PATH"] = GoRoot + "/bin:" + vars["PATH"]
			for k, v := range goTarget(c.o.Target.DebianArch) {
				vars[k] = v
			}
		case "npm":
			vars["npm_config_offline"] = "true"
			vars["npm_config_update_notifier"] = "false"
		case "pip":
			vars["PIP_NO_INDEX"] = "1"
			vars["PIP_FIND_LINKS"] = path.Join(DepsDir, "pip")
			vars["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
		}
	}
}

// goTarget is GOOS, GOARCH (and GOARM) for a Debian architecture.
func goTarget(debianArch string) map[string]string {
	arch := map[string]string{
		"amd64": "amd64", "arm64": "arm64", "armhf": "arm", "armel": "arm", "i386": "386",
		"riscv64": "riscv64", "ppc64el": "ppc64le", "s390x": "s390x", "mipsel": "mipsle", "mips64el": "mips64le",
	}[debianArch]
	if arch == "" {
		return nil
	}
	out := map[string]string{"GOOS": "linux", "GOARCH": arch}
	switch debianArch {
	case "armhf":
		out["GOARM"] = "7"
	case "armel":
		out["GOARM"] = "5"
	}
	return out
}
