#!/usr/bin/env bash
# bench.sh runs the benchmarks; each prints its figure and its ratio against
# a baseline measured in the same run.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
go build -o bin/ ./hack/serve
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; true' EXIT
bin/serve --addr 127.0.0.1:8765 --dir examples/greet/upstream 2>"$RUN_DIR/serve.log" &
serve_pid=$!
export KILN_BIN="$ROOT/bin/kiln" KILN_BUILDKITD="$KILN_DEV_CACHE/bin/buildkitd"
# BENCH picks benchmarks by name (go test -bench), e.g. BENCH='FeedScale|WarmRebuild'.
go test -run '^$' -bench "${BENCH:-.}" -benchtime 1x -timeout 60m ./bench
