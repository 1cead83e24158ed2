#!/bin/bash
# The Debian package: made by the deb target, installed with dpkg on this
# machine, the program, its man page and completions where Debian's tools
# look for them, then removed without a trace. It needs root (CI has it);
# elsewhere, and where a blambda package is installed already, it is skipped.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "t-install-deb: skipped: installing a package needs root"
	exit 77
fi
if dpkg -s blambda >/dev/null 2>&1; then
	echo "t-install-deb: skipped: a blambda package is installed on this machine already"
	exit 77
fi

test_case "cmake --build --target deb makes blambda_VERSION_ARCH.deb"
version=$("$BLAMBDA" version)
version=${version#blambda }
deb="$BLAMBDA_BUILD_DIR/blambda_${version}_$(dpkg --print-architecture).deb"
rm -f "$deb"
run cmake --build "$BLAMBDA_BUILD_DIR" --target deb
expect_status 0
expect_file "$deb"

test_case "its control fields: the linked libraries as Depends, those loaded on first use as Recommends"
run dpkg-deb -f "$deb" Package Version Depends Recommends
expect_out_has "Package: blambda"
expect_out_has "Version: $version"
for lib in libssl3 libzip4 libcjson1 libyaml-0-2 libc6; do
	expect_out_has "$lib"
done
expect_out_has "Recommends: libcurl4, libexpat1, libarchive13, libmicrohttpd12"
# nothing loaded on first use is a hard dependency
printf '%s\n' "$out" | grep '^Depends:' | grep -qE 'curl|expat|archive|microhttpd' && fail "Depends: $out" || pass

test_case "dpkg -i installs it: the program, its man page, its completions"
on_exit "dpkg -r blambda >/dev/null 2>&1"
run dpkg -i "$deb"
expect_status 0
run /usr/bin/blambda version -v
expect_status 0
expect_out_has "blambda $version"
expect_out_has "libcurl "
run man -w blambda
expect_status 0
expect_out "/usr/share/man/man1/blambda.1.gz"
MANWIDTH=80 run man blambda
expect_out_has "EXIT STATUS"
for f in /usr/share/bash-completion/completions/blambda /usr/share/zsh/vendor-completions/_blambda \
	 /usr/share/fish/vendor_completions.d/blambda.fish /usr/share/doc/blambda/README.md; do
	expect_file "$f"
	dpkg -S "$f" 2>/dev/null | grep -q '^blambda:' && pass || fail "$f does not belong to the package"
done
# each shell finds the completion where the package put it
run bash -c '. /usr/share/bash-completion/bash_completion; _completion_loader blambda; complete -p blambda'
expect_out_has "blambda"
run zsh -fc 'autoload -Uz compinit; compinit -u -D; print -r -- ${_comps[blambda]}'
expect_out "_blambda"
run fish -c 'complete -C"blambda dep"'
expect_out_has "deploy"

test_case "dpkg -r removes every file it installed"
run dpkg -r blambda
expect_status 0
for f in /usr/bin/blambda /usr/share/man/man1/blambda.1.gz /usr/share/bash-completion/completions/blambda \
	 /usr/share/zsh/vendor-completions/_blambda /usr/share/fish/vendor_completions.d/blambda.fish; do
	expect_no_file "$f"
done

test_case "the machine is as it was: /dev/null still a device"
[ -c /dev/null ] && pass || fail "/dev/null is no longer a character device"

finish
