# Shared settings of the project's scripts; sourced, not run.
# Everything heavy lives in a cache outside the checkout, so a fresh clone on
# the same machine reuses tool binaries, the base image and the build cache.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${KILN_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/kiln-dev}"
: "${KILN_REGISTRY:=127.0.0.1:5000}"
: "${DEBIAN_SUITE:=bookworm}"
# Images keep their public names (docker.io/library/debian:bookworm); kiln's
# daemon pulls them from the local registry, which mirrors docker.io.
BASE_IMAGE_REF=$KILN_REGISTRY/library/debian:$DEBIAN_SUITE
GOLANG_IMAGE_REF=$KILN_REGISTRY/library/golang:$(go env GOVERSION | sed 's/^go//')-$DEBIAN_SUITE
# The kiln-frontend image set-up builds from the Dockerfile (tests use it).
: "${KILN_FRONTEND_IMAGE:=$KILN_REGISTRY/kiln/frontend:dev}"
: "${KILN_REGISTRY_MIRRORS:=docker.io=$KILN_REGISTRY}"
: "${KILN_INSECURE_REGISTRIES:=$KILN_REGISTRY}"
export KILN_DEV_CACHE KILN_REGISTRY KILN_REGISTRY_MIRRORS KILN_INSECURE_REGISTRIES KILN_FRONTEND_IMAGE
export PATH="$ROOT/bin:$KILN_DEV_CACHE/bin:$PATH"
RUN_DIR=$KILN_DEV_CACHE/run
mkdir -p "$KILN_DEV_CACHE/bin" "$RUN_DIR"

# frontend_digest names the frontend image's inputs: what the Dockerfile
# copies (see Dockerfile.dockerignore) and the Go image.
frontend_digest() {
	(cd "$ROOT" && git ls-files -co --exclude-standard |
		grep -vE '^(\.git|\.ci|bin|out|examples|integration|bench|hack)/|/testdata/|_test\.go$|\.md$' |
		sort | while IFS= read -r f; do if [ -f "$f" ]; then sha256sum "$f"; fi; done; echo "$GOLANG_IMAGE_REF $KILN_APT_MIRROR") |
		sha256sum | cut -c1-16
}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# host_apt_mirror prints the first Debian mirror the host's apt uses, so
# builds fetch packages from where this machine is allowed to.
host_apt_mirror() {
	local m
	m=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
	[ -n "$m" ] || m=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | awk '{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' | head -n1 || true)
	printf '%s\n' "$m"
}
: "${KILN_APT_MIRROR:=$(host_apt_mirror)}"
export KILN_APT_MIRROR
