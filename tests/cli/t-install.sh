#!/bin/bash
# cmake --install puts the binary, the man page and the three completions where
# packagers and shells look for them.
. "$(dirname "$0")/lib.sh"

test_case "cmake --install layout"
run cmake --install "$BLAMBDA_BUILD_DIR" --prefix "$TMP/prefix"
expect_status 0
for f in bin/blambda share/man/man1/blambda.1.gz share/bash-completion/completions/blambda \
	 share/zsh/site-functions/_blambda share/fish/vendor_completions.d/blambda.fish; do
	expect_file "$TMP/prefix/$f"
done
if [ -x "$TMP/prefix/bin/blambda" ]; then pass; else fail "bin/blambda is not executable"; fi

test_case "the installed binary and man page work"
run "$TMP/prefix/bin/blambda" --version
expect_status 0
expect_out_has "blambda "
MANWIDTH=80 run man -l "$TMP/prefix/share/man/man1/blambda.1.gz"
expect_status 0
expect_out_has "EXIT STATUS"

finish
