#!/usr/bin/env bash
# down.sh stops what setup.sh started, by the PIDs it recorded.
source "$(dirname "$0")/env.sh"
kiln daemon stop || true
if [ -f "$RUN_DIR/registry.pid" ]; then
	kill "$(cat "$RUN_DIR/registry.pid")" 2>/dev/null || true
	rm -f "$RUN_DIR/registry.pid"
fi
