#!/usr/bin/env bash
# fuzz.sh runs every go test -fuzz target of kiln for a short time
# (FUZZTIME, default 2s each: about a minute for all once the
# instrumented builds are in Go's build cache; FUZZTIME=10m for the long run once per change
# of the code a target covers). A crash fails the run; Go keeps its input
# under the package's testdata/fuzz/, where every later go test replays it:
# commit it with the fix as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-2s}
# FUZZPARALLEL caps the fuzzing workers (go test -parallel; default: one per
# core): the long run on a shared machine takes 1, under nice -n 19.
parallel=${FUZZPARALLEL:+-parallel $FUZZPARALLEL}
# package and target, one pair a line; `go test -fuzz` takes one at a time.
targets="
./schema FuzzParse
./version FuzzParse
./version FuzzCompare
./version FuzzCompat
./version FuzzParseDep
./pack/ipk/feed FuzzReadIPK
./pack/syspkg FuzzParseMeta
./pack/syspkg FuzzScanPayload
./oci FuzzCleanLayout
./pack/syspkg/sign FuzzDescribe
./pack/syspkg/repo FuzzParseList
./unpack FuzzIPK
./split FuzzPlan
./importer/spksrc FuzzPLIST
"
# Every target in the tree is listed: a new one is not forgotten.
listed=$(awk 'NF {print $2}' <<<"$targets" | sort -u)
found=$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //' | sort -u)
if [ "$listed" != "$found" ]; then
	echo "fuzz.sh: the targets listed differ from those in the tree:" >&2
	diff <(echo "$listed") <(echo "$found") >&2 || true
	exit 1
fi
# corpus_size counts the inputs kept for a target (none yet: 0).
corpus_size() { { ls "$1" 2>/dev/null || true; } | wc -l; }
while read -r pkg target; do
	[ -n "$pkg" ] || continue
	echo "==> fuzz $pkg $target ($fuzztime)"
	corpus="$pkg/testdata/fuzz/$target"
	before=$(corpus_size "$corpus")
	if ! out=$(go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" $parallel "$pkg" 2>&1); then
		# Go's fuzzing engine reports "context deadline exceeded" when the
		# time runs out while a worker is still on an input (slow inputs,
		# a loaded machine): no crasher was written, nothing failed.
		if grep -q 'context deadline exceeded' <<<"$out" && [ "$(corpus_size "$corpus")" = "$before" ]; then
			echo "fuzz.sh: $pkg $target: the fuzzing time ran out during an input (no crash)"
			continue
		fi
		echo "$out" >&2
		echo "fuzz.sh: $pkg $target failed; the crasher is under $pkg/testdata/fuzz/$target" >&2
		exit 1
	fi
	tail -1 <<<"$out"
done <<<"$targets"
