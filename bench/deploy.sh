#!/bin/bash
# Deploying against moto on loopback (signatures checked), side by side with
# the AWS CLI on the same zip:
#   - publishing a ~30 MB runtime layer: `blambda deploy --layer` vs
#     `aws lambda publish-layer-version --zip-file`, wall time and peak memory
#   - peak memory of deploying a 5 MB and a 49 MB function zip (streamed:
#     it must not grow with the zip)
#   - a no-op redeploy's wall time
#   - many functions with every AWS call given a 100 ms round trip (a proxy
#     in front of moto): updating the code of 12 functions against one, with
#     the default --jobs and with --jobs 1; a no-op deploy of the 12; the
#     calls each made (targets: 12 within 2x of one; the no-op within 1 s)
#
#   bench/deploy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SRC=$(pwd)
BUILD=$(cd "${1:-build}" && pwd)
BLAMBDA=$BUILD/blambda
TMP=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT
export BLAMBDA_CACHE_DIR="$TMP/cache" AWS_EC2_METADATA_DISABLED=true BLAMBDA_WAIT_SCALE=0.01 AWS_PAGER=
PY=$(python3 -c 'import sys, moto; print(sys.executable)')

# a release whose bb is 30 MB of random bytes behind an ELF header: a layer of ~30 MB
mkdir -p "$TMP/rel" "$TMP/mirror/v0.0.2"
cp /bin/true "$TMP/rel/bb"
head -c 31457280 /dev/urandom >> "$TMP/rel/bb"
tar -C "$TMP/rel" -czf "$TMP/mirror/v0.0.2/babashka-0.0.2-linux-amd64-static.tar.gz" bb
(cd "$TMP/mirror/v0.0.2" && sha256sum babashka-0.0.2-linux-amd64-static.tar.gz > babashka-0.0.2-linux-amd64-static.tar.gz.sha256)
"$PY" tests/servers/release_server.py "$TMP/rport" "$TMP/mirror" > "$TMP/release.log" 2>&1 & pids+=($!)
wait_for "$TMP/rport" 30 $! "$TMP/release.log"
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" tests/servers/moto_server.py "$port" "$TMP/moto.key" "$TMP/requests.log" > "$TMP/moto.log" 2>&1 & pids+=($!)
wait_for "$TMP/moto.key" 120 $! "$TMP/moto.log"
read -r AK SK < "$TMP/moto.key"
export BLAMBDA_BABASHKA_URL=http://127.0.0.1:$(cat "$TMP/rport")
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
export AWS_ENDPOINT_URL=http://127.0.0.1:$port

cd "$TMP" && "$BLAMBDA" new-function bench --bb-version 0.0.2 -q > /dev/null && cd bench
"$BLAMBDA" build -q > /dev/null
zip=target/runtime-layer-x86_64.zip

# measure CMD...: "WALL_MS PEAK_KB" of the command
measure() {
	/usr/bin/time -f '%e %M' -o "$TMP/time" "$@" > /dev/null 2> "$TMP/err" || { cat "$TMP/err" >&2; return 1; }
	awk '{ printf "%d %d\n", $1 * 1000, $2 }' "$TMP/time"
}

read -r b_ms b_kb < <(BLAMBDA_RUNTIME_LAYER=bench-blambda measure "$BLAMBDA" deploy --layer -q)
read -r a_ms a_kb < <(measure aws lambda publish-layer-version --layer-name bench-awscli --zip-file "fileb://$zip" \
	--compatible-runtimes provided.al2023 provided.al2 --compatible-architectures x86_64)

"$BLAMBDA" deploy -q > /dev/null # the function exists from here on
fn_peak() {
	head -c "$1" /dev/urandom > src/blob.bin
	"$BLAMBDA" build --function -q > /dev/null
	measure "$BLAMBDA" deploy -q | awk '{ print $2 }'
}
m5=$(fn_peak 5000000)
m49=$(fn_peak 49000000)
rm -f src/blob.bin
"$BLAMBDA" deploy -q > /dev/null
read -r noop_ms _ < <(measure "$BLAMBDA" deploy -q)
read -r noop_aws _ < <(measure aws lambda get-function --function-name bench)

printf 'layer zip:                                  %d MB\n' $(( $(stat -c %s "$zip") >> 20 ))
printf 'blambda deploy --layer:                     %5d ms, peak %6d KB\n' "$b_ms" "$b_kb"
printf 'aws lambda publish-layer-version:           %5d ms, peak %6d KB\n' "$a_ms" "$a_kb"
printf 'aws cli / blambda:                          %.2fx time, %.1fx memory\n' \
	"$(echo "$a_ms / $b_ms" | bc -l)" "$(echo "$a_kb / $b_kb" | bc -l)"
printf 'blambda deploy, 5 MB function zip:          peak %6d KB\n' "$m5"
printf 'blambda deploy, 49 MB function zip:         peak %6d KB\n' "$m49"
printf 'no-op redeploy:                             %5d ms (one aws lambda get-function: %d ms)\n' "$noop_ms" "$noop_aws"

# ---- many functions, 100 ms a call ----
"$PY" "$SRC/tests/servers/fault_proxy.py" "$TMP/proxy.port" "http://127.0.0.1:$port" > "$TMP/proxy.log" 2>&1 & pids+=($!)
wait_for "$TMP/proxy.port" 30 $! "$TMP/proxy.log"
proxy=http://127.0.0.1:$(cat "$TMP/proxy.port")
"$PY" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__fault/rules", data=b"[{\"match\": \"* /\", \"times\": 100000000, \"delay\": 0.1}]", method="POST")).read()' "$proxy"
cd "$TMP" && "$BLAMBDA" new-function fleet --bb-version 0.0.2 -q > /dev/null && cd fleet
{
	printf 'function:\n  handler: fleet/handler\nbabashka:\n  version: 0.0.2\nlayers:\n  runtime: bench-blambda\nfunctions:\n'
	for i in $(seq -w 1 12); do printf '  fleet-%s: {}\n' "$i"; done
} > blambda.yml
export AWS_ENDPOINT_URL=$proxy
"$BLAMBDA" deploy -q > /dev/null # the 12 exist from here on
calls() { wc -l < "$TMP/requests.log"; }
# timed CMD...: "WALL_MS CALLS" of the command
timed() {
	local before
	before=$(calls)
	read -r ms _ < <(measure "$@")
	echo "$ms $(( $(calls) - before ))"
}
echo ";; 1" >> src/fleet.clj
read -r one_ms one_calls < <(timed "$BLAMBDA" deploy -q fleet-01)
echo ";; 2" >> src/fleet.clj
read -r all_ms all_calls < <(timed "$BLAMBDA" deploy -q)
echo ";; 3" >> src/fleet.clj
read -r serial_ms _ < <(timed "$BLAMBDA" deploy -q --jobs 1)
read -r noop12_ms noop12_calls < <(timed "$BLAMBDA" deploy -q)
read -r noop12s_ms _ < <(timed "$BLAMBDA" deploy -q --jobs 1)
read -r noop12w_ms _ < <(timed "$BLAMBDA" deploy -q --jobs 12)
# the same without the 100 ms: what moto itself takes (its calls queue behind one Python process)
"$PY" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__fault/rules", data=b"[]", method="POST")).read()' "$proxy"
echo ";; 4" >> src/fleet.clj
read -r fast_all_ms _ < <(timed "$BLAMBDA" deploy -q)
read -r fast_noop_ms _ < <(timed "$BLAMBDA" deploy -q)

printf '12 functions, every call 100 ms:\n'
printf '  code of one function:                    %5d ms, %d calls\n' "$one_ms" "$one_calls"
printf '  code of 12 (--jobs 8):                   %5d ms, %d calls: %.2fx of one (target <= 2x)\n' "$all_ms" "$all_calls" \
	"$(echo "$all_ms / $one_ms" | bc -l)"
printf '  code of 12 (--jobs 1, one after another): %5d ms: %.2fx of one\n' "$serial_ms" "$(echo "$serial_ms / $one_ms" | bc -l)"
printf '  nothing to do (--jobs 8):                %5d ms, %d calls (target <= 1000 ms)\n' "$noop12_ms" "$noop12_calls"
printf '  nothing to do (--jobs 1):                %5d ms\n' "$noop12s_ms"
printf '  nothing to do (--jobs 12, one round):    %5d ms\n' "$noop12w_ms"
printf '  without the 100 ms (moto alone): code of 12 %d ms, nothing to do %d ms\n' "$fast_all_ms" "$fast_noop_ms"
