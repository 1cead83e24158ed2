#!/bin/bash
# blambda import: a function made elsewhere becomes the project's. Its
# settings go into blambda.yml (the rest of the file as it was), what the
# next deploy changes is shown, and the tag comes only with a yes. Hostile
# values round-trip; a form import cannot extend is refused untouched.
. "$(dirname "$0")/lib.sh"

deploy_setup
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
aws iam create-role --role-name legacy-role --assume-role-policy-document "$TRUST" > /dev/null
ROLE=arn:aws:iam::123456789012:role/legacy-role
printf 'def h(e, c):\n    return "theirs"\n' > "$TMP/theirs.py" && (cd "$TMP" && zip -q theirs.zip theirs.py)
printf 'x' > "$TMP/l.txt" && (cd "$TMP" && zip -q l.zip l.txt)
LAYER=$(aws lambda publish-layer-version --layer-name their-layer --zip-file "fileb://$TMP/l.zip" --query LayerVersionArn --output text)
# values that YAML must quote: a colon and hash, quotes, a backslash, a newline, a control byte, non-ASCII
ENV=$(python3 -c 'import json; print(json.dumps({"Variables": {"PLAIN": "x", "TRICKY": "a: b # c \"q\" \\ d\ne\u0001 é ☃", "EMPTY": ""}}))')
aws lambda create-function --function-name legacy --runtime python3.12 --handler theirs.h --role "$ROLE" \
	--memory-size 256 --timeout 30 --description 'their: "thing" #1' --environment "$ENV" --layers "$LAYER" \
	--zip-file "fileb://$TMP/theirs.zip" --tracing-config Mode=Active --ephemeral-storage Size=1024 \
	--vpc-config SubnetIds=subnet-12345678,SecurityGroupIds=sg-12345678 > /dev/null
aws lambda put-function-concurrency --function-name legacy --reserved-concurrent-executions 4 > /dev/null
aws lambda create-alias --function-name legacy --name live --function-version '$LATEST' > /dev/null
aws lambda create-function-url-config --function-name legacy --auth-type AWS_IAM \
	--cors '{"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}' > /dev/null
printf '# my project\n' | cat - blambda.yml > "$TMP/y" && mv "$TMP/y" blambda.yml
before=$(cat blambda.yml)

test_case "--dry-run shows the entry and the changes, and changes nothing"
mark
blambda import legacy --dry-run
expect_status 0
expect_out_has "function 'legacy' in eu-west-1"
expect_out_has "blambda.yml gets it under functions:"
expect_out_has "  memory: 256"
expect_out_has "  role: \"$ROLE\""
expect_out_has "  alias: \"live\""
expect_out_has "  tracing: active"
expect_out_has "  ephemeral-storage: 1024"
expect_out_has "  reserved-concurrency: 4"
expect_out_has "    subnets:"
expect_out_has "      - \"subnet-12345678\""
expect_out_has "  url:"
expect_out_has "note: its handler 'theirs.h' is not NAMESPACE/FUNCTION: the project's handler takes its place"
expect_out_has "blambda.yml: function.name 'hello' becomes an entry of functions: too"
expect_out_has "tag: blambda:managed-by=blambda goes on it"
expect_out_has '  "TRICKY": (its value, not shown)'
expect_out_lacks "a: b # c"
expect_out_has "note: its environment's values are written into blambda.yml as they are (not shown here)"
expect_out_has "  code: the project's build replaces it"
expect_out_has "  runtime python3.12 -> provided.al2023"
expect_out_has "  handler theirs.h -> hello/handler"
expect_writes ""
[ "$(cat blambda.yml)" = "$before" ] && pass || fail "blambda.yml changed"

test_case "without --yes and no terminal: refused, nothing changed"
blambda import legacy < /dev/null
expect_status 2
expect_err_has "not importing without --yes: there is no terminal to ask on"
[ "$(cat blambda.yml)" = "$before" ] && pass || fail "blambda.yml changed"

test_case "--yes: blambda.yml gains it (comments kept, hello its own entry), the function its tag"
mark
blambda import legacy --yes
expect_status 0
expect_out_has "blambda.yml: added function 'legacy'"
expect_out_has "function 'legacy': tagged blambda:managed-by=blambda"
expect_writes "POST /2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Alegacy;"
head -1 blambda.yml | grep -qx '# my project' && pass || fail "the comment went"
grep -q '^  name: hello' blambda.yml && fail "function.name stayed" || pass
blambda config --json
expect_status 0
blambda deploy --dry-run
expect_status 0
expect_out_has "function 'hello'"
expect_out_has "would update function 'legacy' (code changed, runtime python3.12 -> provided.al2023"

test_case "the next deploy keeps what was carried over, exactly"
blambda deploy legacy
expect_status 0
awsq lambda get-function --function-name legacy
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin); c = d["Configuration"]; want = json.loads(sys.argv[1])["Variables"]
assert c["Environment"]["Variables"] == want, (c["Environment"], want)
assert c["MemorySize"] == 256 and c["Timeout"] == 30 and c["Role"] == sys.argv[2], c
assert c["Description"] == "their: \"thing\" #1", c["Description"]
assert sys.argv[3] in [l["Arn"] for l in c["Layers"]], c["Layers"]
assert c["Runtime"] == "provided.al2023", c
assert c["TracingConfig"]["Mode"] == "Active" and c["EphemeralStorage"]["Size"] == 1024, c
assert c["VpcConfig"]["SubnetIds"] == ["subnet-12345678"] and d["Concurrency"]["ReservedConcurrentExecutions"] == 4, d
' "$ENV" "$ROLE" "$LAYER" && pass || fail "settings differ: $out"
awsq lambda get-function-url-config --function-name legacy --query AuthType --output text
[ "$out" = AWS_IAM ] && pass || fail "url: $out"

test_case "again: nothing to import"
mark
blambda import legacy --yes
expect_status 0
expect_err_has "'legacy' is blambda's and in blambda.yml already: nothing to import"
expect_writes ""

test_case "a function the project names that deploy refuses: import tags it, settings stay"
aws lambda create-function --function-name named --runtime python3.12 --handler theirs.h --role "$ROLE" \
	--zip-file "fileb://$TMP/theirs.zip" > /dev/null
printf '  named:\n    memory: 1024\n' >> blambda.yml
blambda deploy named
expect_status 1
expect_err_has "blambda did not make it"
snapshot=$(cat blambda.yml)
blambda import named --yes
expect_status 0
expect_out_has "blambda.yml names it already: its settings there stay"
expect_out_has "  memory 128 -> 1024"
[ "$(cat blambda.yml)" = "$snapshot" ] && pass || fail "blambda.yml changed"
blambda deploy named
expect_status 0

test_case "no such function; a name Lambda would not take; no project"
blambda import nope --yes
expect_status 3
expect_err_has "cannot import 'nope': there is no function 'nope' in eu-west-1"
blambda import 'bad name' --yes
expect_status 2
expect_err_has "function name 'bad name' is not valid"
cd "$TMP" && blambda import legacy --yes && cd - > /dev/null || exit 1
expect_status 2
expect_err_has "there is no blambda.yml here to import 'legacy' into"

test_case "functions: written on one line: refused, the file untouched"
mkdir -p "$TMP/flow" && cd "$TMP/flow" || exit 1
printf 'function:\n  handler: a/b\nfunctions: {one: {}}\n' > blambda.yml
aws lambda create-function --function-name other --runtime python3.12 --handler theirs.h --role "$ROLE" \
	--zip-file "fileb://$TMP/theirs.zip" > /dev/null
blambda import other --yes
expect_status 2
expect_err_has "functions: is written on one line (flow style): import adds to a block"
[ "$(cat blambda.yml)" = "$(printf 'function:\n  handler: a/b\nfunctions: {one: {}}')" ] && pass || fail "changed"
awsq lambda list-tags --resource arn:aws:lambda:eu-west-1:123456789012:function:other
printf '%s' "$out" | grep -q managed-by && fail "tagged" || pass

test_case "a functions: block: the entry goes at its end, before what follows"
printf 'function:\n  handler: a/b\nfunctions:\n  one: {}\n\n# shared\nbabashka:\n  version: 9.9.9\n' > blambda.yml
blambda import other --yes --json
expect_status 0
expect_json 'd["written"] and d["tagged"] and not d["in_project"]'
python3 -c '
import sys
t = open("blambda.yml").read()
assert t.startswith("function:\n  handler: a/b\nfunctions:\n  one: {}\n  \"other\":\n"), t
assert t.endswith("\n# shared\nbabashka:\n  version: 9.9.9\n"), t
' && pass || fail "$(cat blambda.yml)"


test_case "what the entry takes from function: is said: environment keys (not values), tags, alias, URL"
mkdir -p "$TMP/inherit" && cd "$TMP/inherit" || exit 1
cat > blambda.yml <<'YAML'
function:
  handler: base/handler
  environment: {SECRET_TOKEN: not-shown}
  url: {auth: NONE}
  alias: live
  tags: {team: base}
functions:
  base: {}
YAML
aws lambda create-function --function-name inh --runtime python3.12 --handler theirs.h --role "$ROLE" \
	--zip-file "fileb://$TMP/theirs.zip" > /dev/null
blambda import inh --dry-run
expect_status 0
expect_out_has "  environment SECRET_TOKEN added"
expect_out_lacks "not-shown"
expect_out_has "  tag team added"
expect_out_has "  a version is published, and alias 'live' is made for it"
expect_out_has "  a URL is made (auth NONE: anyone may call it)"

test_case "no handler to run: refused, nothing written"
printf 'functions:\n  one:\n    handler: base/handler\n' > blambda.yml
before=$(cat blambda.yml)
blambda import inh --yes
expect_status 2
expect_err_has "its handler 'theirs.h' is not NAMESPACE/FUNCTION, and blambda.yml sets no function.handler for it to run instead"
[ "$(cat blambda.yml)" = "$before" ] && pass || fail "blambda.yml changed"

test_case "blambda.yml a symbolic link: the file it names gets the entry, the link stays"
mkdir -p "$TMP/shared" && printf 'function:\n  handler: base/handler\nfunctions:\n  one: {}\n' > "$TMP/shared/b.yml"
rm blambda.yml && ln -s "$TMP/shared/b.yml" blambda.yml
blambda import inh --yes
expect_status 0
[ -L blambda.yml ] && pass || fail "the link was replaced"
grep -q '"inh"' "$TMP/shared/b.yml" && pass || fail "the file the link names has no entry"

test_case "--json: a failure is an answer too"
blambda import nope --json
expect_status 3
expect_json 'not d["ok"] and d["error"]["code"] == "ResourceNotFoundException"'

finish
