package llb

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/shlibs"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/moby/buildkit/client/llb"
)

// SBOMFile is the name of the SBOM beside package file f in the output.
func SBOMFile(f string) string { return f + sbom.Ext }

// sbomStep runs kiln's own binary (kiln write-sbom) over the staged tree of
// output package p, mounted from root with rootOpts, and returns the state
// holding its SBOM at prefix/sbom.Path(p.Name): merged over root, the
// package carries it, at the same place in every format.
func (c *compiler) sbomStep(p *pack.Package, root llb.State, prefix string, rootOpts ...llb.MountOption) (llb.State, error) {
	spec, mounts, err := c.sbomSpec(p)
	if err != nil {
		return llb.State{}, fmt.Errorf("sbom: %w", err)
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return llb.State{}, err
	}
	args := []string{"/kiln/bin" + c.o.Packer.Path, "write-sbom", "--spec", "/kiln/meta/sbom.json", "--root", PkgDir,
		"--dpkg", "/kiln/dpkg/packages.tsv", "--out", path.Join("/kiln/out", prefix)}
	opts := []llb.RunOption{
		llb.AddMount("/kiln/bin", c.o.Packer.State, llb.Readonly),
		c.metaMount("sbom", "sbom.json", data),
		llb.AddMount("/kiln/dpkg", c.dpkgList(), llb.Readonly),
		llb.AddMount(PkgDir, root, append([]llb.MountOption{llb.Readonly}, rootOpts...)...),
		llb.Network(llb.NetModeNone),
		c.name("sbom %s", p.Name),
	}
	opts = append(opts, mounts...)
	if c.shlibs != nil {
		// The dependencies derived from the ELF files, as pack adds them.
		args = append(args, "--shlibs", "/kiln/shlibs/"+shlibs.ResultFile(p.Name))
		opts = append(opts, llb.AddMount("/kiln/shlibs", *c.shlibs, llb.Readonly))
	}
	return llb.Scratch().Run(append(opts, llb.Args(args))...).AddMount("/kiln/out", llb.Scratch()), nil
}

// sbomSpec is what the SBOM step is told of p besides its files, and the
// mounts of the local sources it digests.
func (c *compiler) sbomSpec(p *pack.Package) (*sbom.Spec, []llb.RunOption, error) {
	digest, err := RecipeDigest(c.r)
	if err != nil {
		return nil, nil, err
	}
	t := c.o.Target
	s := &sbom.Spec{
		Package: sbom.Package{Name: p.Name, Version: p.Version, Target: p.Target, Maintainer: p.Maintainer, Summary: p.Summary,
			License: p.License, Homepage: p.Homepage, Depends: p.Depends, Epoch: p.Epoch},
		Recipe:    sbom.Recipe{Name: c.r.Name, Digest: digest, Variant: c.o.Variant},
		Sysroot:   c.sysrootComponents(),
		Toolchain: sbom.Toolchain{Target: t.Name, Kind: string(t.Kind), Image: t.BaseImage(c.o.Toolchain, c.r.Image), Suite: t.Suite},
	}
	s.Toolchain.Digest = c.o.Toolchain.Digest(s.Toolchain.Image)
	for _, ref := range c.toolImages() {
		s.Toolchain.Tools = append(s.Toolchain.Tools, sbom.Image{Ref: ref, Digest: c.o.Toolchain.Digest(ref)})
	}
	if !c.ran {
		s.Toolchain = sbom.Toolchain{Target: t.Name} // nothing ran in it: the SBOM names no toolchain
	}
	if a := t.Archive; a != nil && t.Kind == toolchains.KindArchive {
		s.Toolchain.Archive = &sbom.Source{Kind: "url", URL: a.URL, SHA256: a.SHA256}
	}
	var mounts []llb.RunOption
	for i, src := range c.r.Sources {
		ss := sbom.Source{Kind: src.Kind(), URL: src.URL, SHA256: src.SHA256, Git: src.Git, Commit: src.Commit, Path: src.Path,
			Generator: src.GeneratorPath()}
		if src.FixedOutput() {
			ss.Digest = src.Digest
		}
		if lock, ok := c.locks[i]; ok {
			// The step lists what the lock file pins (vendored modules, crates).
			dir := fmt.Sprintf("/kiln/locks/%d", i)
			mounts = append(mounts, llb.AddMount(dir, lock, llb.Readonly))
			ss.Lock = path.Join(dir, cmp.Or(sbom.LockFile(ss.Kind), path.Base(src.Pip)))
		}
		if ss.Kind == "path" {
			st, from, err := c.source(i, src)
			if err != nil {
				return nil, nil, fmt.Errorf("source %d: %w", i, err)
			}
			dir := fmt.Sprintf("/kiln/sources/%d", i)
			mounts = append(mounts, llb.AddMount(dir, st, llb.Readonly))
			ss.Mount = dir + from
		}
		s.Sources = append(s.Sources, ss)
	}
	return s, mounts, nil
}

// dpkgList is the toolchain's Debian packages with their versions, read by
// dpkg in the toolchain root itself (empty where there is no dpkg, or when
// no script ran: then the toolchain is not even pulled).
func (c *compiler) dpkgList() llb.State {
	if !c.ran {
		return llb.Scratch().File(llb.Mkfile("/packages.tsv", 0o644, nil), c.name("no toolchain packages (no script ran)"))
	}
	sh := `if command -v dpkg-query >/dev/null; then dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' | LC_ALL=C sort >/kiln/out/packages.tsv; else : >/kiln/out/packages.tsv; fi`
	return c.tc.Run(
		llb.Args([]string{"/bin/sh", "-c", sh}),
		llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
		llb.Network(llb.NetModeNone),
		c.name("list toolchain packages"),
	).AddMount("/kiln/out", llb.Scratch())
}

// sysrootComponents are the packages installed into $SYSROOT, for the SBOM.
func (c *compiler) sysrootComponents() []sbom.Component {
	var out []sbom.Component
	for _, hp := range c.sysroot {
		out = append(out, sysrootComponent(hp.Name, hp.File))
	}
	return out
}

// sysrootComponent names a package installed into $SYSROOT from its file
// (NAME_VERSION_ARCH.ipk).
func sysrootComponent(name, file string) sbom.Component {
	parts := strings.SplitN(strings.TrimSuffix(file, ".ipk"), "_", 3)
	c := sbom.Component{Name: name, File: file}
	if len(parts) == 3 {
		c.Version, c.Arch = parts[1], parts[2]
	}
	return c
}

// RecipeDigest is sha256: of r as kiln compiles it (for one target), the
// recipe's identity in the SBOM and the provenance.
func RecipeDigest(r *schema.Recipe) (string, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
