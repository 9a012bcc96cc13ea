package frontend

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/plan"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// PackerPath is where the frontend image (see the Dockerfile) holds kiln's
// static binary, which the in-graph pack step runs.
const PackerPath = "/bin/kiln"

// Settings are build arguments that configure kiln rather than set recipe
// options; the environment of the frontend image gives their defaults
// (the Dockerfile's KILN_APT_MIRROR argument).
const (
	ArgAptMirror = "KILN_APT_MIRROR"
	ArgBaseImage = "KILN_BASE_IMAGE"
	ArgVariant   = "KILN_VARIANT"
	// Fixed-output sources' proxies, registries and Go image (the CLI's
	// environment variables of the same names).
	ArgGoProxy     = "KILN_GOPROXY"
	ArgNPMRegistry = "KILN_NPM_REGISTRY"
	ArgPipIndex    = "KILN_PIP_INDEX"
	ArgGolangImage = "KILN_GOLANG_IMAGE"
)

// keySource is the frontend's own image: buildctl's --opt source=, and
// what dockerfile.v0 passes on when it forwards a "# syntax=" recipe.
const keySource = "source"

// gatewayOptions is a gateway request mapped onto kiln's plan options.
type gatewayOptions struct {
	plan      plan.Options
	platforms []platformTarget // --platform, each with its kiln target
	ctxErr    *error           // set if reading the build context fails late
	// noMirror: listing targets needs no Debian mirror, building does.
	noMirror bool
}

type platformTarget struct {
	platform ocispecs.Platform
	target   string
}

func (o *gatewayOptions) contextErr() error { return *o.ctxErr }

func (o *gatewayOptions) checkMirror() error {
	if o.noMirror {
		return fmt.Errorf("no Debian mirror set: pass --build-arg %s=URL (or build the frontend image with --build-arg %s=URL)", ArgAptMirror, ArgAptMirror)
	}
	return nil
}

// options turns the frontend options into the plan's.
func options(ctx context.Context, c gwclient.Client, bc *dockerui.Client, rf *recipeFile) (*gatewayOptions, error) {
	src := c.BuildOpts().Opts[keySource]
	if src == "" {
		return nil, fmt.Errorf("kiln-frontend needs its own image reference (the %q option; dockerfile.v0 sets it from \"# syntax=\", buildctl from --opt source=) to run the pack step", keySource)
	}
	setting := func(name string) string {
		if v, ok := bc.BuildArgs[name]; ok {
			return v
		}
		return os.Getenv(name)
	}
	// The context first: it holds the targets/ directories the platforms
	// map onto.
	lc, info, ctxErr, err := buildContext(ctx, c, bc, rf)
	if err != nil {
		return nil, err
	}
	if err := rf.loadTargets(info.targets()); err != nil {
		return nil, err
	}
	o := &gatewayOptions{plan: plan.Options{Recipes: rf.recipes, Toolchains: rf.targets,
		Toolchain: toolchains.Options{AptMirror: setting(ArgAptMirror), BaseImage: setting(ArgBaseImage),
			Fetch: toolchains.Fetch{GoProxy: setting(ArgGoProxy), NPMRegistry: setting(ArgNPMRegistry),
				PipIndex: setting(ArgPipIndex), GolangImage: setting(ArgGolangImage)}}},
		ctxErr: ctxErr}
	o.plan.Context = func(*schema.Recipe) llb.LocalContext { return lc }
	if o.plan.Toolchain.AptMirror == "" {
		o.plan.Toolchain.AptMirror, o.noMirror = "unset", true
	}
	if o.plan.Variant, err = build.ParseVariant("--build-arg "+ArgVariant, setting(ArgVariant)); err != nil {
		return nil, err
	}
	if o.plan.Set, err = recipeOptions(bc.BuildArgs, rf.recipes); err != nil {
		return nil, err
	}
	for _, p := range bc.TargetPlatforms {
		p = platforms.Normalize(p)
		t, err := TargetFor(p, rf.recipes, rf.targets)
		if err != nil {
			return nil, err
		}
		o.platforms = append(o.platforms, platformTarget{p, t})
		if !slices.Contains(o.plan.Targets, t) {
			o.plan.Targets = append(o.plan.Targets, t)
		}
	}
	if o.plan.Packer, err = packer(ctx, c, src); err != nil {
		return nil, err
	}
	if err := namedImages(ctx, bc, &o.plan); err != nil {
		return nil, err
	}
	return o, nil
}

// packer is the frontend's own image, pinned to the digest it has now, so
// every pack step of the build runs the very kiln binary this frontend
// was built with.
func packer(ctx context.Context, c gwclient.Client, src string) (llb.Packer, error) {
	p := toolchains.BuildPlatform
	_, dgst, _, err := c.ResolveImageConfig(ctx, src, sourceresolver.Opt{
		LogName:  "resolve kiln frontend image " + src,
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p, NoConfig: true},
	})
	if err != nil {
		return llb.Packer{}, fmt.Errorf("resolving the frontend's own image %s: %w", src, err)
	}
	named, err := reference.ParseNormalizedNamed(src)
	if err != nil {
		return llb.Packer{}, fmt.Errorf("frontend image %q: %w", src, err)
	}
	pinned := reference.TagNameOnly(named).String()
	if _, ok := named.(reference.Digested); !ok && dgst != "" {
		pinned += "@" + dgst.String()
	}
	st := bkllb.Image(pinned, bkllb.Platform(p), bkllb.WithCustomName("kiln binary for packing ("+src+")"))
	return llb.Packer{State: st, Path: PackerPath}, nil
}

// namedImages replaces the toolchains' base images by the named contexts
// the client gave, as the Dockerfile frontend does for FROM: e.g. buildx
// --build-context debian:bookworm=docker-image://REF or =oci-layout://DIR.
func namedImages(ctx context.Context, bc *dockerui.Client, o *plan.Options) error {
	targets := o.Targets
	var own []string
	for _, r := range o.Recipes {
		if len(o.Targets) == 0 {
			targets = append(targets, r.Targets...)
		}
		own = append(own, r.Image)
	}
	var imgs toolchains.Images
	found := false
	for _, ref := range o.Toolchains.BaseImages(o.Toolchain, targets, own) {
		p := toolchains.BuildPlatform
		var dgst digest.Digest // set when the context is an image
		nc, err := bc.NamedContext(ref, dockerui.ContextOpt{Platform: &p, CaptureDigest: &dgst})
		if err != nil {
			return fmt.Errorf("build context %s: %w", ref, err)
		}
		if nc == nil {
			continue
		}
		st, _, err := nc.Load(ctx)
		if err != nil {
			return fmt.Errorf("build context %s: %w", ref, err)
		}
		if st != nil {
			if dgst != "" {
				imgs.ReplaceImage(ref, *st, dgst.String())
			} else {
				imgs.Replace(ref, *st)
			}
			found = true
		}
	}
	if found {
		o.Toolchain.Images = &imgs
	}
	return nil
}

// reservedArg reports build arguments that are not recipe options: kiln's
// settings, BuildKit's own, and the ones Docker predefines.
func reservedArg(name string) bool {
	switch strings.ToUpper(name) {
	case "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY", "SOURCE_DATE_EPOCH":
		return true
	}
	return strings.HasPrefix(name, "KILN_") || strings.HasPrefix(name, "BUILDKIT_")
}

// recipeOptions maps --build-arg NAME=VALUE to recipe options (the CLI's
// --opt). An argument no recipe declares is an error, not a silent no-op.
func recipeOptions(args map[string]string, rs []*schema.Recipe) (map[string]string, error) {
	set := map[string]string{}
	declared := map[string]bool{}
	for _, r := range rs {
		for k := range r.Options {
			declared[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(args)) {
		if reservedArg(k) {
			continue
		}
		if !declared[k] {
			names := slices.Sorted(maps.Keys(declared))
			if len(names) == 0 {
				names = []string{"none"}
			}
			return nil, fmt.Errorf("--build-arg %s: the recipe has no option %q (options: %s; kiln settings: %s, %s, %s)",
				k, k, strings.Join(names, ", "), ArgAptMirror, ArgBaseImage, ArgVariant)
		}
		set[k] = args[k]
	}
	return set, nil
}
