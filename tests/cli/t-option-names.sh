#!/bin/bash
# Every option a command's code asks for by name (args_flag, args_str,
# args_opt) is in that command's option table or the global one: a misspelt
# name would otherwise read as "not given" (and abort at run time).
. "$(dirname "$0")/lib.sh"

test_case "option names asked for in src/cmd/*.c exist in the tables"
out=$(python3 - "$BLAMBDA_SOURCE_DIR/src" <<'PY'
import re, sys, pathlib
src = pathlib.Path(sys.argv[1])
def table_names(text):
    return set(re.findall(r'^\s*\{\s*"([a-z0-9-]+)",\s*(?:\'.\'|0),\s*OPT_', text, re.M))
glob = table_names((src / "cli/opt.c").read_text())
bad = []
checked = 0
for f in sorted((src / "cmd").glob("*.c")):
    text = f.read_text()
    own = table_names(text)
    for m in re.finditer(r'args_(?:flag|str|opt)\(\s*\w+\s*,\s*"([^"]+)"', text):
        checked += 1
        if m.group(1) not in own | glob:
            line = text.count("\n", 0, m.start()) + 1
            bad.append(f"{f.name}:{line}: no option '--{m.group(1)}'")
for f in [src / "main.c"]:
    text = f.read_text()
    for m in re.finditer(r'args_(?:flag|str|opt)\(\s*\w+\s*,\s*"([^"]+)"', text):
        checked += 1
        if m.group(1) not in glob:
            bad.append(f"main.c: no global option '--{m.group(1)}'")
print("\n".join(bad) if bad else f"ok {checked}")
PY
)
case "$out" in ok\ [1-9]*) pass ;; *) fail "$out" ;; esac

finish
