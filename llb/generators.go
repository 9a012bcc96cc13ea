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
	return fetchPlan{root: root, env: env, lock: &lock,
		body:   "cd " + LockDir + " && go mod download",
		mounts: []llb.RunOption{llb.AddMount(LockDir, lock)}}
}

// toolImages are the images build steps mount tools from: the Go of a
// gomod source.
func (c *compiler) toolImages() []string {
	if d, ok := c.deps["gomod"]; ok {
		return []string{c.golangImage(d.source)}
	}
	return nil
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
	return fetchPlan{root: c.fetchImage(s, "ca-certificates", "npm"), env: env, lock: &lock,
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
	return fetchPlan{root: c.fetchImage(s, "ca-certificates", "python3-pip"), env: env, lock: &lock,
		body:   "pip download --no-deps --require-hashes -r " + path.Join(LockDir, name) + ` -d "$out"`,
		mounts: []llb.RunOption{llb.AddMount(LockDir, lock, llb.Readonly)}}
}

// cargoFetch vendors the registry crates Cargo.lock lists, in the layout
// of cargo vendor: one NAME-VERSION directory per crate with a
// .cargo-checksum.json holding the lock's checksum, which cargo checks.
// registry "debian" takes them from Debian's librust-NAME-dev packages
// (their crate sources, through the Debian mirror); otherwise it is the
// crates' download URL with {crate} and {version} in it.
func (c *compiler) cargoFetch(s schema.Source, src llb.State) fetchPlan {
	lock := lockFiles(src, s.Cargo, []string{"Cargo.toml", "Cargo.lock"}, c.sharedName("cargo %s: Cargo.toml and Cargo.lock", s.Cargo))
	registry := firstNonEmpty(s.Registry, DefaultCrateDownload)
	return fetchPlan{root: c.fetchImage(s, "ca-certificates", "curl"), env: map[string]string{"KILN_CRATES": registry}, lock: &lock,
		body: cargoVendorScript, mounts: []llb.RunOption{llb.AddMount(LockDir, lock, llb.Readonly)}}
}

// DefaultCrateDownload is where crates are downloaded from unless the
// source names a registry.
const DefaultCrateDownload = "https://static.crates.io/crates/{crate}/{crate}-{version}.crate"

// cargoVendorScript reads "name version checksum" of each registry
// package of Cargo.lock and fills $out.
const cargoVendorScript = `crates=$(awk -F' = ' '
  /^\[\[package\]\]/ { n = ""; v = ""; r = 0 }
  $1 == "name" { n = $2 } $1 == "version" { v = $2 }
  $1 == "source" && $2 ~ /^"registry\+/ { r = 1 }
  $1 == "checksum" && r { gsub(/"/, "", n); gsub(/"/, "", v); gsub(/"/, "", $2); print n, v, $2 }
' ` + LockDir + `/Cargo.lock)
if [ "$KILN_CRATES" = debian ]; then
  pkgs=$(echo "$crates" | awk 'NF { n = tolower($1); gsub(/_/, "-", n); print "librust-" n "-dev" }' | sort -u)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi
echo "$crates" | while read -r name version sum; do
  [ -n "$name" ] || continue
  dir="$out/$name-$version"
  if [ "$KILN_CRATES" = debian ]; then
    [ -d "/usr/share/cargo/registry/$name-$version" ] || { echo "kiln: Debian has no crate $name $version (Cargo.lock's)"; exit 1; }
    cp -r "/usr/share/cargo/registry/$name-$version" "$dir"
  else
    url=$(printf '%s' "$KILN_CRATES" | sed "s/{crate}/$name/g; s/{version}/$version/g")
    mkdir "$dir"
    curl -fsSL "$url" | tar -xz -C "$dir" --strip-components=1
  fi
  printf '{"package":"%s","files":{}}' "$sum" >"$dir/.cargo-checksum.json"
  chmod -R u+rwX,go+rX,go-w "$dir"
done
`

// cargoConfig points cargo at the vendored crates, offline.
const cargoConfig = `[source.crates-io]
replace-with = "kiln-vendored"

[source.kiln-vendored]
directory = "` + DepsDir + `/cargo"

[net]
offline = true
`

// placeGenerated puts a generator's checked output where build steps
// find it: npm's as node_modules of its project in $srcdir; gomod's as
// the module cache, pip's distributions, cargo's crates under DepsDir
// (depMounts). Several sources of one kind (two Go modules of a
// repository) keep their own fetch steps and digests; their trees are
// merged where the tool looks (depMounts).
func (c *compiler) placeGenerated(i int, s schema.Source, out, src llb.State) (llb.State, error) {
	switch s.Generator() {
	case "npm":
		dest := path.Join("/", s.NPM, "node_modules") + "/"
		return src.File(llb.Copy(out, "/", dest, &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}),
			c.sharedName("source %d: copy to $srcdir%s", i, path.Clean(dest))), nil
	case "gomod", "pip", "cargo":
		kind := s.Generator()
		d, seen := c.deps[kind]
		if !seen {
			d = dep{source: s, index: i}
		}
		if kind == "gomod" && c.golangImage(s) != c.golangImage(d.source) {
			field := c.sourceField(i) + ".gomod"
			if s.Image != "" {
				field = c.sourceField(i) + ".image"
			}
			return src, &FieldError{Recipe: c.r, Field: field,
				Err: fmt.Errorf("build steps have one Go: gomod source %d runs %s, source %d %s", i, c.golangImage(s), d.index, c.golangImage(d.source))}
		}
		d.states = append(d.states, out)
		c.deps[kind] = d
		return src, nil
	}
	return src, fmt.Errorf("source %d: no place for %s output", i, s.Generator())
}

// dep is the output of a generator kind's sources that build steps mount.
type dep struct {
	states []llb.State
	// source is the first source of the kind (index i): its image is
	// the Go of build steps.
	source schema.Source
	index  int
}

// tree is the one directory build steps see: the sources' trees merged.
// Their layouts are keyed by name and version (module@version, crate
// NAME-VERSION, a wheel's file name), so trees overlap only where they
// hold the same thing, pinned by the same sum; the later source's copy
// is the one seen.
func (d dep) tree(c *compiler, kind string) llb.State {
	if len(d.states) == 1 {
		return d.states[0]
	}
	return llb.Merge(d.states, c.sharedName("%s: the trees of %d sources merged", kind, len(d.states)))
}

// depMounts mounts generators' outputs (and Go) into a build step.
func (c *compiler) depMounts() []llb.RunOption {
	var out []llb.RunOption
	for _, kind := range slices.Sorted(maps.Keys(c.deps)) {
		d := c.deps[kind]
		out = append(out, llb.AddMount(path.Join(DepsDir, kind), d.tree(c, kind), llb.Readonly))
		if kind == "cargo" {
			// Writable: cargo takes a lock file in CARGO_HOME even offline.
			home := llb.Scratch().File(llb.Mkfile("/config.toml", 0o644, []byte(cargoConfig)),
				llb.WithCustomName("cargo: config for the vendored crates"))
			out = append(out, llb.AddMount(CargoHome, home))
		}
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
		case "cargo":
			vars["CARGO_HOME"] = CargoHome
			vars["CARGO_NET_OFFLINE"] = "true"
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
