#!/bin/bash
# Hostile and broken Babashka releases: sparse `bb` entries (holes in the
# middle and at the end, a 1 TiB declared size), a second `bb`, a tarball that
# matches its digest but is truncated, and an endless download.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_CACHE_DIR="$TMP/cache" BLAMBDA_RETRY_BASE_MS=20 BLAMBDA_READ_TIMEOUT=5
mkdir -p "$TMP/work" && cd "$TMP/work" || exit 1
ZIP=target/runtime-layer-x86_64.zip

# release VERSION DIR: publish DIR/bb.tar.gz as the x86_64 release VERSION in $TMP/mirror
release() {
	mkdir -p "$TMP/mirror/v$1"
	cp "$2/bb.tar.gz" "$TMP/mirror/v$1/babashka-$1-linux-amd64-static.tar.gz"
	(cd "$TMP/mirror/v$1" && sha256sum "babashka-$1-linux-amd64-static.tar.gz" > "babashka-$1-linux-amd64-static.tar.gz.sha256")
}
elf() { printf 'int main(void) { return 0; }\n' > "$TMP/e.c" && musl-gcc -static -Os -s -o "$1" "$TMP/e.c"; }

test_case "a sparse bb, holes in the middle and at the end: the layer holds it whole, holes as zeros"
mkdir -p "$TMP/sparse" && elf "$TMP/sparse/bb"
head -c 4096 /dev/urandom | dd of="$TMP/sparse/bb" bs=1 seek=3000000 conv=notrunc 2>/dev/null
truncate -s 6000000 "$TMP/sparse/bb"
tar -C "$TMP/sparse" -S -czf "$TMP/sparse/bb.tar.gz" bb
tar -tvzf "$TMP/sparse/bb.tar.gz" | grep -q 6000000 || fail "the tarball is not as planned"
release 1.0.1 "$TMP/sparse"
start_release_server "$TMP/mirror"
export BLAMBDA_BABASHKA_URL=$RELEASE_URL
blambda build --runtime-layer --bb-version 1.0.1
expect_status 0
mkdir -p "$TMP/out1" && unzip -q -o "$ZIP" bb -d "$TMP/out1"
cmp -s "$TMP/out1/bb" "$TMP/sparse/bb" && pass || fail "bb differs from the sparse original ($(stat -c %s "$TMP/out1/bb") bytes)"
rm -rf target
blambda build --runtime-layer --bb-version 1.0.1 --force # again from the cached deflated copy
unzip -q -o "$ZIP" bb -d "$TMP/out1"
cmp -s "$TMP/out1/bb" "$TMP/sparse/bb" && pass || fail "bb differs when copied from the cache"

test_case "a bb declaring 1 TiB (a 200-byte tarball) is refused at once"
mkdir -p "$TMP/huge" && elf "$TMP/huge/bb" && truncate -s 1T "$TMP/huge/bb"
tar -C "$TMP/huge" -S -czf "$TMP/huge/bb.tar.gz" bb
release 1.0.2 "$TMP/huge"
rm -f "$TMP/huge/bb"
run timeout 20 "$BLAMBDA" build --runtime-layer --bb-version 1.0.2
expect_status 1
expect_err_has "declares 1099511627776 bytes; a Babashka binary is under 1024 MB"
expect_no_file "$ZIP.tmp-"*

test_case "two bb entries: said so, not 'holds only bb'"
mkdir -p "$TMP/twice/a" && elf "$TMP/twice/a/bb"
tar -C "$TMP/twice/a" -cf "$TMP/twice/bb.tar" bb
tar -C "$TMP/twice/a" -rf "$TMP/twice/bb.tar" bb
gzip -c "$TMP/twice/bb.tar" > "$TMP/twice/bb.tar.gz"
release 1.0.3 "$TMP/twice"
blambda build --runtime-layer --bb-version 1.0.3
expect_status 1
expect_err_has "holds 'bb' twice"
expect_err_lacks "holds only 'bb'"

test_case "a truncated tarball that matches its digest: an error, and it leaves the cache"
mkdir -p "$TMP/trunc" && elf "$TMP/trunc/bb" && head -c 300000 /dev/urandom >> "$TMP/trunc/bb"
tar -C "$TMP/trunc" -czf "$TMP/trunc/full.tar.gz" bb
head -c 20000 "$TMP/trunc/full.tar.gz" > "$TMP/trunc/bb.tar.gz"
release 1.0.4 "$TMP/trunc"
blambda build --runtime-layer --bb-version 1.0.4
expect_status 1
expect_err_has "removed '$TMP/cache/babashka/1.0.4/babashka-1.0.4-linux-amd64-static.tar.gz' from the cache"
expect_no_file "$TMP/cache/babashka/1.0.4/babashka-1.0.4-linux-amd64-static.tar.gz"
# the mirror is mended: the next build downloads it again and succeeds
cp "$TMP/trunc/full.tar.gz" "$TMP/trunc/bb.tar.gz" && release 1.0.4 "$TMP/trunc"
blambda build --runtime-layer --bb-version 1.0.4
expect_status 0
expect_err_has "Downloading"

test_case "an endless download stops at the cap, and nothing is cached"
release 1.0.5 "$TMP/trunc"
start_release_server "$TMP/mirror" --mode endless
BLAMBDA_MAX_DOWNLOAD_MB=2 BLAMBDA_BABASHKA_URL=$RELEASE_URL run timeout 30 "$BLAMBDA" build --runtime-layer --bb-version 1.0.5
expect_status 4
expect_err_has "is larger than 2 MB"
expect_no_file "$TMP/cache/babashka/1.0.5/babashka-1.0.5-linux-amd64-static.tar.gz"
[ -z "$(ls "$TMP/cache/babashka/1.0.5/" 2>/dev/null | grep tmp)" ] && pass || fail "a temporary file is left: $(ls "$TMP/cache/babashka/1.0.5/")"

test_case "a bb that is a link, a hard link, a directory, or named out of the tarball: refused"
# python's tarfile writes each hostile entry exactly
"$PYTHON" - "$TMP/evil" <<'PY'
import io, os, sys, tarfile
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
elf = open("/bin/true", "rb").read()
def make(name, entries):
    with tarfile.open(os.path.join(out, name), "w:gz") as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
def reg(name, data=elf):
    i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o755; return (i, data)
def link(name, target, kind):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = target; return (i, None)
def dirent(name):
    i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; return (i, None)
make("symlink.tar.gz", [link("bb", "/etc/passwd", tarfile.SYMTYPE)])
make("hardlink.tar.gz", [reg("other"), link("bb", "other", tarfile.LNKTYPE)])
make("dir.tar.gz", [dirent("bb")])
make("dotdot.tar.gz", [reg("../bb")])
make("absolute.tar.gz", [reg("/tmp/bb")])
PY
v=2
for kind in symlink hardlink dir dotdot absolute; do
	v=$((v + 1))
	mkdir -p "$TMP/evil/$kind" && cp "$TMP/evil/$kind.tar.gz" "$TMP/evil/$kind/bb.tar.gz"
	release 2.0.$v "$TMP/evil/$kind"
	blambda build --runtime-layer --bb-version 2.0.$v
	expect_status 1
	case "$err" in
	*"is not a regular file"*|*"a Babashka release holds only 'bb'"*) pass ;;
	*) fail "$kind: not refused as expected" ;;
	esac
	expect_no_file "$ZIP.tmp-"*
done
[ ! -e /tmp/bb ] || [ "$(stat -c %Y /tmp/bb)" -lt "$(stat -c %Y "$TMP")" ] && pass || fail "/tmp/bb was written"

finish
