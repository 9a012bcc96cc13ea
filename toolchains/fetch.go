package toolchains

import (
	"sort"
	"strings"

	"github.com/moby/buildkit/client/llb"
)

// Fetch are the settings of fixed-output sources' fetch steps: where each
// tool fetches from (the host's own proxy and registries, reaching the
// steps as their environment, so the daemon fetches and never the
// client) and the Go image gomod fetches and builds with. Empty values
// leave the tool's default.
type Fetch struct {
	// GoProxy is GOPROXY for gomod sources.
	GoProxy string
	// NPMRegistry is npm's registry for npm sources.
	NPMRegistry string
	// PipIndex is pip's index URL for pip sources.
	PipIndex string
	// GolangImage is the image holding Go (in /usr/local/go) that gomod
	// sources fetch with and put on build steps' PATH.
	GolangImage string
	// Locking is set by kiln lock, which only asks for the digests of
	// sources without one: their fetched trees reach later sources
	// unchecked, so one pass finds them all (see llb's fixedOutput).
	Locking bool
}

// DefaultGolangImage is the Go image used when no setting names one.
const DefaultGolangImage = "docker.io/library/golang:bookworm"

// GolangImage is the Go image of o.
func (o Options) GolangImage() string {
	if o.Fetch.GolangImage != "" {
		return o.Fetch.GolangImage
	}
	return DefaultGolangImage
}

// Image is the state of the image ref, as o replaces images.
func (o Options) Image(ref string) llb.State { return o.image(ref) }

// Fetcher is the image fixed-output sources fetch in unless they name
// one: the base image with packages installed (e.g. curl, git, npm),
// shared by every target so a source is fetched once.
func Fetcher(o Options, packages []string) llb.State {
	pkgs := append([]string(nil), packages...)
	sort.Strings(pkgs)
	return memo(stateKey{opts: o, label: "fetch", extra: strings.Join(pkgs, " ")}, func() llb.State {
		image := unpackerImage
		if o.BaseImage != "" {
			image = o.BaseImage
		}
		return aptInstall(o.image(image), "bookworm", pkgs, o, "fetch")
	})
}
