#!/bin/bash
# runtime.clj must run on bb, which reaches only allowlisted Java classes; the
# JVM stand-in reaches them all. So every Java class runtime.clj names is
# checked against bb's list, and every class must be written out in full.
. "$(dirname "$0")/lib.sh"

CLJ="$BLAMBDA_SOURCE_DIR/runtime/runtime.clj"
LIST="$BLAMBDA_SOURCE_DIR/tests/fixtures/bb-classes.txt"

test_case "every Java class runtime.clj names is on bb's allowlist"
CHECK="$BLAMBDA_SOURCE_DIR/tests/support/check_bb_classes.py"
run "$PYTHON" "$CHECK" "$CLJ" "$LIST"
expect_status 0
expect_out_has "java.lang.System"
expect_out_lacks "not on bb's list"

test_case "the check itself catches a class bb lacks, and a class without its package"
sed 's/java.lang.Long/java.lang.reflect.Proxy/' "$CLJ" > "$TMP/bad.clj"
run "$PYTHON" "$CHECK" "$TMP/bad.clj" "$LIST"
expect_status 1
expect_out_has "not on bb's list: java.lang.reflect.Proxy"
sed 's/(java.lang.System\/getenv k)/(System\/getenv k)/' "$CLJ" > "$TMP/bare.clj"
run "$PYTHON" "$CHECK" "$TMP/bare.clj" "$LIST"
expect_status 1
expect_out_has "classes not written out in full: System"

test_case "runtime.clj loads on the stand-in without a handler request"
run env BLAMBDA_EVENTS=/dev/null BLAMBDA_ANSWERS="$TMP/answers" _HANDLER=nope/x \
	"$BLAMBDA_SOURCE_DIR/tests/support/bb" --classpath "$TMP" --file "$CLJ"
expect_status 0
grep -q '^FRuntime.NoSuchHandler	{' "$TMP/answers" && pass || fail "no init failure line: $(cat "$TMP/answers")"

finish
