// Command kiln-frontend is kiln as a BuildKit gateway frontend: the image
// the top-level Dockerfile builds, used by `docker buildx build` when a
// recipe starts with "# syntax=<image>" and by
// `buildctl build --frontend gateway.v0 --opt source=<image>`.
package main

import (
	"fmt"
	"os"

	"github.com/kiln-build/kiln/frontend"
	_ "github.com/kiln-build/kiln/pack/all" // registers every package format
	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"
)

func main() {
	if err := grpcclient.RunFromEnvironment(appcontext.Context(), frontend.Gateway); err != nil {
		fmt.Fprintln(os.Stderr, "kiln-frontend:", err)
		os.Exit(1)
	}
}
