package graph

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"

	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/provenance"
	"github.com/kiln-build/kiln/shlibs"
	bkllb "github.com/moby/buildkit/client/llb"
)

// Signing asks a build for each syspkg package's signed metainfo (the
// seed's JSON with its signature block), next to its payloads.
type Signing struct {
	// Cert is the developer certificate (PEM). The key reaches the build
	// only as the BuildKit secret SigningKeySecret: never in a layer, an
	// image or the cache key (the certificate is, so a new one re-signs).
	Cert []byte
	// BaseURL is where the payloads are published, for the metainfo's URL
	// mask when a recipe's formats.syspkg gives none.
	BaseURL string
}

// SigningKeySecret is the id of the secret holding the developer key.
const SigningKeySecret = "kiln-syspkg-dev-key"

// syspkgGroup is one syspkg package of the build: its metadata and its
// payload per architecture, in one output directory.
type syspkgGroup struct {
	meta     *pack.Package
	dir      string
	payloads []string // ARCH=path in FeedDir
	// shlibs are the jobs' shared-library results (one per payload that
	// has one), whose dependencies the metainfo gains.
	shlibs []bkllb.State
}

// signed adds a signing step per syspkg package to out. Each runs
// kiln's own binary with the developer key mounted as a secret.
func signed(out bkllb.State, jobs []*llb.Job, s *Signing, packer llb.Packer) (bkllb.State, error) {
	groups := map[string]*syspkgGroup{}
	for _, j := range jobs {
		for i, f := range j.Formats {
			if f != "syspkg" {
				continue
			}
			p, dir := j.Metas[i], path.Dir(j.Files[i])
			k := path.Join(dir, p.Name)
			g := groups[k]
			if g == nil {
				g = &syspkgGroup{meta: p, dir: dir}
				groups[k] = g
			}
			g.payloads = append(g.payloads, syspkg.Arch(p.Arch)+"="+path.Join(FeedDir, j.Files[i]))
			if j.Shlibs != nil {
				g.shlibs = append(g.shlibs, *j.Shlibs)
			}
		}
	}
	if len(groups) == 0 {
		return out, nil // only the provenance is signed (SignProvenance)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	meta := bkllb.Scratch().File(bkllb.Mkfile("/developer.pem", 0o644, s.Cert), bkllb.WithCustomName("syspkg developer certificate"))
	for _, k := range keys {
		g := groups[k]
		// Check now what the step would fail on, before anything is built.
		if _, err := syspkg.MetaFor(g.meta, s.BaseURL); err != nil {
			if s.BaseURL == "" {
				return out, fmt.Errorf("signing %s: %w (give formats.syspkg.url or --syspkg-url)", g.meta.Name, err)
			}
			return out, fmt.Errorf("signing %s: %w", g.meta.Name, err)
		}
		sort.Strings(g.payloads)
		data, err := json.MarshalIndent(g.meta, "", "  ")
		if err != nil {
			return out, err
		}
		name := "/" + path.Join(g.dir, g.meta.Name) + ".json"
		metaSt := meta.File(bkllb.Mkdir(path.Dir(name), 0o755, bkllb.WithParents(true)).Mkfile(name, 0o644, data),
			bkllb.WithCustomName("syspkg metadata "+g.meta.Name))
		args := []string{"/kiln/bin" + packer.Path, "syspkg", "sign",
			"--package", "/kiln/meta" + name, "--out", path.Join(FeedDir, g.dir, g.meta.Name+".json"),
			"--dev-cert", "/kiln/meta/developer.pem", "--dev-key", "/run/secrets/" + SigningKeySecret}
		if s.BaseURL != "" {
			args = append(args, "--base-url", s.BaseURL)
		}
		var mounts []bkllb.RunOption
		for i, st := range g.shlibs {
			dir := fmt.Sprintf("/kiln/shlibs/%d", i)
			args = append(args, "--shlibs", path.Join(dir, shlibs.ResultFile(g.meta.Name)))
			mounts = append(mounts, bkllb.AddMount(dir, st, bkllb.Readonly))
		}
		run := bkllb.Scratch().Run(append(mounts,
			bkllb.Args(append(args, g.payloads...)),
			bkllb.AddMount("/kiln/bin", packer.State, bkllb.Readonly),
			bkllb.AddMount("/kiln/meta", metaSt, bkllb.Readonly),
			bkllb.AddSecret("/run/secrets/"+SigningKeySecret, bkllb.SecretID(SigningKeySecret), bkllb.SecretFileOpt(0, 0, 0o400)),
			bkllb.Network(bkllb.NetModeNone),
			bkllb.WithCustomName(fmt.Sprintf("sign syspkg metainfo %s (%d payloads)", path.Join(g.dir, g.meta.Name), len(g.payloads))),
		)...)
		out = run.AddMount(FeedDir, out)
	}
	return out, nil
}

// CollectedLocal names the session local that holds the packages several
// daemons built, for Collected.
const CollectedLocal = "kiln-collected"

// Collected signs the syspkg metainfo of a build whose payloads were made
// on several daemons and collected on the host: one daemon gets them back
// as the local CollectedLocal and runs the signing steps, with the key
// again only a secret.
func Collected(p *plan.Plan, s *Signing) (bkllb.State, error) {
	var files []string
	for _, j := range p.Jobs {
		for i, f := range j.Formats {
			if f == "syspkg" {
				files = append(files, j.Files[i])
			}
		}
	}
	collected := bkllb.Local(CollectedLocal, bkllb.IncludePatterns(files), bkllb.WithCustomName("collected syspkg payloads"))
	return signed(collected, p.Jobs, s, p.Packer)
}

// SignProvenance is the state holding the DSSE envelope of a build's
// provenance statement (provenance.SignedFile), signed in the graph by
// kiln's own binary with the developer key mounted as a secret, as the
// syspkg metainfo is.
func SignProvenance(statement []byte, s *Signing, packer llb.Packer) bkllb.State {
	meta := bkllb.Scratch().File(bkllb.Mkfile("/statement.json", 0o644, statement).Mkfile("/developer.pem", 0o644, s.Cert),
		bkllb.WithCustomName("provenance statement"))
	run := bkllb.Scratch().Run(
		bkllb.Args([]string{"/kiln/bin" + packer.Path, "sign-provenance", "--statement", "/kiln/meta/statement.json",
			"--dev-cert", "/kiln/meta/developer.pem", "--dev-key", "/run/secrets/" + SigningKeySecret,
			"--out", "/kiln/out/" + provenance.SignedFile}),
		bkllb.AddMount("/kiln/bin", packer.State, bkllb.Readonly),
		bkllb.AddMount("/kiln/meta", meta, bkllb.Readonly),
		bkllb.AddSecret("/run/secrets/"+SigningKeySecret, bkllb.SecretID(SigningKeySecret), bkllb.SecretFileOpt(0, 0, 0o400)),
		bkllb.Network(bkllb.NetModeNone),
		bkllb.WithCustomName("sign provenance"),
	)
	return run.AddMount("/kiln/out", bkllb.Scratch())
}
