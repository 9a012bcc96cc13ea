#!/usr/bin/env bash
# lint.sh runs every static check on kiln: go vet, staticcheck (configured
# by staticcheck.conf), gofmt, go mod tidy -diff for kiln and for each module
# under hack/, and that hack/tools builds the BuildKit kiln links. Every
# check runs; the script fails at the end if any did. It needs only Go (with
# bash and coreutils; it does not source env.sh, which reads apt's
# configuration): staticcheck is built from hack/tools into
# $KILN_DEV_CACHE/bin, and rebuilt only when its pin or the Go version changes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${KILN_DEV_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/kiln-dev}"
mkdir -p "$KILN_DEV_CACHE/bin"
cd "$ROOT"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

failed=()
check() {
	local name=$1
	shift
	log "$name"
	"$@" || failed+=("$name")
}

# staticcheck must be built by the Go that compiles the code it checks, so
# the stamp holds the Go version and the modules staticcheck is built from.
build_staticcheck() {
	local bin=$KILN_DEV_CACHE/bin/staticcheck stamp=$KILN_DEV_CACHE/bin/.staticcheck-version want
	want=$(cd hack/tools && { go env GOVERSION; go list -deps -f '{{with .Module}}{{.Path}}@{{.Version}}{{end}}' honnef.co/go/tools/cmd/staticcheck | sort -u; } |
		sha256sum | cut -c1-16)
	if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return
	fi
	log "building staticcheck $(cd hack/tools && go list -m -f '{{.Version}}' honnef.co/go/tools) — a minute, once"
	(cd hack/tools && go build -trimpath -o "$bin" honnef.co/go/tools/cmd/staticcheck)
	echo "$want" >"$stamp"
}

# gofmt sees every Go file of the module, whatever its build constraints.
gofmt_check() {
	local files bad
	files=$(go list -f '{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .CgoFiles}}{{$d}}/{{.}}
{{end}}{{range .IgnoredGoFiles}}{{$d}}/{{.}}
{{end}}{{range .TestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .XTestGoFiles}}{{$d}}/{{.}}
{{end}}' ./...)
	bad=$(gofmt -l $files)
	[ -z "$bad" ] && return
	echo "not gofmt-ed (run make fmt):" >&2
	local f
	for f in $bad; do echo "  ${f#"$ROOT"/}" >&2; done
	return 1
}

tidy_check() {
	local mod ok=0
	for mod in . hack/*/; do
		[ -f "$mod/go.mod" ] || continue
		mod=${mod%/}
		(cd "$mod" && go mod tidy -diff) || { echo "$mod: go.mod/go.sum not tidy (run: cd $mod && go mod tidy)" >&2; ok=1; }
	done
	return $ok
}

# setup.sh builds buildkitd from hack/tools: it must be the BuildKit kiln
# speaks to, not merely a compatible one.
buildkit_pin_check() {
	local kiln tools
	kiln=$(go list -m -f '{{.Version}}' github.com/moby/buildkit)
	tools=$(cd hack/tools && go list -m -f '{{.Version}}' github.com/moby/buildkit)
	[ "$kiln" = "$tools" ] && return
	echo "hack/tools pins github.com/moby/buildkit $tools, kiln's go.mod $kiln" >&2
	return 1
}

build_staticcheck
check "go vet" go vet ./...
check "staticcheck" "$KILN_DEV_CACHE/bin/staticcheck" ./...
check "gofmt" gofmt_check
check "go mod tidy -diff" tidy_check
check "hack/tools BuildKit pin" buildkit_pin_check

if [ ${#failed[@]} -gt 0 ]; then
	echo "lint failed: ${failed[*]}" >&2
	exit 1
fi
log "lint passed"
