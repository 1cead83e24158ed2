#!/usr/bin/env python3
"""check_bb_classes.py FILE.clj ALLOWLIST: exits 1 when FILE names a Java class
that is not on ALLOWLIST, or names a class without its package (which would
hide it from this check). Prints the classes it found."""
import re, sys

src = open(sys.argv[1]).read()
allowed = {l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")}
# drop strings and comments: what is left is code
code = re.sub(r'"(?:\\.|[^"\\])*"', '""', src)
code = re.sub(r';[^\n]*', '', code)
named = set(re.findall(r'\b((?:java|javax|clojure)\.[a-z.]+\.[A-Z][A-Za-z$]*)', code))
bare = set(re.findall(r'(?<![\w.$/-])([A-Z][A-Za-z]+)(?=[/.\s)])', code))
bad = sorted(named - allowed)
print("named:", " ".join(sorted(named)))
if bad:
    print("not on bb's list:", " ".join(bad))
if bare:
    print("classes not written out in full:", " ".join(sorted(bare)))
sys.exit(1 if bad or bare or not named else 0)
