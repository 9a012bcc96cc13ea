# The kiln-frontend image: kiln-frontend, the BuildKit gateway frontend
# `docker buildx build` runs for recipes starting "# syntax=<this image>",
# and kiln, the static binary its in-graph pack step runs (the frontend
# mounts its own image for that). Base images are build arguments, so a
# machine without a public registry builds it from its own (hack/setup.sh).
ARG GOLANG_IMAGE=golang:1.26-bookworm
ARG BASE_IMAGE=scratch

FROM --platform=$BUILDPLATFORM ${GOLANG_IMAGE} AS build
# Modules come from the Go module proxy: the only step with network.
ARG GOPROXY
ARG TARGETOS TARGETARCH
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
    GOMODCACHE=/cache/mod GOCACHE=/cache/build
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=kiln-gomod,target=/cache/mod \
    --mount=type=cache,id=kiln-gobuild,target=/cache/build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/bin/ ./cmd/kiln ./cmd/kiln-frontend

FROM ${BASE_IMAGE}
# The Debian mirror toolchains use unless a build passes
# --build-arg KILN_APT_MIRROR: set it where the image is built.
ARG KILN_APT_MIRROR
ENV KILN_APT_MIRROR=${KILN_APT_MIRROR}
# subrequests: answers `docker buildx build --call targets`; contexts and
# inputs: named contexts (--build-context) and frontend inputs, read through
# BuildKit's dockerui like the Dockerfile frontend reads them.
LABEL moby.buildkit.frontend.network.none="true" \
      moby.buildkit.frontend.caps="moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.inputs"
COPY --from=build /out/bin/ /bin/
ENTRYPOINT ["/bin/kiln-frontend"]
