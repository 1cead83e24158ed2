#!/bin/bash
# bootstrap's cost per invocation, its memory and its size.
#
#   bench/runtime.sh [BUILD_DIR] [INVOCATIONS]
#
# Both runtimes below serve the same events from the loopback Runtime API
# emulator of the tests (tests/servers/runtime_api.py):
#   baseline   a minimal custom runtime written in Python, doing the HTTP itself
#   bootstrap  the static C bootstrap handing each event to a trivial child
#              over its pipes (the child answers at once, so what is measured
#              is bootstrap: HTTP, pipes and process plumbing)
# and the ratio of their times per invocation is reported, with bootstrap's
# peak RSS and the sizes of both bootstraps.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${1:-build}
N=${2:-2000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cc -O2 -o "$TMP/child" bench/trivial_child.c
python3 -c "import json; [print(json.dumps('{\"n\":%d}' % i)) for i in range($N)]" > "$TMP/events"

# serve RUNNER...: time (seconds) to serve all events with RUNNER as the runtime
serve() {
	rm -f "$TMP/port" "$TMP/results"
	python3 tests/servers/runtime_api.py "$TMP/port" "$TMP/events" "$TMP/results" > "$TMP/api.log" 2>&1 &
	local api=$!
	wait_for "$TMP/port" 30 $api "$TMP/api.log"
	local start end
	start=$(date +%s%N)
	AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$TMP/port") _HANDLER=bench/handler BLAMBDA_BB="$TMP/child" \
		"$@" > /dev/null 2>&1 || true
	end=$(date +%s%N)
	kill $api 2>/dev/null || true
	wait $api 2>/dev/null || true
	local served
	served=$(grep -c '"response"' "$TMP/results")
	[ "$served" -eq "$N" ] || { echo "only $served of $N invocations were served" >&2; exit 1; }
	echo $(( (end - start) / 1000 ))
}

base_us=$(serve python3 bench/python_runtime.py)
boot_us=$(serve "$BUILD/runtime/bootstrap-x86_64")

# peak RSS of bootstrap while it serves (sampled from /proc)
rm -f "$TMP/port" "$TMP/results"
python3 tests/servers/runtime_api.py "$TMP/port" "$TMP/events" "$TMP/results" > "$TMP/api.log" 2>&1 &
api=$!
wait_for "$TMP/port" 30 $api "$TMP/api.log"
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$(cat "$TMP/port") _HANDLER=bench/handler BLAMBDA_BB="$TMP/child" \
	"$BUILD/runtime/bootstrap-x86_64" > /dev/null 2>&1 &
boot=$!
hwm=0
while kill -0 $boot 2>/dev/null; do
	v=$(awk '/VmHWM/ {print $2}' /proc/$boot/status 2>/dev/null || true)
	[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
	sleep 0.01
done
kill $api 2>/dev/null || true

printf 'invocations:                  %d\n' "$N"
printf 'python runtime (baseline):    %.1f us per invocation\n' "$(echo "$base_us / $N" | bc -l)"
printf 'bootstrap + trivial child:    %.1f us per invocation\n' "$(echo "$boot_us / $N" | bc -l)"
printf 'baseline / bootstrap:         %.2fx\n' "$(echo "$base_us / $boot_us" | bc -l)"
printf 'bootstrap peak RSS:           %d KB\n' "$hwm"
for a in x86_64 arm64; do
	[ -f "$BUILD/runtime/bootstrap-$a" ] && printf 'bootstrap size (%s):      %d bytes\n' $a "$(stat -c %s "$BUILD/runtime/bootstrap-$a")"
done
