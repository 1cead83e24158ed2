#!/bin/bash
# The layers keep their word where a link check cannot look: no library below
# cli/ refers to stdout or stderr, prints with printf, puts or perror, or
# exits or aborts (core/xalloc.o ends the program when memory runs out, and
# core/hash.o when OpenSSL cannot allocate a digest: the two exceptions); no
# source file runs a shell. (That no layer calls one above it
# is checked by the build itself: see the blambda-layer-* programs.)
. "$(dirname "$0")/lib.sh"
: "${BLAMBDA_BUILD_DIR:?}"

forbidden='stdout|stderr|printf|vprintf|puts|putchar|perror|exit|_exit|_Exit|abort'

test_case "the layers below cli/ never print and never exit"
for layer in core config aws package deploy local; do
	lib="$BLAMBDA_BUILD_DIR/libblambda_$layer.a"
	if [ ! -f "$lib" ]; then fail "no $lib"; continue; fi
	bad=$(nm -A --undefined-only "$lib" | grep -E " U ($forbidden)\$" | grep -vE ':(xalloc|hash)\.c\.o:' || true)
	if [ -z "$bad" ]; then pass; else fail "$layer: $bad"; fi
done

test_case "the check itself sees a print: cli/ does print"
nm -A --undefined-only "$BLAMBDA_BUILD_DIR/libblambda_cli.a" | grep -qE " U (stderr|fputs|fprintf)\$" && pass ||
	fail "no reference to stderr found in cli: the check would miss a printing module"

test_case "no shell anywhere in src/ or runtime/"
hits=$(grep -rnE '\b(system|popen)\s*\(' "$BLAMBDA_SOURCE_DIR/src" "$BLAMBDA_SOURCE_DIR/runtime" || true)
if [ -z "$hits" ]; then pass; else fail "$hits"; fi

test_case "every layer has its link check"
for layer in core config aws package deploy local cli; do
	[ -x "$BLAMBDA_BUILD_DIR/blambda-layer-$layer" ] && pass || fail "no blambda-layer-$layer"
done

finish
