#!/usr/bin/env bash
# test.sh lints, sets everything up, runs every test tier against a real
# buildkitd and registry, and stops only the daemons this run started (by PID).
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# Lint first (it includes go vet): findings fail the run before any set-up.
hack/lint.sh
# A short run of every fuzz target (FUZZTIME each); crashers stay in testdata/fuzz.
hack/fuzz.sh

registry_was_up=false
curl -fsS "http://$KILN_REGISTRY/v2/" >/dev/null 2>&1 && registry_was_up=true
# kiln's managed daemon (same home as daemon.DefaultHome) may already run;
# bin/kiln may not exist yet in a fresh clone, so look at its pid file.
kiln_home=${KILN_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kiln}
daemon_was_up=false
if pid=$(cat "$kiln_home/buildkitd.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
	daemon_was_up=true
fi

cleanup() {
	if ! $daemon_was_up; then bin/kiln daemon stop || true; fi
	if ! $registry_was_up && [ -f "$RUN_DIR/registry.pid" ]; then
		kill "$(cat "$RUN_DIR/registry.pid")" 2>/dev/null || true
		rm -f "$RUN_DIR/registry.pid"
	fi
}
trap cleanup EXIT

hack/setup.sh
# Tests need room beyond the build cache: packages, images and the state
# of the daemons they start go to TMPDIR. The daemon's GC keeps 5 GB free;
# before the run, free the least recently used cache until 15 GB are.
for d in "$kiln_home" "${TMPDIR:-/tmp}"; do
	avail=$(df -B1 --output=avail "$d" | tail -n1)
	if [ "$avail" -lt 15000000000 ]; then
		log "only $((avail / 1000000)) MB free under $d: pruning the build cache"
		bin/kiln daemon prune --min-free 15GB
		break
	fi
done
# Tests use the frontend image of this very tree (set-up pushed it under
# its source digest too), whatever another checkout tagged :dev since.
export KILN_FRONTEND_IMAGE=${KILN_FRONTEND_IMAGE%:*}:src-$(frontend_digest)

export KILN_INTEGRATION=1 KILN_BIN="$ROOT/bin/kiln" KILN_BUILDKITD="$KILN_DEV_CACHE/bin/buildkitd"
log "go test (unit, CLI scripts, integration)"
go test -count=1 -timeout 60m ./... 2>&1 | tee "$RUN_DIR/test.log"
