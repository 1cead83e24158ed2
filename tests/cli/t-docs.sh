#!/bin/bash
# The docs cannot drift: the man page and the completions are generated from
# the option tables, the committed copies must match, and the man page must
# pass the linters.
. "$(dirname "$0")/lib.sh"

DOCS="$BLAMBDA_BUILD_DIR/docs"
SRC="$BLAMBDA_SOURCE_DIR"

test_case "the man page passes mandoc -Tlint and groff -ww"
run mandoc -Tlint "$DOCS/blambda.1"
expect_status 0
expect_out_empty
expect_err_empty
run groff -ww -z -man "$DOCS/blambda.1"
expect_status 0
expect_err_empty

test_case "the man page shows examples as --help does: quotes and brackets kept"
MANWIDTH=200 run bash -c "man -l \"$DOCS/blambda.1\" | tr -s \" \""
expect_out_has "blambda local invoke -p '{\"name\":\"jmglov\"}' --json"
expect_out_has "blambda invoke -p '{\"name\":\"jmglov\"}' --json"
expect_out_has "([profile NAME], [default])"

test_case "the committed man page and completions are the generated ones"
for f in man/blambda.1:blambda.1 completions/blambda.bash:blambda.bash completions/_blambda:_blambda \
	 completions/blambda.fish:blambda.fish; do
	if cmp -s "$SRC/${f%%:*}" "$DOCS/${f##*:}"; then pass; else
		fail "${f%%:*} is out of date: run 'cmake --build build --target regen-docs' and commit"
	fi
done

test_case "blambda completion prints the installed scripts"
for sh in bash zsh fish; do
	blambda completion $sh
	expected=$(cat "$DOCS/$( [ $sh = bash ] && echo blambda.bash || { [ $sh = zsh ] && echo _blambda || echo blambda.fish; })")
	if [ "$out" = "$expected" ]; then pass; else fail "'blambda completion $sh' differs from the installed script"; fi
done

# The rendered man page, one space between words, for searching.
man_text=$(MANWIDTH=200 man -l "$DOCS/blambda.1" 2>/dev/null | col -b | tr -s ' ')

test_case "every command and option in --help is in the man page and the completions"
blambda --help
commands=$(printf '%s\n' "$out" | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z-]*\) .*/\1/p')
[ -n "$commands" ] || fail "no commands found in --help"
for c in $commands; do
	if printf '%s' "$man_text" | grep -qF "blambda $c"; then pass; else fail "man page lacks command $c"; fi
	grep -q -- "$c" "$DOCS/blambda.bash" && grep -q -- "'$c:" "$DOCS/_blambda" && grep -q -- "-a $c " "$DOCS/blambda.fish" \
		&& pass || fail "completions lack command $c"
	blambda "$c" --help
	for o in $(printf '%s\n' "$out" | grep -o -e '--[a-z][a-z-]*' | sort -u); do
		if printf '%s' "$man_text" | grep -qF -- "$o"; then pass; else fail "man page lacks $o (from '$c --help')"; fi
		for f in blambda.bash _blambda; do
			grep -qF -- "$o" "$DOCS/$f" && pass || fail "$f lacks $o (from '$c --help')"
		done
		grep -qF -- "-l ${o#--}" "$DOCS/blambda.fish" && pass || fail "blambda.fish lacks $o"
	done
done

test_case "every blambda.yml key and its environment variable is documented"
blambda config --json
keys=$(printf '%s' "$out" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["values"]))')
for k in $keys; do
	if printf '%s' "$man_text" | grep -qF -- "$k"; then pass; else fail "man page lacks key $k"; fi
done
for v in $(grep -o '"BLAMBDA_[A-Z_]*"' "$SRC/src/config/config.c" | tr -d '"' | sort -u); do
	if printf '%s' "$man_text" | sed -n '/^ENVIRONMENT/,/^FILES/p' | grep -qF "$v"; then pass; else fail "ENVIRONMENT lacks $v"; fi
done

test_case "every environment variable the code reads is under ENVIRONMENT"
env_section=$(printf '%s' "$man_text" | sed -n '/^ENVIRONMENT/,/^FILES/p')
vars=$( (grep -rhoE '(getenv|env|env_nonempty|env_long)\("[A-Z_0-9]+"' "$SRC/src" | sed -E 's/.*\("//; s/"$//';
	grep -rhoE '"AWS_ENDPOINT_URL_[A-Z0-9]+"' "$SRC/src" | tr -d '"') | sort -u)
[ -n "$vars" ] || fail "found no environment variables in the source"
for v in $vars; do
	if printf '%s' "$env_section" | grep -qw -- "$v"; then pass; else fail "ENVIRONMENT lacks $v"; fi
done

test_case "every environment variable bootstrap reads is under THE RUNTIME"
runtime_section=$(printf '%s' "$man_text" | sed -n '/^THE RUNTIME/,/^ENVIRONMENT/p')
vars=$(grep -hoE 'getenv\("[A-Z_0-9]+"' "$SRC/runtime/bootstrap.c" | sed -E 's/.*\("//; s/"$//' | sort -u)
[ -n "$vars" ] || fail "found no environment variables in bootstrap.c"
for v in $vars; do
	if printf '%s' "$runtime_section" | grep -qw -- "$v"; then pass; else fail "THE RUNTIME lacks $v"; fi
done

test_case "every exit status main() can return is under EXIT STATUS"
for s in $(sed -n 's/^\tEXIT_[A-Z]* = \([0-9]*\),.*/\1/p' "$SRC/src/core/msg.h"); do
	if printf '%s' "$man_text" | sed -n '/^EXIT STATUS/,/^EXAMPLES/p' | grep -qE "^ *$s( |$)"; then pass; else fail "EXIT STATUS lacks $s"; fi
done

test_case "the README starts with the install-and-run and the test commands, and CI runs the second"
first_block=$(sed -n '/^```/,/^```/p' "$SRC/README.md" | sed -n '2,/^```/p' | grep -v '^```' | grep -v '^#' | grep -v '^$')
test_cmd=$(sed -n '/^```/,/^```/p' "$SRC/README.md" | awk '/^```/{n++; next} n==3' | grep -v '^#' | grep -v '^$' | head -1)
[ -n "$first_block" ] && pass || fail "README has no first command block"
if [ -n "$test_cmd" ] && grep -qF -- "$test_cmd" "$SRC/.ci/run"; then pass; else fail "README's test command '$test_cmd' is not in .ci/run"; fi

test_case "every helper lib.sh documents exists, and tests/README.md names only those"
lib="$BLAMBDA_SOURCE_DIR/tests/cli/lib.sh"
# the first line of each comment block: "# NAME ARGS...: what it does"
for name in $(awk '/^#/ && !prev { if (match($0, /^# [a-z_]+( [^:]*)?: /)) { split(substr($0, 3), w, /[ :]/); print w[1] } }
		  { prev = /^#/ }' "$lib" | sort -u); do
	grep -qE "^$name\(\)" "$lib" && pass || fail "lib.sh documents '$name', which it does not define"
done
for name in $(grep -oE '`[a-z_]+( [A-Z][A-Z_.]*| \[[^]]*\]| [a-z]+)*`' "$BLAMBDA_SOURCE_DIR/tests/README.md" | tr -d '`' | awk '{print $1}' | sort -u); do
	case $name in *_*) grep -qE "^$name\(\)" "$lib" && pass || fail "tests/README.md names '$name', which lib.sh does not define" ;; esac
done

finish
