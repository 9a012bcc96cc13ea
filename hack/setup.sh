#!/usr/bin/env bash
# setup.sh installs and starts everything kiln's demo and tests need, from
# nothing, idempotently: host packages, binfmt/qemu, the pinned BuildKit and
# registry binaries, a local registry, kiln's managed buildkitd and the Debian
# base images (one per suite) in the registry. A second run does no heavy work.
source "$(dirname "$0")/env.sh"

APT_PACKAGES=(runc debootstrap qemu-user-static binfmt-support file binutils dpkg-dev curl git ca-certificates
	libc6-armhf-cross libc6-arm64-cross unzip libarchive-tools 7zip openssl zstd
	chromium chromium-driver fonts-dejavu-core graphviz)

install_apt() {
	local missing=()
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# binfmt must be registered before buildkitd starts: it probes emulators then.
enable_binfmt() {
	if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	fi
	if [ ! -e /proc/sys/fs/binfmt_misc/qemu-arm ] || [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
		log "enabling qemu-user binfmt handlers"
		update-binfmts --enable >/dev/null 2>&1 || true
	fi
	for f in qemu-arm qemu-aarch64; do
		[ -e /proc/sys/fs/binfmt_misc/$f ] || { echo "binfmt handler $f is not registered" >&2; exit 1; }
	done
}

# buildkitd, buildctl and registry are pinned in hack/tools, a module of its
# own so their storage and cloud clients stay out of kiln's go.mod. The
# binaries are keyed by that module's go.mod and go.sum: a changed pin
# rebuilds them, an unchanged one reuses the cache.
build_tools() {
	local tools=$ROOT/hack/tools stamp want bkver regver kilnbk
	want=$(cd "$tools" && sha256sum go.mod go.sum | sha256sum | cut -c1-16)
	stamp=$KILN_DEV_CACHE/bin/.versions
	if [ -x "$KILN_DEV_CACHE/bin/buildkitd" ] && [ -x "$KILN_DEV_CACHE/bin/buildctl" ] && [ -x "$KILN_DEV_CACHE/bin/registry" ] &&
		[ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return
	fi
	bkver=$(cd "$tools" && go list -m -f '{{.Version}}' github.com/moby/buildkit)
	regver=$(cd "$tools" && go list -m -f '{{.Version}}' github.com/distribution/distribution/v3)
	kilnbk=$(cd "$ROOT" && go list -m -f '{{.Version}}' github.com/moby/buildkit)
	if [ "$bkver" != "$kilnbk" ]; then
		echo "hack/tools pins github.com/moby/buildkit $bkver but kiln's go.mod requires $kilnbk; run" >&2
		echo "  (cd hack/tools && go get github.com/moby/buildkit@$kilnbk && go mod tidy)" >&2
		exit 1
	fi
	log "building buildkitd, buildctl, registry (buildkit $bkver, $want) — a few minutes, once"
	local ldflags="-X github.com/moby/buildkit/version.Version=$bkver"
	ldflags+=" -X github.com/distribution/distribution/v3/version.version=$regver"
	(cd "$tools" && go build -ldflags "$ldflags" -o "$KILN_DEV_CACHE/bin/" \
		github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl \
		github.com/distribution/distribution/v3/cmd/registry)
	echo "$want" >"$stamp"
}

# kiln finds buildkitd next to itself, so bin/kiln works from any shell.
build_kiln() {
	log "building kiln"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o bin/ ./cmd/kiln ./hack/importrootfs ./hack/serve)
	ln -sf "$KILN_DEV_CACHE/bin/buildkitd" "$KILN_DEV_CACHE/bin/buildctl" "$ROOT/bin/"
}

# The daemon must know the mirror: restart it if it was started without.
start_daemon() {
	local cfg
	cfg=$(kiln daemon status 2>/dev/null | awk '/^root:/ {print $2}' || true)
	cfg=${cfg%/root}/buildkitd.toml
	if kiln daemon status >/dev/null 2>&1 && ! grep -q "mirrors = \[\"$KILN_REGISTRY\"\]" "$cfg" 2>/dev/null; then
		log "restarting kiln's buildkitd to add the registry mirror"
		kiln daemon stop
	fi
	kiln daemon start
}

start_registry() {
	if curl -fsS "http://$KILN_REGISTRY/v2/" >/dev/null 2>&1; then
		return
	fi
	log "starting registry on $KILN_REGISTRY"
	mkdir -p "$KILN_DEV_CACHE/registry"
	printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n' \
		"$KILN_DEV_CACHE/registry" "$KILN_REGISTRY" >"$RUN_DIR/registry.yml"
	OTEL_TRACES_EXPORTER=none setsid "$KILN_DEV_CACHE/bin/registry" serve "$RUN_DIR/registry.yml" >>"$RUN_DIR/registry.log" 2>&1 </dev/null &
	echo $! >"$RUN_DIR/registry.pid"
	for _ in $(seq 1 50); do
		curl -fsS "http://$KILN_REGISTRY/v2/" >/dev/null 2>&1 && return
		sleep 0.2
	done
	echo "registry did not start; see $RUN_DIR/registry.log" >&2
	tail -n 20 "$RUN_DIR/registry.log" >&2
	exit 1
}

image_in_registry() {
	local repo=${1#*/} name tag
	name=${repo%:*}
	tag=${repo##*:}
	curl -fs -o /dev/null \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://${1%%/*}/v2/$name/manifests/$tag"
}

# The base images are debootstrapped from the host's apt mirror, one
# multi-platform library/debian:SUITE per suite, for the architectures the
# suite's targets need (foreign ones run under qemu-user through binfmt),
# then scrubbed of the mirror's name: builds write apt sources from a
# setting instead. Toolchains use the amd64 image; container images start
# from the target's own. bookworm ($DEBIAN_SUITE) serves kiln's own targets;
# bullseye (glibc 2.31, GCC 10) serves targets that run on older devices
# (examples/bullseye): its toolchains need amd64, and armhf is the root the
# bullseye armv7 packages are installed into and run in (tests, images).
: "${KILN_SUITES:=$DEBIAN_SUITE bullseye}"
declare -A SUITE_ARCHES=(
	[bookworm]="amd64:linux/amd64 arm64:linux/arm64 armhf:linux/arm/v7"
	[bullseye]="amd64:linux/amd64 armhf:linux/arm/v7"
)
DEFAULT_ARCHES="amd64:linux/amd64 arm64:linux/arm64 armhf:linux/arm/v7"

debootstrap_arch() {
	local suite=$1 arch=$2 dir=$KILN_DEV_CACHE/rootfs/$1-$2 log=$RUN_DIR/debootstrap-$1-$2.log
	[ -e "$dir.done" ] && return
	[ -n "$KILN_APT_MIRROR" ] || { echo "no Debian mirror found in /etc/apt; set KILN_APT_MIRROR" >&2; exit 1; }
	log "debootstrapping $suite ($arch) — a minute or two, once"
	rm -rf "$dir" && mkdir -p "$dir"
	debootstrap --variant=minbase --arch="$arch" "$suite" "$dir" "$KILN_APT_MIRROR" >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; exit 1; }
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/log/bootstrap.log "$dir"/var/log/apt/* "$dir"/var/log/dpkg.log
	: >"$dir/etc/apt/sources.list"
	rm -f "$dir/etc/hostname" "$dir/etc/resolv.conf"
	# /dev is provided by the runtime; device nodes would not survive import.
	rm -rf "$dir"/dev && mkdir "$dir/dev"
	touch "$dir.done"
}

# base_image imports library/debian:SUITE unless the registry has it and
# the stamp says it holds the same architectures.
base_image() {
	local suite=$1 ref=$KILN_REGISTRY/library/debian:$1 stamp=$KILN_DEV_CACHE/rootfs/$1.image
	local -a arches
	read -r -a arches <<<"${SUITE_ARCHES[$suite]:-$DEFAULT_ARCHES}"
	local want="${arches[*]}"
	if image_in_registry "$ref" && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return
	fi
	local args=() a
	for a in "${arches[@]}"; do
		debootstrap_arch "$suite" "${a%%:*}"
		args+=("${a#*:}=$KILN_DEV_CACHE/rootfs/$suite-${a%%:*}")
	done
	log "importing base image $ref (${arches[*]#*:})"
	"$ROOT/bin/importrootfs" --addr "$(kiln daemon addr)" --ref "$ref" "${args[@]}"
	echo "$want" >"$stamp"
}

base_images() {
	local suite
	for suite in $KILN_SUITES; do
		base_image "$suite"
	done
}

# docker buildx comes from the Go module proxy, pinned in hack/buildx (a
# module of its own, so its docker/cli and buildkit never move kiln's), and
# is installed as a docker CLI plugin; it also runs standalone.
build_buildx() {
	local stamp want plugins
	want=$(cd "$ROOT/hack/buildx" && sha256sum go.mod go.sum | sha256sum | cut -c1-16)
	stamp=$KILN_DEV_CACHE/bin/.buildx-version
	if [ ! -x "$KILN_DEV_CACHE/bin/docker-buildx" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
		local ver
		ver=$(cd "$ROOT/hack/buildx" && go list -m -f '{{.Version}}' github.com/docker/buildx)
		log "building docker buildx $ver — a couple of minutes, once"
		(cd "$ROOT/hack/buildx" && go build -trimpath -ldflags "-s -w -X github.com/docker/buildx/version.Version=$ver" \
			-o "$KILN_DEV_CACHE/bin/docker-buildx" github.com/docker/buildx/cmd/buildx)
		echo "$want" >"$stamp"
	fi
	plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
	mkdir -p "$plugins"
	ln -sfn "$KILN_DEV_CACHE/bin/docker-buildx" "$plugins/docker-buildx"
}

# The frontend image's build stage needs Go. Without a public registry, the
# host's GOROOT becomes $KILN_REGISTRY/library/golang:<version>-bookworm on
# the Debian base image (hack/golang/Dockerfile), once per Go version.
golang_image() {
	image_in_registry "$GOLANG_IMAGE_REF" && return
	log "importing the host's Go ($(go env GOVERSION)) as $GOLANG_IMAGE_REF"
	buildctl --addr "$(kiln daemon addr)" build --progress plain --frontend dockerfile.v0 \
		--local context="$(go env GOROOT)" --local dockerfile="$ROOT/hack/golang" \
		--local certs=/etc/ssl/certs --opt context:certs=local:certs \
		--opt build-arg:BASE_IMAGE="$BASE_IMAGE_REF" \
		--output "type=image,name=$GOLANG_IMAGE_REF,push=true,registry.insecure=true,oci-mediatypes=true" \
		>"$RUN_DIR/golang-image.log" 2>&1 || { tail -n 30 "$RUN_DIR/golang-image.log" >&2; exit 1; }
}

manifest_digest() {
	local repo=${1#*/}
	curl -fsSI -H 'Accept: application/vnd.oci.image.index.v1+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://${1%%/*}/v2/${repo%:*}/manifests/${repo##*:}" 2>/dev/null | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" {print $2}' || true
}

# The frontend image is built by kiln's own daemon from the top-level
# Dockerfile and pushed as $KILN_FRONTEND_IMAGE and as src-<digest of its
# inputs>: an unchanged tree costs two HEAD requests, a tree built before
# only a re-tag.
frontend_image() {
	local src repo cur want
	src=src-$(frontend_digest)
	repo=${KILN_FRONTEND_IMAGE%:*}
	want=$(manifest_digest "$repo:$src")
	cur=$(manifest_digest "$KILN_FRONTEND_IMAGE")
	if [ -n "$want" ] && [ "$want" = "$cur" ]; then
		return
	fi
	if [ -n "$want" ]; then
		log "tagging $repo:$src as $KILN_FRONTEND_IMAGE"
		local path=${repo#*/} tmp ct
		tmp=$(mktemp)
		ct=$(curl -fsS -D - -o "$tmp" -H 'Accept: application/vnd.oci.image.index.v1+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
			"http://${repo%%/*}/v2/$path/manifests/$src" | tr -d '\r' | awk 'tolower($1) == "content-type:" {print $2}')
		curl -fsS -X PUT -H "Content-Type: $ct" --data-binary @"$tmp" "http://${repo%%/*}/v2/$path/manifests/${KILN_FRONTEND_IMAGE##*:}" >/dev/null
		rm -f "$tmp"
		return
	fi
	log "building the frontend image $KILN_FRONTEND_IMAGE ($src) — about two minutes cold"
	buildctl --addr "$(kiln daemon addr)" build --progress plain --frontend dockerfile.v0 \
		--local context="$ROOT" --local dockerfile="$ROOT" \
		--opt build-arg:GOLANG_IMAGE="$GOLANG_IMAGE_REF" --opt build-arg:GOPROXY="$(go env GOPROXY)" \
		--opt build-arg:KILN_APT_MIRROR="$KILN_APT_MIRROR" \
		--output "type=image,\"name=$KILN_FRONTEND_IMAGE,$repo:$src\",push=true,registry.insecure=true,oci-mediatypes=true" \
		>"$RUN_DIR/frontend-image.log" 2>&1 || { tail -n 30 "$RUN_DIR/frontend-image.log" >&2; exit 1; }
}

# A buildx builder named kiln drives kiln's daemon (driver remote), so
# `docker buildx build` runs the kiln frontend there.
buildx_builder() {
	local addr
	addr=$(kiln daemon addr)
	if docker-buildx inspect kiln 2>/dev/null | grep -qF "$addr"; then
		return
	fi
	log "creating buildx builder kiln on $addr"
	docker-buildx rm kiln >/dev/null 2>&1 || true
	docker-buildx create --name kiln --driver remote --use "$addr" >/dev/null
}

install_apt
enable_binfmt
build_tools
build_kiln
build_buildx
start_registry
start_daemon
base_images
golang_image
frontend_image
buildx_builder
log "set-up complete (registry $KILN_REGISTRY mirroring docker.io, daemon $(kiln daemon addr), base images library/debian:{${KILN_SUITES// /,}}, frontend $KILN_FRONTEND_IMAGE, buildx builder kiln)"
