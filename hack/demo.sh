#!/usr/bin/env bash
# demo.sh builds every example for every target into out/, serving the
# stand-in download site for examples fetched by URL.
source "$(dirname "$0")/env.sh"
cd "$ROOT"
go build -o bin/ ./hack/serve
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; true' EXIT
bin/serve --addr 127.0.0.1:8765 --dir examples/greet/upstream 2>"$RUN_DIR/serve.log" &
serve_pid=$!
log "building examples/* for all targets"
kiln build examples/* --target all -o out/
log "packages and feed indexes in out/:"
find out -type f | sort
