#!/bin/bash
# Run every libFuzzer harness of a -DBLAMBDA_FUZZ=ON build for a bounded time
# each, starting from the seed corpus in the tree; a crash fails the run.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1
secs=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0 passed=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	name=$(basename "$bin")
	mkdir -p "$work/$name"
	cp -r "$here/corpus/${name#fuzz_}/." "$work/$name/" 2>/dev/null || true
	if "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/$name-" "$work/$name" > "$work/$name.log" 2>&1; then
		echo "ok    $name ($(grep -o 'Done [0-9]* runs' "$work/$name.log" | tail -1))"
		passed=$((passed + 1))
	else
		echo "FAIL  $name"
		tail -40 "$work/$name.log"
		for a in "$work/$name-"*; do [ -e "$a" ] && { echo "input (base64):"; base64 -w0 "$a"; echo; }; done
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
