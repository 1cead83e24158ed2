#!/bin/bash
# blambda local: the warm invoke round trip and the --watch turnaround.
#
#   bench/local.sh [BUILD_DIR] [INVOCATIONS]
#
# Round trip: client -> Invoke API -> bootstrap -> a trivial runtime (the
# child of bench/runtime.sh, which answers at once, so no handler time is
# in it) -> back, through `blambda local start`, against the same through a
# Python emulator of both APIs (bench/py_emulator.py, as tests/servers
# serves them) driving the same bootstrap; both in this run, with the ratio.
# Freeze: what stopping the environment's processes between invocations,
# as Lambda does, and letting them go on again costs, by a cgroup's freezer
# and by signals (bench/freeze.c).
# Watch: from saving a source file to the first invocation served by a
# restarted runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ROOT=$PWD
BUILD=$(cd "${1:-build}" && pwd)
N=${2:-2000}
TMP=$(mktemp -d)
PIDS=""
trap 'kill $PIDS 2>/dev/null || true; rm -rf "$TMP"' EXIT
export AWS_EC2_METADATA_DISABLED=true HOME="$TMP" BLAMBDA_CACHE_DIR="$TMP/cache"
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

cc -O2 -o "$TMP/child" bench/trivial_child.c
cc -O2 -o "$TMP/freeze" bench/freeze.c
export BLAMBDA_BB="$TMP/child"
mkdir -p "$TMP/p/src"
printf 'function:\n  name: f\n  handler: bench/handler\n  memory: 512\n  timeout: 30\n' > "$TMP/p/blambda.yml"
echo ';; the trivial runtime loads nothing' > "$TMP/p/src/bench.clj"
cd "$TMP/p"

# through blambda local start
"$BUILD/blambda" local start --port 0 --json --watch -q > "$TMP/start.json" 2> "$TMP/start.err" &
PIDS="$PIDS $!"
wait_for "$TMP/start.json" 60 $! "$TMP/start.err"
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint_url"].rsplit(":",1)[1])' "$TMP/start.json")
local_us=$(python3 "$ROOT/bench/invoke_client.py" "$port" f "$N")

# through the Python emulator, the same bootstrap and child
python3 "$ROOT/bench/py_emulator.py" "$TMP/py.port" > "$TMP/py.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$TMP/py.port" 30 $! "$TMP/py.log"
read -r ipy rpy < "$TMP/py.port" || true
AWS_LAMBDA_RUNTIME_API=127.0.0.1:$rpy _HANDLER=bench/handler LAMBDA_TASK_ROOT="$TMP/p/src" \
	"$BUILD/runtime/bootstrap-x86_64" > /dev/null 2>&1 &
PIDS="$PIDS $!"
py_us=$(python3 "$ROOT/bench/invoke_client.py" "$ipy" f "$N")

# --watch: save a file, then invoke until a runtime started afresh answers (its log tail has Init Duration)
watch_ms=$(python3 - "$port" <<'PY'
import base64, http.client, sys, time
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port)
def cold():
    c.request("POST", "/2015-03-31/functions/f/invocations", body=b"{}", headers={"X-Amz-Log-Type": "Tail"})
    r = c.getresponse(); r.read()
    return b"Init Duration" in base64.b64decode(r.getheader("X-Amz-Log-Result"))
runs = []
for i in range(5):
    time.sleep(0.3)
    start = time.perf_counter()
    with open("src/bench.clj", "a") as f:
        f.write(";; edit %d\n" % i)
    while not cold():
        if time.perf_counter() - start > 30:
            sys.exit("bench: no runtime started afresh within 30 s of an edit")
        time.sleep(0.002)
    runs.append((time.perf_counter() - start) * 1000)
runs.sort()
print("%.0f" % runs[len(runs) // 2])
PY
)

echo "warm invoke round trip, $N invocations (trivial runtime, no handler time):"
echo "  blambda local start  $local_us us"
echo "  Python emulator      $py_us us"
python3 -c "print('  ratio                %.2fx' % ($py_us / $local_us))"
echo "freeze and thaw of an environment between invocations (its part of the round trip):"
echo "  by its cgroup's freezer (where blambda can make a cgroup v2): $("$TMP/freeze" 10000 cgroup) us"
echo "  by SIGSTOP and SIGCONT (elsewhere):                           $("$TMP/freeze" 10000) us"
echo "--watch: save to serving the new code (median of 5): $watch_ms ms (of which 100 ms is the quiet spell that coalesces an editor's writes)"
