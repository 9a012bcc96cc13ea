package frontend

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/kiln-build/kiln/cache"
	"github.com/kiln-build/kiln/llb"
	"github.com/kiln-build/kiln/schema"
	"github.com/kiln-build/kiln/toolchains"
	bkllb "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"golang.org/x/sync/errgroup"
)

// PackerPath is where the frontend image (see the Dockerfile) holds kiln's
// static binary, which the in-graph pack step runs.
const PackerPath = "/bin/kiln"

// Settings are build arguments that configure kiln rather than set recipe
// options; the environment of the frontend image can give defaults.
const (
	ArgAptMirror = "KILN_APT_MIRROR"
	ArgBaseImage = "KILN_BASE_IMAGE"
	ArgVariant   = "KILN_VARIANT"
)

// keySource is the frontend's own image: buildctl's --opt source=, and
// what dockerfile.v0 passes on when it forwards a "# syntax=" recipe.
const keySource = "source"

// keyNoCache is --no-cache: empty for every step.
const keyNoCache = "no-cache"

// Gateway is the BuildFunc of the kiln-frontend image. It reads the recipe
// and the usual BuildKit frontend options (platform, target, build-arg:*,
// cache-imports, no-cache) and runs Build, the CLI's build function, once per
// requested platform.
func Gateway(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
	bc, err := dockerui.NewClient(c)
	if err != nil {
		return nil, err
	}
	// --cache-from reaches a frontend as an option; its solves apply it.
	if c, err = cache.WithImports(c); err != nil {
		return nil, err
	}
	bo := c.BuildOpts()
	rf, err := readRecipe(ctx, c)
	if err != nil {
		return nil, err
	}
	rs, err := schema.ParseRepo(rf.name, rf.data)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		r.File = rf.name
	}
	o, err := gatewayOptions(bo, bc.BuildArgs, rs)
	if err != nil {
		return nil, err
	}
	if o.Packer, err = packer(ctx, c, bo.Opts[keySource]); err != nil {
		return nil, err
	}

	// buildx --call targets: what --target accepts.
	if res, ok, err := bc.HandleSubrequest(ctx, dockerui.RequestHandler{
		ListTargets: func(context.Context) (*targets.List, error) { return listTargets(o, rf) },
	}); ok || err != nil {
		return res, err
	}

	if o.Toolchain.AptMirror == "" {
		return nil, fmt.Errorf("no Debian mirror set: pass --build-arg %s=URL", ArgAptMirror)
	}
	info, err := scanContext(ctx, c, rf)
	if err != nil {
		return nil, err
	}
	local, _ := localNames(bo)
	lc := llb.LocalContext{Name: local, Prefix: info.prefix, Excludes: info.excludes, SessionID: sessionFor(bo, local)}
	o.Context = func(*schema.Recipe) llb.LocalContext { return lc }

	if bc.Target == ImageTarget {
		// --target oci: the container image, for buildx's image, oci and
		// docker exporters; --platform picks the targets.
		for _, p := range bc.TargetPlatforms {
			t, err := TargetFor(platforms.Normalize(p), rs)
			if err != nil {
				return nil, err
			}
			o.Targets = append(o.Targets, t)
		}
		return BuildImage(ctx, c, o)
	}

	build := func(ctx context.Context, o Options) (gwclient.Reference, error) {
		opts := []BuildOption{Select(bc.Target)}
		if v, ok := bo.Opts[keyNoCache]; ok && v == "" {
			opts = append(opts, NoCache()) // --no-cache; a filter names Dockerfile stages kiln has not
		}
		res, err := Build(ctx, c, o, opts...)
		if err != nil {
			return nil, err
		}
		return res.SingleRef()
	}
	if len(bc.TargetPlatforms) == 0 {
		// No --platform: every target of the recipe, side by side, as
		// `kiln build` writes them.
		ref, err := build(ctx, o)
		if err != nil {
			return nil, err
		}
		res := gwclient.NewResult()
		res.SetRef(ref)
		return res, nil
	}
	return buildPlatforms(ctx, bc, rs, o, build)
}

// buildPlatforms builds one target per requested platform, in parallel,
// and returns the result BuildKit's exporters expect for several
// platforms (local: one directory per platform).
func buildPlatforms(ctx context.Context, bc *dockerui.Client, rs []*schema.Recipe, o Options,
	build func(context.Context, Options) (gwclient.Reference, error)) (*gwclient.Result, error) {
	ps := bc.TargetPlatforms
	refs := make([]gwclient.Reference, len(ps))
	exp := exptypes.Platforms{Platforms: make([]exptypes.Platform, len(ps))}
	var tnames []string
	for i, p := range ps {
		p = platforms.Normalize(p)
		t, err := TargetFor(p, rs)
		if err != nil {
			return nil, err
		}
		tnames = append(tnames, t)
		exp.Platforms[i] = exptypes.Platform{ID: platforms.FormatAll(p), Platform: p}
	}
	eg, ectx := errgroup.WithContext(ctx)
	for i := range ps {
		po := o
		po.Targets = []string{tnames[i]}
		eg.Go(func() error {
			ref, err := build(ectx, po)
			if err != nil {
				return fmt.Errorf("platform %s (target %s): %w", exp.Platforms[i].ID, tnames[i], err)
			}
			refs[i] = ref
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res := gwclient.NewResult()
	if bc.MultiPlatformRequested {
		for i, p := range exp.Platforms {
			res.AddRef(p.ID, refs[i])
		}
	} else {
		res.SetRef(refs[0])
	}
	// The platform mapping tells exporters (and their checks) which
	// platform each result is for, even when there is only one.
	dt, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return res, nil
}

// gatewayOptions turns the frontend options into the CLI's build options.
func gatewayOptions(bo gwclient.BuildOpts, args map[string]string, rs []*schema.Recipe) (Options, error) {
	src := bo.Opts[keySource]
	if src == "" {
		return Options{}, fmt.Errorf("kiln-frontend needs its own image reference (the %q option; dockerfile.v0 sets it from \"# syntax=\", buildctl from --opt source=) to run the pack step", keySource)
	}
	setting := func(name string) string {
		if v, ok := args[name]; ok {
			return v
		}
		return os.Getenv(name)
	}
	o := Options{
		Recipes: rs,
		Toolchain: toolchains.Options{
			AptMirror: setting(ArgAptMirror),
			BaseImage: setting(ArgBaseImage),
		},
	}
	if v := setting(ArgVariant); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Options{}, fmt.Errorf("--build-arg %s=%s: want a variant number (0-based)", ArgVariant, v)
		}
		o.Variant = &n
	}
	set, err := recipeOptions(args, rs)
	if err != nil {
		return Options{}, err
	}
	o.Set = set
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
	for _, k := range sortedKeys(args) {
		if reservedArg(k) {
			continue
		}
		if !declared[k] {
			names := sortedKeys(declared)
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

// listTargets answers buildx --call targets: the packages and formats
// --target selects, from a plan that needs no context.
func listTargets(o Options, rf *recipeFile) (*targets.List, error) {
	o.Context = func(*schema.Recipe) llb.LocalContext { return llb.LocalContext{Name: localContext} }
	if o.Toolchain.AptMirror == "" {
		o.Toolchain.AptMirror = "unset" // listing builds nothing
	}
	jobs, err := Plan(o)
	if err != nil {
		return nil, err
	}
	l := &targets.List{Sources: [][]byte{rf.data}}
	for _, s := range Selectors(jobs) {
		l.Targets = append(l.Targets, targets.Target{Name: s.Name, Description: s.Description})
	}
	return l, nil
}
