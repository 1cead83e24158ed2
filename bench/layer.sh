#!/bin/bash
# Building the runtime layer from a cached release tarball, against what
# Blambda! does: `tar xzf` then `zip -6` of the same three files. Cold: bb
# is inflated from the tarball and deflated on every core into the cache,
# then copied into the layer. Warm: a later build (blambda upgrade,
# runtime.clj change, --force) copies the deflated bb that the cold build
# left in the cache, checked by its digest. Targets: cold <= 0.6x and warm
# <= 0.1x of the baseline's time; the layer within 1% of zip -6's size.
#
#   bench/layer.sh [BUILD_DIR] [RUNS]
#
# No Babashka binary can be had here, so the release holds a stand-in `bb` of
# the real one's size (72 MB) made of this machine's own executables and
# libraries, which compress like bb does.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export BLAMBDA_CACHE_DIR="$TMP/cache" AWS_EC2_METADATA_DISABLED=true

mkdir -p "$TMP/rel" "$TMP/mirror/v0.0.1"
cp /bin/true "$TMP/rel/bb" # an x86_64 ELF header first
{ find /usr/lib /usr/bin -type f -size +100k 2>/dev/null | sort | while read -r f; do
	cat "$f" >> "$TMP/rel/bb"
	[ "$(stat -c %s "$TMP/rel/bb")" -gt 75497472 ] && break
done; } || true # find is cut off by the break
truncate -s 75497472 "$TMP/rel/bb"
tar -C "$TMP/rel" -czf "$TMP/mirror/v0.0.1/babashka-0.0.1-linux-amd64-static.tar.gz" bb
(cd "$TMP/mirror/v0.0.1" && sha256sum babashka-0.0.1-linux-amd64-static.tar.gz > babashka-0.0.1-linux-amd64-static.tar.gz.sha256)
python3 tests/servers/release_server.py "$TMP/port" "$TMP/mirror" > "$TMP/release.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for "$TMP/port" 30 $server "$TMP/release.log"
export BLAMBDA_BABASHKA_URL=http://127.0.0.1:$(cat "$TMP/port")
mkdir -p "$TMP/work" && cd "$TMP/work"
"$BUILD/blambda" build --runtime-layer -q --bb-version 0.0.1 > /dev/null # fills the cache
tarball="$TMP/cache/babashka/0.0.1/babashka-0.0.1-linux-amd64-static.tar.gz"
unzip -q target/runtime-layer-x86_64.zip bootstrap blambda/runtime.clj -d "$TMP/parts"

best() { sort -n | head -1; }
ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
baseline() {
	rm -rf "$TMP/b" && mkdir -p "$TMP/b" && cd "$TMP/b"
	cp -r "$TMP/parts/." .
	tar xzf "$tarball" && zip -6 -q -r layer.zip bootstrap bb blambda
	cd "$TMP/work"
}
base=$(for i in $(seq "$RUNS"); do ms baseline; done | best)
cold() {
	rm -f "$TMP"/cache/babashka/0.0.1/bb-*.zip*
	"$BUILD/blambda" build --runtime-layer -q --force --bb-version 0.0.1
}
ours=$(for i in $(seq "$RUNS"); do ms cold; done | best)
cold_sha=$(sha256sum target/runtime-layer-x86_64.zip | cut -d' ' -f1)
warm=$(for i in $(seq "$RUNS"); do ms "$BUILD/blambda" build --runtime-layer -q --force --bb-version 0.0.1; done | best)
[ "$(sha256sum target/runtime-layer-x86_64.zip | cut -d' ' -f1)" = "$cold_sha" ] || echo "warning: the warm layer differs from the cold one" >&2
noop=$(for i in $(seq "$RUNS"); do ms "$BUILD/blambda" build --runtime-layer -q --bb-version 0.0.1; done | best)

printf 'stand-in bb:                        %d MB, tarball %d MB\n' $(( $(stat -c %s "$TMP/rel/bb") >> 20 )) $(( $(stat -c %s "$tarball") >> 20 ))
printf 'tar xzf + zip -6 (baseline):        %d ms, zip %d bytes\n' "$base" "$(stat -c %s "$TMP/b/layer.zip")"
printf 'blambda build, cold (deflates bb):  %d ms, zip %d bytes\n' "$ours" "$(stat -c %s target/runtime-layer-x86_64.zip)"
printf 'blambda build --force, warm (copy): %d ms\n' "$warm"
printf 'blambda build, nothing changed:     %d ms\n' "$noop"
printf 'blambda build / baseline, cold:     %.2fx (target <= 0.6x)\n' "$(echo "$ours / $base" | bc -l)"
printf 'blambda build / baseline, warm:     %.2fx (target <= 0.1x)\n' "$(echo "$warm / $base" | bc -l)"
printf 'layer size / zip -6 size:           %.4f (target <= 1.01)\n' \
	"$(echo "$(stat -c %s target/runtime-layer-x86_64.zip) / $(stat -c %s "$TMP/b/layer.zip")" | bc -l)"
unzip -tq target/runtime-layer-x86_64.zip > /dev/null || echo "warning: the layer does not pass unzip -t" >&2
