package main

import (
	"os"

	"github.com/kiln-build/kiln/build"
	"github.com/kiln-build/kiln/build/graph"
	"github.com/kiln-build/kiln/daemon"
	"github.com/kiln-build/kiln/toolchains"
	"github.com/spf13/pflag"
)

// buildFlags are what build and llb take to plan a build.
type buildFlags struct {
	targets   []string
	baseImage string
	aptMirror string
	opts      []string // --opt NAME=VALUE
	variant   string   // --variant N
}

func (b *buildFlags) register(f *pflag.FlagSet) {
	f.StringSliceVarP(&b.targets, "target", "t", nil, `targets to build (repeat or comma-separate); "all" = every target a recipe lists (the default)`)
	f.StringVar(&b.baseImage, "base-image", os.Getenv("KILN_BASE_IMAGE"), "image toolchains start from instead of each target's default [$KILN_BASE_IMAGE]")
	f.StringVar(&b.aptMirror, "apt-mirror", os.Getenv("KILN_APT_MIRROR"), "Debian mirror URL for toolchain packages; default: the host's apt mirror [$KILN_APT_MIRROR]")
	f.StringArrayVar(&b.opts, "opt", nil, "set a build option `NAME=VALUE` (repeatable): builds one variant with it instead of the recipe's variants")
	f.StringVar(&b.variant, "variant", "", "build only variant `N` (0-based) of each recipe; default: every variant")
}

// config turns the flags into a build configuration for the recipes in paths.
func (b *buildFlags) config(paths []string) (c build.Config, err error) {
	c = build.Config{Paths: paths, Targets: b.targets, Toolchain: toolchains.Options{BaseImage: b.baseImage, AptMirror: b.aptMirror,
		Fetch: fetchSettings()}}
	if c.Set, err = build.ParseOptions(b.opts); err != nil {
		return c, err
	}
	c.Variant, err = build.ParseVariant("--variant", b.variant)
	return c, err
}

// fetchSettings are the fixed-output sources' settings the environment
// gives; build fills the rest from the host's tools.
func fetchSettings() toolchains.Fetch {
	return toolchains.Fetch{GoProxy: os.Getenv("KILN_GOPROXY"), NPMRegistry: os.Getenv("KILN_NPM_REGISTRY"),
		PipIndex: os.Getenv("KILN_PIP_INDEX"), GolangImage: os.Getenv("KILN_GOLANG_IMAGE")}
}

// daemonFlags say which BuildKit daemons a command talks to.
type daemonFlags struct{ daemon.Selection }

func (d *daemonFlags) register(f *pflag.FlagSet) {
	var env []string
	if v := os.Getenv("KILN_ADDR"); v != "" {
		env = []string{v}
	}
	f.StringArrayVar(&d.Addrs, "addr", env, "BuildKit daemon address (unix:// or tcp://); repeat or comma-separate to spread the build over several; default: kiln's own managed daemon [$KILN_ADDR]")
	f.StringVar(&d.Builder, "builder", os.Getenv("KILN_BUILDER"), "file listing the daemons to build on, each with its own TLS files [$KILN_BUILDER]")
	f.StringVar(&d.TLS.CACert, "tlscacert", os.Getenv("KILN_TLSCACERT"), "CA certificate that signed the daemons' certificates [$KILN_TLSCACERT]")
	f.StringVar(&d.TLS.Cert, "tlscert", os.Getenv("KILN_TLSCERT"), "client certificate presented to the daemons [$KILN_TLSCERT]")
	f.StringVar(&d.TLS.Key, "tlskey", os.Getenv("KILN_TLSKEY"), "key of --tlscert [$KILN_TLSKEY]")
	f.StringVar(&d.TLS.ServerName, "tlsservername", os.Getenv("KILN_TLSSERVERNAME"), "name expected in the daemons' certificates (default: the address's host) [$KILN_TLSSERVERNAME]")
}

func managed() *daemon.Managed { return &daemon.Managed{Home: daemon.DefaultHome()} }

// signFlags make kiln build write each syspkg package's signed metainfo.
type signFlags struct {
	on      bool
	baseURL string
	dev     *keyFlags
}

func (f *signFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.on, "sign", false, "sign the build's provenance (provenance.intoto.dsse.json) and write each syspkg package's signed metainfo, with the developer certificate (--dev-cert, --dev-key)")
	fs.StringVar(&f.baseURL, "syspkg-url", "", "where the syspkg payloads will be published, for metainfo whose recipe gives no formats.syspkg.url")
	f.dev = devKeyFlags()
	f.dev.register(fs)
}

// signing checks the certificate and key (they must belong together).
func (f *signFlags) signing() (*build.Signing, error) {
	if !f.on {
		return nil, nil
	}
	cert, key, err := f.dev.pair().Load()
	if err != nil {
		return nil, err
	}
	return &build.Signing{Signing: graph.Signing{Cert: cert, BaseURL: f.baseURL}, Key: key}, nil
}
