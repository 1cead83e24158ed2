#!/bin/bash
# blambda build --runtime-layer: the Babashka release fetched from a loopback
# mirror, verified, cached; the layer zip's contents, modes, reproducibility
# and incremental rebuilds; every way a download can go wrong.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_CACHE_DIR="$TMP/cache" BLAMBDA_RETRY_BASE_MS=20 BLAMBDA_READ_TIMEOUT=2
make_release "$TMP/mirror" 9.9.9 x86_64 arm64 || { echo "cannot make a fake release" >&2; exit 1; }
start_release_server "$TMP/mirror" --log "$TMP/requests.log"
export BLAMBDA_BABASHKA_URL=$RELEASE_URL
mkdir -p "$TMP/work" && cd "$TMP/work" || exit 1
ZIP=target/runtime-layer-x86_64.zip
requests() { wc -l < "$TMP/requests.log" 2>/dev/null || echo 0; }

test_case "a first build downloads, verifies and caches the release, with no blambda.yml"
blambda build --runtime-layer --bb-version 9.9.9
expect_status 0
expect_out_has "runtime-layer  x86_64  $ZIP"
expect_out_has "built"
expect_err_has "Downloading $RELEASE_URL/v9.9.9/babashka-9.9.9-linux-amd64-static.tar.gz"
expect_err_has "warning: Babashka 9.9.9 is not pinned in blambda: only the digest published beside it ($RELEASE_URL/v9.9.9/babashka-9.9.9-linux-amd64-static.tar.gz.sha256) vouches for what is downloaded"
[ "$(printf '%s\n' "$err" | grep -c 'is not pinned')" = 1 ] && pass || fail "said more than once: $err"
expect_file "$ZIP"
expect_file "$TMP/cache/babashka/9.9.9/babashka-9.9.9-linux-amd64-static.tar.gz"

test_case "the layer holds bootstrap, bb and blambda/runtime.clj with their modes"
run unzip -Z "$ZIP"
expect_out_has "-rwxr-xr-x  6.3 unx"
listing=$(unzip -Z1 "$ZIP" | tr '\n' ' ')
[ "$listing" = "bb blambda/runtime.clj bootstrap " ] && pass || fail "entries are: $listing"
for e in bb bootstrap; do
	unzip -Z "$ZIP" "$e" | grep -q '^-rwxr-xr-x' && pass || fail "$e is not 0755"
done
unzip -Z "$ZIP" blambda/runtime.clj | grep -q '^-rw-r--r--' && pass || fail "runtime.clj is not 0644"
mkdir -p layer && unzip -q -o "$ZIP" -d layer
cmp -s layer/bootstrap "$BLAMBDA_BUILD_DIR/runtime/bootstrap-x86_64" && pass || fail "bootstrap differs from the built one"
cmp -s layer/blambda/runtime.clj "$BLAMBDA_SOURCE_DIR/runtime/runtime.clj" && pass || fail "runtime.clj differs"
tar -xzOf "$TMP/mirror/v9.9.9/babashka-9.9.9-linux-amd64-static.tar.gz" bb | cmp -s - layer/bb && pass || fail "bb differs from the release's"

test_case "--json reports the artifact"
blambda build --runtime-layer --bb-version 9.9.9 --json
expect_status 0
sha=$(sha256sum "$ZIP" | cut -d' ' -f1)
size=$(stat -c %s "$ZIP")
expect_json "d['artifacts'] == [{'kind': 'runtime-layer', 'path': '$ZIP', 'sha256': '$sha', 'size': $size, 'arch': 'x86_64', 'built': False}]"

test_case "a rebuild with nothing changed does no work and touches no network"
before=$(requests)
mtime=$(stat -c %Y.%N "$ZIP")
blambda build --runtime-layer --bb-version 9.9.9
expect_status 0
expect_out_has "up to date"
[ "$(stat -c %Y.%N "$ZIP")" = "$mtime" ] && pass || fail "the zip was rewritten"
[ "$(requests)" = "$before" ] && pass || fail "the rebuild made requests"

test_case "--dry-run says what would be built and why, and builds nothing"
blambda build --runtime-layer --bb-version 9.9.9 --dry-run
expect_out "$ZIP is up to date"
blambda build --runtime-layer --bb-version 9.9.9 --arch arm64 --dry-run
expect_out "would build target/runtime-layer-arm64.zip: it does not exist yet"
expect_no_file target/runtime-layer-arm64.zip
touch "$ZIP"
blambda build --runtime-layer --bb-version 9.9.9 -n --json
expect_json "d['artifacts'][0]['would_build'] and d['artifacts'][0]['reason'] == 'it was changed after it was built'"

test_case "reproducible: the same inputs give the same bytes, whatever the time zone"
rm -rf target
TZ=Pacific/Kiritimati blambda build --runtime-layer --bb-version 9.9.9 --force
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the rebuilt zip differs"

test_case "later layers copy the deflated bb from the cache: the same bytes, no inflating"
DEFLATED=$(ls "$TMP"/cache/babashka/9.9.9/bb-x86_64-*-deflate6-b128.zip)
expect_file "$DEFLATED"
[ "$(unzip -Z1 "$DEFLATED")" = "bb" ] && pass || fail "the cached zip holds $(unzip -Z1 "$DEFLATED")"
rm -rf target
blambda build --runtime-layer --bb-version 9.9.9 -v
expect_err_has "copying the deflated bb from $DEFLATED"
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the layer built from the copy differs"
unzip -tq "$ZIP" > /dev/null && pass || fail "the layer built from the copy does not test clean"
# a damaged copy is not used: the layer is built from the tarball again, and the copy renewed
printf 'x' | dd of="$DEFLATED" bs=1 seek=100 conv=notrunc 2>/dev/null
blambda build --runtime-layer --bb-version 9.9.9 --force -v
expect_err_lacks "copying the deflated bb"
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the layer differs after the damaged copy"
blambda build --runtime-layer --bb-version 9.9.9 --force -v
expect_err_has "copying the deflated bb"
# without its digest the copy is not trusted
rm "$DEFLATED.sha256"
blambda build --runtime-layer --bb-version 9.9.9 --force -v
expect_status 0
expect_err_has "is damaged: deflating bb again"
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the layer differs after a lost digest"
expect_file "$DEFLATED.sha256"
unzip -tq "$DEFLATED" > /dev/null && pass || fail "the cached copy does not test clean"
# a zip without bb in the cache: built from the tarball, not an error
(cd "$TMP" && rm -f nobb.zip && printf 'x' > other && zip -q nobb.zip other)
cp "$TMP/nobb.zip" "$DEFLATED" && sha256sum "$DEFLATED" | cut -d' ' -f1 > "$DEFLATED.sha256"
blambda build --runtime-layer --bb-version 9.9.9 --force
expect_status 0
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the layer differs after a cache zip without bb"

test_case "a cache that cannot keep the deflated bb: a warning, the same layer, nothing left behind"
rm -f "$DEFLATED" "$DEFLATED.sha256" && mkdir "$DEFLATED" # a directory: the rename into the cache fails
blambda build --runtime-layer --bb-version 9.9.9 --force
expect_status 0
expect_err_has "cannot keep the deflated bb in the cache"
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$sha" ] && pass || fail "the layer differs without a cache"
[ -z "$(ls -A target | grep -v '^runtime-layer-x86_64.zip' | grep -v '^\.runtime-layer-x86_64.zip.stamp' | grep -v '^layer$')" ] && pass ||
	fail "left in target: $(ls -A target)"
rmdir "$DEFLATED"

test_case "arm64: the arm64 bootstrap and the aarch64 release"
blambda build --runtime-layer --bb-version 9.9.9 --arch arm64
expect_status 0
unzip -p target/runtime-layer-arm64.zip bootstrap | cmp -s - "$BLAMBDA_BUILD_DIR/runtime/bootstrap-arm64" && pass || fail "not the arm64 bootstrap"
unzip -p target/runtime-layer-arm64.zip bb | od -An -tx1 -j18 -N2 | grep -q 'b7 00' && pass || fail "bb is not aarch64"

test_case "blambda.yml and BLAMBDA_* choose the version and the mirror"
printf 'babashka:\n  version: 9.9.9\n  mirror: %s\nfunction:\n  architecture: arm64\n' "$RELEASE_URL" > blambda.yml
BLAMBDA_BABASHKA_URL= blambda build --runtime-layer --json
expect_json "d['artifacts'][0]['arch'] == 'arm64' and d['artifacts'][0]['path'] == 'target/runtime-layer-arm64.zip'"
rm blambda.yml

test_case "the cache is reused with the server gone"
kill "$RELEASE_PID"
wait "$RELEASE_PID" 2>/dev/null
blambda build --runtime-layer --bb-version 9.9.9 --force
expect_status 0
expect_err_lacks "Downloading"
expect_err_lacks "is not pinned"
start_release_server "$TMP/mirror" --log "$TMP/requests.log"
export BLAMBDA_BABASHKA_URL=$RELEASE_URL

test_case "without libarchive: its package named, nothing downloaded, nothing in the cache blamed"
make_release "$TMP/mirror" 9.9.7
mkdir -p "$TMP/stublib"
echo 'int blambda_stub;' > "$TMP/stublib/stub.c"
cc -shared -fPIC -Wl,-soname,libarchive.so.13 -o "$TMP/stublib/libarchive.so.13" "$TMP/stublib/stub.c"
: > "$TMP/requests.log"
LD_LIBRARY_PATH="$TMP/stublib" blambda build --runtime-layer --bb-version 9.9.7
expect_status 1
expect_err_has "cannot use libarchive.so.13"
expect_err_has "hint: install it with 'apt-get install libarchive13'"
expect_err_lacks "removed"
grep -q 'babashka-9.9.7.*tar.gz$' "$TMP/requests.log" && fail "the release was downloaded: $(cat "$TMP/requests.log")" || pass
blambda build --runtime-layer --bb-version 9.9.7
expect_status 0

test_case "a checksum mismatch is a hard error naming both digests; nothing is cached or replaced"
good=$(sha256sum "$ZIP" | cut -d' ' -f1)
make_release "$TMP/mirror" 8.8.8
want=$(cut -d' ' -f1 "$TMP/mirror/v8.8.8/babashka-8.8.8-linux-amd64-static.tar.gz.sha256")
echo extra >> "$TMP/mirror/v8.8.8/babashka-8.8.8-linux-amd64-static.tar.gz"
got=$(sha256sum "$TMP/mirror/v8.8.8/babashka-8.8.8-linux-amd64-static.tar.gz" | cut -d' ' -f1)
blambda build --runtime-layer --bb-version 8.8.8
expect_status 1
expect_err_has "checksum mismatch for '$RELEASE_URL/v8.8.8/babashka-8.8.8-linux-amd64-static.tar.gz': expected $want (from the release's .sha256), got $got"
expect_no_file "$TMP/cache/babashka/8.8.8/babashka-8.8.8-linux-amd64-static.tar.gz"
[ -z "$(ls "$TMP/cache/babashka/8.8.8/" 2>/dev/null)" ] && pass || fail "the cache holds: $(ls "$TMP/cache/babashka/8.8.8/")"
[ "$(sha256sum "$ZIP" | cut -d' ' -f1)" = "$good" ] && pass || fail "the previous layer was replaced"

test_case "the pinned digest of a known release is checked"
mkdir -p "$TMP/mirror/v1.13.219"
cp "$TMP/mirror/v9.9.9/babashka-9.9.9-linux-amd64-static.tar.gz" "$TMP/mirror/v1.13.219/babashka-1.13.219-linux-amd64-static.tar.gz"
blambda build --runtime-layer
expect_status 1
expect_err_has "expected 9ac1fe988d7001625b30ef3e3307e67f8545505a7cb49a4aa179f578115a3e09 (pinned in blambda)"
expect_no_file "$TMP/cache/babashka/1.13.219/babashka-1.13.219-linux-amd64-static.tar.gz"

test_case "a truncated download is retried, then fails; nothing is cached"
make_release "$TMP/mirror" 7.7.7
start_release_server "$TMP/mirror" --mode truncate
BLAMBDA_BABASHKA_URL=$RELEASE_URL blambda build --runtime-layer --bb-version 7.7.7
expect_status 4
expect_err_has "cannot reach '$RELEASE_URL/v7.7.7/babashka-7.7.7-linux-amd64-static.tar.gz': transfer closed"
[ -z "$(ls "$TMP/cache/babashka/7.7.7/" 2>/dev/null)" ] && pass || fail "the cache holds: $(ls "$TMP/cache/babashka/7.7.7/")"

test_case "a server error and a missing release"
start_release_server "$TMP/mirror" --mode error
BLAMBDA_BABASHKA_URL=$RELEASE_URL blambda build --runtime-layer --bb-version 7.7.7
expect_status 4
expect_err_has "HTTP 500"
start_release_server "$TMP/mirror" --mode notfound
BLAMBDA_BABASHKA_URL=$RELEASE_URL blambda build --runtime-layer --bb-version 6.6.6
expect_status 4
expect_err_has "HTTP 404"
expect_err_has "hint: is 6.6.6 a Babashka release?"

test_case "a tarball with anything but bb, or bb for another machine, is rejected"
work=$(mktemp -d "$TMP/evil.XXXXXX")
cp "$TMP/mirror/v9.9.9/babashka-9.9.9-linux-amd64-static.tar.gz" "$work/x.tgz"
(cd "$work" && tar -xzf x.tgz && echo boo > evil && tar -czf "$TMP/mirror/v5.5.5.tgz" bb evil)
mkdir -p "$TMP/mirror/v5.5.5"
mv "$TMP/mirror/v5.5.5.tgz" "$TMP/mirror/v5.5.5/babashka-5.5.5-linux-amd64-static.tar.gz"
(cd "$TMP/mirror/v5.5.5" && sha256sum babashka-5.5.5-linux-amd64-static.tar.gz > babashka-5.5.5-linux-amd64-static.tar.gz.sha256)
blambda build --runtime-layer --bb-version 5.5.5
expect_status 1
expect_err_has "holds 'evil': a Babashka release holds only 'bb'"
mkdir -p "$TMP/mirror/v4.4.4"
cp "$TMP/mirror/v9.9.9/babashka-9.9.9-linux-aarch64-static.tar.gz" "$TMP/mirror/v4.4.4/babashka-4.4.4-linux-amd64-static.tar.gz"
(cd "$TMP/mirror/v4.4.4" && sha256sum babashka-4.4.4-linux-amd64-static.tar.gz > babashka-4.4.4-linux-amd64-static.tar.gz.sha256)
blambda build --runtime-layer --bb-version 4.4.4
expect_status 1
expect_err_has "'bb' in '$TMP/cache/babashka/4.4.4/babashka-4.4.4-linux-amd64-static.tar.gz' is built for arm64, not x86_64"

test_case "a progress bar on a terminal, plain lines otherwise"
start_release_server "$TMP/mirror"
make_release "$TMP/mirror" 3.3.3
BLAMBDA_BABASHKA_URL=$RELEASE_URL script -qec "$BLAMBDA build --runtime-layer --bb-version 3.3.3 --force" /dev/null > "$TMP/tty.txt" 2>&1
grep -q $'\rbabashka 3.3.3 (amd64) \[' "$TMP/tty.txt" && pass || fail "no progress bar on a terminal: $(cat -v "$TMP/tty.txt" | head -5)"
rm -rf "$TMP/cache/babashka/3.3.3"
BLAMBDA_BABASHKA_URL=$RELEASE_URL blambda build --runtime-layer --bb-version 3.3.3 --force
expect_status 0
case "$err" in *$'\r'*) fail "a progress bar without a terminal" ;; *) pass ;; esac

test_case "an interrupted download leaves nothing half-written"
RELEASE_BB_SOURCE= make_release "$TMP/mirror" 2.2.2
head -c 300000 /dev/urandom >> "$TMP/mirror/v2.2.2/babashka-2.2.2-linux-amd64-static.tar.gz"
(cd "$TMP/mirror/v2.2.2" && sha256sum babashka-2.2.2-linux-amd64-static.tar.gz > babashka-2.2.2-linux-amd64-static.tar.gz.sha256)
start_release_server "$TMP/mirror" --mode slow
BLAMBDA_BABASHKA_URL=$RELEASE_URL "$BLAMBDA" build --runtime-layer --bb-version 2.2.2 > /dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
	ls "$TMP/cache/babashka/2.2.2/"*.tmp-* > /dev/null 2>&1 && break
	sleep 0.05
done
ls "$TMP/cache/babashka/2.2.2/"*.tmp-* > /dev/null 2>&1 && pass || fail "the download never started"
kill -TERM $pid # a background job of a script ignores SIGINT, and blambda leaves an ignored signal ignored
wait $pid
st=$?
[ $st -eq 143 ] && pass || fail "terminated build exited $st, not 143"
[ -z "$(ls -A "$TMP/cache/babashka/2.2.2/" 2>/dev/null)" ] && pass || fail "left behind: $(ls -A "$TMP/cache/babashka/2.2.2/")"

test_case "an interrupt while libzip writes the layer leaves none of its temporaries"
mkdir -p "$TMP/bigrel" && cp "$BLAMBDA_BUILD_DIR/runtime/bootstrap-x86_64" "$TMP/bigrel/bb"
head -c 60000000 /dev/urandom >> "$TMP/bigrel/bb"
mkdir -p "$TMP/mirror/v4.4.4"
tar -C "$TMP/bigrel" -czf "$TMP/mirror/v4.4.4/babashka-4.4.4-linux-amd64-static.tar.gz" bb
(cd "$TMP/mirror/v4.4.4" && sha256sum babashka-4.4.4-linux-amd64-static.tar.gz > babashka-4.4.4-linux-amd64-static.tar.gz.sha256)
start_release_server "$TMP/mirror"
BLAMBDA_BABASHKA_URL=$RELEASE_URL "$BLAMBDA" build --runtime-layer --bb-version 4.4.4 -o "$TMP/zipout" > /dev/null 2>&1 &
pid=$!
seen=""
for i in $(seq 1 400); do
	seen=$(ls "$TMP/zipout" 2>/dev/null | grep -E '\.tmp-[0-9]+\.' || true)
	[ -n "$seen" ] && break
	sleep 0.02
done
[ -n "$seen" ] && pass || fail "libzip's temporary was never seen: $(ls -A "$TMP/zipout" 2>/dev/null)"
kill -TERM $pid # a background job of a script ignores SIGINT, and blambda leaves an ignored signal ignored
wait $pid
st=$?
[ $st -eq 143 ] && pass || fail "terminated build exited $st, not 143"
[ -z "$(ls -A "$TMP/zipout" 2>/dev/null)" ] && pass || fail "left behind: $(ls -A "$TMP/zipout")"

test_case "a signal the user ignores (nohup, a background job) is left ignored"
RELEASE_BB_SOURCE= make_release "$TMP/mirror" 2.2.3
head -c 300000 /dev/urandom >> "$TMP/mirror/v2.2.3/babashka-2.2.3-linux-amd64-static.tar.gz"
(cd "$TMP/mirror/v2.2.3" && sha256sum babashka-2.2.3-linux-amd64-static.tar.gz > babashka-2.2.3-linux-amd64-static.tar.gz.sha256)
start_release_server "$TMP/mirror" --mode slow
(trap '' HUP; BLAMBDA_BABASHKA_URL=$RELEASE_URL exec "$BLAMBDA" build --runtime-layer --bb-version 2.2.3 -o "$TMP/nohup" > /dev/null 2>&1) &
pid=$!
for i in $(seq 1 100); do ls "$TMP/cache/babashka/2.2.3/"*.tmp-* > /dev/null 2>&1 && break; sleep 0.05; done
kill -HUP $pid 2>/dev/null
wait $pid
st=$?
# the download goes on; the tarball is refused afterwards (its bb is not a Linux executable), exit 1, not 129
[ $st -ne 129 ] && pass || fail "blambda died of the SIGHUP it was told to ignore"

test_case "a reader that goes away (| head -1): nothing half-written is left"
rm -rf "$TMP/cache/babashka/2.2.3"
BLAMBDA_BABASHKA_URL=$RELEASE_URL "$BLAMBDA" build --runtime-layer --bb-version 2.2.3 -o "$TMP/piped" 2>&1 | head -n1 > /dev/null
sleep 0.5
[ -z "$(ls "$TMP/cache/babashka/2.2.3/" 2>/dev/null | grep tmp)" ] && pass || fail "left behind: $(ls "$TMP/cache/babashka/2.2.3/")"

test_case "bad values are usage errors"
blambda build --runtime-layer --arch amd64
expect_status 2
expect_err_has "option '--arch' must be one of x86_64, arm64, got 'amd64'"
blambda build --runtime-layer --bb-version latest
expect_status 2
expect_err_has "Babashka version must look like '1.13.219'"

finish
