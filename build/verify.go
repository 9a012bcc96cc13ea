package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"

	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/pkgdiff"
	"github.com/kiln-build/kiln/sbom"
	"github.com/kiln-build/kiln/toolchains"
)

// VerifyConfig asks for packages to be rebuilt from the recipes their
// SBOMs name and compared with the files given.
type VerifyConfig struct {
	// Packages are package files, each with its SBOM beside it.
	Packages []string
	// Recipes are the recipe files or directories to find the recipes in.
	Recipes   []string
	Toolchain toolchains.Options
	Daemons   []daemon.Remote
	Progress  string
}

// Verification is what a rebuild of one package showed.
type Verification struct {
	Package string
	Origin  *sbom.Origin
	image   string // the toolchain's base image, as the SBOM records it
	digest  string // and the digest the build pulled it by ("" = none recorded)
	SHA256  string
	// Diff is how the rebuild differs (nil: identical).
	Diff []string
}

// Verify rebuilds every package of c, ignoring the daemons' caches (as
// daemons with empty caches would), once per recipe build the packages
// come from, and compares the bytes. A recipe that changed since the
// package was built (another digest) is an error.
func Verify(ctx context.Context, c VerifyConfig) ([]Verification, error) {
	var order []string
	groups := map[string][]*Verification{}
	for _, p := range c.Packages {
		o, image, dg, err := originOf(p)
		if err != nil {
			return nil, err
		}
		key, _ := json.Marshal(o)
		if groups[string(key)] == nil {
			order = append(order, string(key))
		}
		groups[string(key)] = append(groups[string(key)], &Verification{Package: p, Origin: o, image: image, digest: dg})
	}
	var out []Verification
	for _, k := range order {
		vs := groups[k]
		if err := rebuild(ctx, c, vs); err != nil {
			return nil, err
		}
		for _, v := range vs {
			out = append(out, *v)
		}
	}
	return out, nil
}

// originOf reads the recipe build and the toolchain image (reference and
// digest) pkg's SBOM records.
func originOf(pkg string) (o *sbom.Origin, image, digest string, err error) {
	f, err := os.Open(pkg + sbom.Ext)
	if err != nil {
		return nil, "", "", fmt.Errorf("%s: its SBOM says what to rebuild: %w", pkg, err)
	}
	defer f.Close()
	doc, err := sbom.Read(f)
	if err != nil {
		return nil, "", "", fmt.Errorf("%s%s: %w", pkg, sbom.Ext, err)
	}
	if o, err = sbom.OriginOf(doc); err != nil {
		return nil, "", "", fmt.Errorf("%s%s: %w", pkg, sbom.Ext, err)
	}
	return o, sbom.ToolchainImage(doc), sbom.ToolchainDigest(doc), nil
}

// rebuild builds the recipe build vs come from into a temporary directory
// and compares each package with its rebuild.
func rebuild(ctx context.Context, c VerifyConfig, vs []*Verification) error {
	o := vs[0].Origin
	cfg := Config{Paths: c.Recipes, Targets: []string{o.Target}, Toolchain: c.Toolchain, NoCache: true,
		Indexes: OnDaemon(func() ([]daemon.Remote, error) { return c.Daemons, nil }, c.Progress)}
	if len(o.Variant) > 0 {
		cfg.Set = o.Variant
	}
	if v := vs[0]; v.image != "" && v.digest != "" && cfg.Toolchain.Pins.Digest(v.image) == "" {
		// The very image the build pulled, not what its tag names now.
		pins := cfg.Toolchain.Pins.All()
		if pins == nil {
			pins = map[string]string{}
		}
		pins[v.image] = v.digest
		cfg.Toolchain.Pins = toolchains.NewPins(pins)
	}
	b, err := Prepare(ctx, cfg)
	if err != nil {
		return err
	}
	j, err := findJob(b, o)
	if err != nil {
		return err
	}
	// Without --base-image, the toolchain starts from the image the SBOM
	// records, as the build did (it may have had KILN_BASE_IMAGE set).
	if img := vs[0].image; cfg.Toolchain.BaseImage == "" && j.Recipe.Image == "" && img != "" && j.Target.BaseImage(cfg.Toolchain, "") != img {
		cfg.Toolchain.BaseImage = img
		if b, err = Prepare(ctx, cfg); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "kiln-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if _, err := b.Run(ctx, Target{Daemons: c.Daemons, OutDir: tmp, Progress: c.Progress}); err != nil {
		return fmt.Errorf("rebuilding %s for %s: %w", o.Recipe, o.Target, err)
	}
	for _, v := range vs {
		recorded, err := os.ReadFile(v.Package)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(recorded)
		v.SHA256 = hex.EncodeToString(sum[:])
		name := filepath.Base(v.Package)
		rebuilt, err := findFile(tmp, name)
		if err != nil {
			return err
		}
		if rebuilt == nil {
			v.Diff = []string{name + ": the rebuild wrote no file of that name"}
			continue
		}
		v.Diff = pkgdiff.Diff(name, recorded, rebuilt)
	}
	return nil
}

// findJob finds o's job in b and checks that the recipe is the one the
// package was built from.
func findJob(b *Build, o *sbom.Origin) (*llb.Job, error) {
	p, err := b.Plan(context.Background())
	if err != nil {
		return nil, err
	}
	for _, j := range p.Jobs {
		if j.Recipe.Name != o.Recipe || j.Target.Name != o.Target || !maps.Equal(j.Variant, o.Variant) {
			continue
		}
		d, err := llb.RecipeDigest(j.Recipe)
		if err != nil {
			return nil, err
		}
		if d != o.Digest {
			return nil, fmt.Errorf("recipe %s is not the one the package was built from: its digest is %s, the SBOM records %s", o.Recipe, d, o.Digest)
		}
		return j, nil
	}
	return nil, fmt.Errorf("no recipe %s building for target %s (variant %v) among %v", o.Recipe, o.Target, o.Variant, b.cfg.Paths)
}

// findFile reads the file called name under dir (nil if there is none).
func findFile(dir, name string) ([]byte, error) {
	var found []byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != nil || d.Name() != name || !d.Type().IsRegular() {
			return err
		}
		found, err = os.ReadFile(p)
		return err
	})
	return found, err
}

// Identical reports whether every verification found no difference.
func Identical(vs []Verification) bool {
	for _, v := range vs {
		if v.Diff != nil {
			return false
		}
	}
	return true
}
