#!/bin/bash
# blambda deploy against moto (every SigV4 signature checked, every request
# logged): the first deploy of a scaffolded project, no-op redeploys with no
# write call, code and configuration updates that touch only what changed,
# --dry-run, --layer, the S3 path, and what AWS holds checked with the AWS CLI.
. "$(dirname "$0")/lib.sh"

make_release "$TMP/mirror" 9.9.9 x86_64 arm64 || exit 1
printf 'int main(void) { return 98; }\n' > "$TMP/bb998.c"
RELEASE_BB_SOURCE="$TMP/bb998.c" make_release "$TMP/mirror" 9.9.8 x86_64 || exit 1
deploy_setup

test_case "--dry-run on a new project: the plan, no write call"
mark
blambda deploy --dry-run
expect_status 0
expect_out_has "would publish runtime layer 'blambda' (no version published yet)"
expect_out_has "would create role 'hello-blambda-role'"
expect_out_has "would create function 'hello' (it does not exist yet)"
expect_writes ""

test_case "first deploy: layer published, role made, function created and Active"
mark
blambda deploy
expect_status 0
expect_out_has "runtime layer 'blambda': published version 1 (no version published yet)"
expect_out_has "  arn:aws:lambda:eu-west-1:123456789012:layer:blambda:1"
expect_out_has "role 'hello-blambda-role': created"
expect_out_has "function 'hello': created (it does not exist yet)"
expect_out_has "  arn:aws:lambda:eu-west-1:123456789012:function:hello"
expect_writes "POST /2018-10-31/layers/blambda/versions;POST /;POST /;POST /2015-03-31/functions;"

test_case "the layer as AWS holds it: runtimes, architecture, bytes, description"
awsq lambda get-layer-version --layer-name blambda --version-number 1
expect_json "d['CompatibleRuntimes'] == ['provided.al2023', 'provided.al2'] and d['CompatibleArchitectures'] == ['x86_64']"
want=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())" target/runtime-layer-x86_64.zip)
expect_json "d['Content']['CodeSha256'] == '$want'"
expect_json "d['Description'] == 'blambda 0.1.0 runtime layer: Babashka 9.9.9 (x86_64)'"

test_case "the function as AWS holds it: every setting, the layer, the tag"
awsq lambda get-function --function-name hello
c="d['Configuration']"
expect_json "$c['Runtime'] == 'provided.al2023' and $c['Handler'] == 'hello/handler' and $c['MemorySize'] == 512"
expect_json "$c['Timeout'] == 5 and $c['Architectures'] == ['x86_64'] and $c['State'] == 'Active'"
expect_json "$c['Role'] == 'arn:aws:iam::123456789012:role/hello-blambda-role'"
expect_json "[l['Arn'] for l in $c['Layers']] == ['arn:aws:lambda:eu-west-1:123456789012:layer:blambda:1']"
want=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())" target/function.zip)
expect_json "$c['CodeSha256'] == '$want'"
expect_json "{k: v for k, v in d['Tags'].items() if k != 'blambda:settings'} == {'blambda:managed-by': 'blambda'}"

test_case "the role: trusted by Lambda, basic execution policy attached, tagged"
awsq iam get-role --role-name hello-blambda-role
expect_json "d['Role']['AssumeRolePolicyDocument']['Statement'][0]['Principal'] == {'Service': 'lambda.amazonaws.com'}"
expect_json "{'Key': 'blambda:managed-by', 'Value': 'blambda'} in d['Role']['Tags']"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "[p['PolicyArn'] for p in d['AttachedPolicies']] == ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']"

test_case "redeploy with nothing changed: up to date, no write call"
mark
blambda deploy
expect_status 0
expect_out_has "runtime layer 'blambda': unchanged (version 1 holds the same bytes)"
expect_out_has "function 'hello': unchanged (up to date)"
expect_out_has "up to date"
expect_writes ""

test_case "-q: a deploy says nothing but errors; --json stays"
blambda deploy -q
expect_status 0
expect_out_empty
expect_err_empty
blambda deploy -q --json
expect_json "d['up_to_date']"

test_case "a source edit: only UpdateFunctionCode"
echo ';; edited' >> src/hello.clj
mark
blambda deploy
expect_status 0
expect_out_has "function 'hello': updated (code changed)"
expect_writes "PUT /2015-03-31/functions/hello/code;"
awsq lambda get-function --function-name hello
want=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())" target/function.zip)
expect_json "d['Configuration']['CodeSha256'] == '$want'"

test_case "a memory change: UpdateFunctionConfiguration (and the record of the settings written)"
sed -i 's/memory: 512/memory: 1024/' blambda.yml
mark
blambda deploy --dry-run
expect_out_has "would update function 'hello' (memory 512 -> 1024)"
expect_writes ""
blambda deploy
expect_status 0
expect_out_has "function 'hello': updated (memory 512 -> 1024)"
expect_writes "PUT /2015-03-31/functions/hello/configuration;POST /2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ahello;"
awsq lambda get-function-configuration --function-name hello
expect_json "d['MemorySize'] == 1024"

test_case "environment, description and tags follow blambda.yml"
cat >> blambda.yml <<'YML'
  description: says hello
  environment:
    GREETING: hi
  tags:
    team: clojure
YML
# the keys belong under function:, which ends before babashka:
python3 - <<'PY'
import re
t = open('blambda.yml').read()
head, tail = t.split('babashka:', 1)
extra = tail[tail.index('  description:'):]
tail = tail[:tail.index('  description:')]
open('blambda.yml', 'w').write(head + extra + 'babashka:' + tail)
PY
mark
blambda deploy --json
expect_status 0
expect_json "d['ok'] and d['functions'][0]['action'] == 'updated' and d['functions'][0]['writes'] == ['configuration', 'tags']"
expect_json "'description changed' in d['functions'][0]['reasons'] and 'environment GREETING added' in d['functions'][0]['reasons']"
expect_json "d['functions'][0]['state'] == 'Active' and d['functions'][0]['arn'].endswith(':function:hello')"
expect_json "d['layers'][0]['action'] == 'unchanged' and d['layers'][0]['version'] == 1"
expect_writes "PUT /2015-03-31/functions/hello/configuration;POST /2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ahello;"
awsq lambda get-function --function-name hello
expect_json "d['Configuration']['Environment']['Variables'] == {'GREETING': 'hi'} and d['Configuration']['Description'] == 'says hello'"
expect_json "{k: v for k, v in d['Tags'].items() if k != 'blambda:settings'} == {'blambda:managed-by': 'blambda', 'team': 'clojure', 'blambda:tags': 'team'}"
mark
blambda deploy
expect_out_has "up to date"
expect_writes ""

test_case "settings changed outside blambda: the plan says so, and the deploy puts blambda.yml's back"
aws lambda update-function-configuration --function-name hello --memory-size 256 > /dev/null
blambda deploy --dry-run
expect_out_has "memory 256 -> "
expect_out_has "the settings were changed outside blambda since its last deploy: they go back to blambda.yml's"
blambda deploy
expect_status 0
blambda deploy --dry-run
expect_out_has "up to date"
expect_out_lacks "outside blambda"

test_case "a tag gone from function.tags goes from the function; one someone else put there stays"
ARN=arn:aws:lambda:eu-west-1:123456789012:function:hello
aws lambda tag-resource --resource $ARN --tags cost-center=42
sed -i 's/^    team: clojure$/    team: clojure\n    owner: me/' blambda.yml
blambda deploy
expect_status 0
awsq lambda list-tags --resource $ARN
expect_json "{k: v for k, v in d['Tags'].items() if k != 'blambda:settings'} == {'blambda:managed-by': 'blambda', 'team': 'clojure', 'owner': 'me', 'blambda:tags': 'team owner', 'cost-center': '42'}"
sed -i '/^    owner: me$/d' blambda.yml
blambda deploy --dry-run
expect_out_has "tag owner removed"
expect_out_lacks "blambda:tags"
mark
blambda deploy
expect_status 0
awsq lambda list-tags --resource $ARN
expect_json "{k: v for k, v in d['Tags'].items() if k != 'blambda:settings'} == {'blambda:managed-by': 'blambda', 'team': 'clojure', 'blambda:tags': 'team', 'cost-center': '42'}"
sed -i '/^  tags:$/d; /^    team: clojure$/d' blambda.yml
blambda deploy
expect_status 0
awsq lambda list-tags --resource $ARN
expect_json "{k: v for k, v in d['Tags'].items() if k != 'blambda:settings'} == {'blambda:managed-by': 'blambda', 'cost-center': '42'}"
blambda deploy
expect_out_has "up to date"

test_case "deploy --layer: a new runtime layer version only when its bytes change"
mark
blambda deploy --layer --json
expect_status 0
expect_json "d['layers'][0]['action'] == 'unchanged' and d['functions'] == [] and d['roles'] == [] and d['up_to_date']"
expect_writes ""
sed -i 's/version: 9.9.9/version: 9.9.8/' blambda.yml
mark
blambda deploy --layer
expect_status 0
expect_out_has "runtime layer 'blambda': published version 2 (version 1 holds other bytes)"
expect_out_has "  arn:aws:lambda:eu-west-1:123456789012:layer:blambda:2"
expect_out_lacks "function"
expect_writes "POST /2018-10-31/layers/blambda/versions;"
awsq lambda get-layer-version --layer-name blambda --version-number 2
expect_json "d['Description'] == 'blambda 0.1.0 runtime layer: Babashka 9.9.8 (x86_64)'"

test_case "the function then moves to the new layer version: configuration only"
mark
blambda deploy
expect_status 0
expect_out_has "function 'hello': updated (layers changed)"
expect_writes "PUT /2015-03-31/functions/hello/configuration;POST /2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ahello;"
awsq lambda get-function-configuration --function-name hello
expect_json "[l['Arn'] for l in d['Layers']] == ['arn:aws:lambda:eu-west-1:123456789012:layer:blambda:2']"

test_case "--use-s3 without a bucket: a clear error before any write"
echo ';; edited again' >> src/hello.clj
mark
blambda deploy --use-s3
expect_status 2
expect_err_has "no bucket is set: set aws.s3-bucket, BLAMBDA_S3_BUCKET or --s3-bucket"
expect_writes ""

test_case "--use-s3 with a bucket: the zip is put in S3 once, named by its digest"
aws s3api create-bucket --bucket artifacts --create-bucket-configuration LocationConstraint=eu-west-1 > /dev/null
mark
blambda deploy --use-s3 --s3-bucket artifacts
expect_status 0
expect_out_has "function 'hello': updated (code changed), through S3"
sha=$(sha256sum target/function.zip | cut -d' ' -f1)
expect_writes "PUT /artifacts/blambda/$sha.zip;PUT /2015-03-31/functions/hello/code;"
awsq s3api head-object --bucket artifacts --key "blambda/$sha.zip"
expect_json "d['ContentLength'] == $(stat -c %s target/function.zip)"
awsq lambda get-function --function-name hello
want=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())" target/function.zip)
expect_json "d['Configuration']['CodeSha256'] == '$want'"

test_case "a zip over 50 MB goes through S3 by itself"
head -c 53000000 /dev/urandom > src/blob.bin
mark
BLAMBDA_S3_BUCKET=artifacts blambda deploy
expect_status 0
expect_out_has "function 'hello': updated (code changed), through S3"
sha=$(sha256sum target/function.zip | cut -d' ' -f1)
expect_writes "PUT /artifacts/blambda/$sha.zip;PUT /2015-03-31/functions/hello/code;"
rm -f src/blob.bin

test_case "an upload shows a progress bar on a terminal, plain lines otherwise"
echo ';; tty' >> src/hello.clj
script -qec "$BLAMBDA deploy" /dev/null > "$TMP/tty.txt" 2>&1
grep -q $'\rfunction hello \[' "$TMP/tty.txt" && pass || fail "no progress bar on a terminal: $(cat -v "$TMP/tty.txt" | head -5)"
echo ';; no tty' >> src/hello.clj
blambda deploy
expect_status 0
case "$err" in *$'\r'*) fail "a progress bar without a terminal" ;; *) pass ;; esac

test_case "a role given in blambda.yml is used, none is made"
aws iam create-role --role-name mine --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' > /dev/null
sed -i 's/^  handler: hello\/handler/  handler: hello\/handler\n  role: arn:aws:iam::123456789012:role\/mine/' blambda.yml
mark
blambda deploy --json
expect_status 0
expect_json "d['roles'] == [] and 'role arn:aws:iam::123456789012:role/hello-blambda-role -> arn:aws:iam::123456789012:role/mine' in d['functions'][0]['reasons']"
expect_writes "PUT /2015-03-31/functions/hello/configuration;POST /2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ahello;"

test_case "several functions: one zip and one layer, a role and a function each"
cd "$TMP" || exit 1
"$BLAMBDA" new-function multi --bb-version 9.9.9 -q > /dev/null || exit 1
cd multi || exit 1
cat > blambda.yml <<'YML'
function:
  handler: multi/handler
  memory: 256
  environment:
    SHARED: yes
layers:
  runtime: multi-runtime
babashka:
  version: 9.9.9
functions:
  multi-api:
    memory: 1024
  multi-worker:
    timeout: 60
    environment:
      QUEUE: jobs
YML
mark
blambda deploy --json
expect_status 0
expect_json "[f['name'] for f in d['functions']] == ['multi-api', 'multi-worker'] and all(f['action'] == 'created' for f in d['functions'])"
expect_json "[r['name'] for r in d['roles']] == ['multi-api-blambda-role', 'multi-worker-blambda-role']"
expect_json "[l['name'] for l in d['layers']] == ['multi-runtime'] and d['layers'][0]['action'] == 'published'"
awsq lambda get-function-configuration --function-name multi-api
expect_json "d['MemorySize'] == 1024 and d['Timeout'] == 5 and d['Environment']['Variables'] == {'SHARED': 'yes'}"
expect_json "[l['Arn'] for l in d['Layers']] == ['arn:aws:lambda:eu-west-1:123456789012:layer:multi-runtime:1']"
awsq lambda get-function-configuration --function-name multi-worker
expect_json "d['MemorySize'] == 256 and d['Timeout'] == 60 and d['Environment']['Variables'] == {'QUEUE': 'jobs'}"
expect_json "d['Role'] == 'arn:aws:iam::123456789012:role/multi-worker-blambda-role'"
[ "$(writes | grep -c 'POST /2018-10-31/layers/multi-runtime/versions')" = 1 ] && pass || fail "the shared layer was not published exactly once"

test_case "deploy NAME deploys that function only; an unknown name is refused with a suggestion"
sed -i 's/timeout: 60/timeout: 90/' blambda.yml
mark
blambda deploy multi-worker
expect_status 0
expect_out_has "function 'multi-worker': updated (timeout 60 -> 90)"
expect_out_lacks "multi-api"
expect_writes "PUT /2015-03-31/functions/multi-worker/configuration;POST /2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Amulti-worker;"
mark
blambda deploy multi-wroker
expect_status 2
expect_err_has "declares no function 'multi-wroker' (did you mean 'multi-worker'?)"
expect_writes ""
blambda deploy
expect_out_has "up to date"
blambda config functions.multi-api.memory
expect_out "1024"
cd "$TMP/hello" || exit 1

test_case "AWS refuses: the step, code, message and request id; exit 3"
AWS_SECRET_ACCESS_KEY=wrong blambda deploy
expect_status 3
expect_err_has "blambda: error: cannot read the versions of runtime layer 'blambda': "
expect_err_has "(request id "

test_case "no blambda.yml: exit 2"
cd "$TMP" || exit 1
blambda deploy
expect_status 2
expect_err_has "there is no blambda.yml here to deploy"

test_case "no region: exit 2 before any work"
cd "$TMP/hello" || exit 1
AWS_REGION= AWS_DEFAULT_REGION= blambda deploy
expect_status 2
expect_err_has "no AWS region is set"

test_case "invoke: moto echoes the payload; the log tail and the answer"
cd "$TMP/hello" || exit 1
mark
blambda invoke --payload '{"name":"moto"}'
expect_status 0
expect_out '{"name":"moto"}'
expect_writes "POST /2015-03-31/functions/hello/invocations;"
blambda invoke --event example
expect_status 0
[ "$out" = "$(cat events/example.json)" ] && pass || fail "--event example sent '$out'"
blambda invoke hello --payload '{"n":[1,2]}' --json
expect_status 0
expect_json 'd["status_code"] == 200 and d["payload"] == {"n": [1, 2]} and d["function_error"] is None'

test_case "invoke: a payload that is not JSON is refused before any call"
mark
blambda invoke --payload '{"name": nope}'
expect_status 2
expect_err_has "--payload is not valid JSON: line 1, column 10: expected a value (an object, array, string, number, true, false or null), found 'n'"
[ ! -s "$REQUESTS" ] && pass || fail "a call was made: $(cat "$REQUESTS")"

test_case "--publish: a version after the update; --alias points an alias at it, made when missing"
blambda deploy --publish
expect_status 0
expect_out_has "version 'hello': published version 1 (--publish)"
awsq lambda list-versions-by-function --function-name hello
expect_json '"1" in [v["Version"] for v in d["Versions"]]'
sed -i 's/^  memory: .*/  memory: 640/' blambda.yml
blambda deploy --alias live --json
expect_status 0
expect_json 'd["versions"][0]["version"] == 2 and d["aliases"][0]["name"] == "hello:live" and d["aliases"][0]["action"] == "created" and d["aliases"][0]["version"] == 2'
awsq lambda get-alias --function-name hello --name live
expect_json 'd["FunctionVersion"] == "2"'
sed -i 's/^  memory: .*/  memory: 768\n  alias: live/' blambda.yml
blambda deploy
expect_status 0
expect_out_has "alias 'hello:live': updated -> version 3 (was at version 2)"
awsq lambda get-alias --function-name hello --name live
expect_json 'd["FunctionVersion"] == "3"'
blambda invoke --qualifier live --payload '{"via":"alias"}'
expect_status 0
expect_out '{"via":"alias"}'
blambda deploy --alias 123
expect_status 2
expect_err_has "alias '123' is not valid"

test_case "function.url: made public with its permission, left alone, made signed, removed"
sed -i '/^  alias: live$/d' blambda.yml
sed -i 's/^  memory: \(.*\)/  memory: \1\n  url: {auth: NONE, cors: {allow-origins: ["*"], max-age: 60}}/' blambda.yml
blambda deploy
expect_status 0
expect_out_has "url 'hello': created (it does not exist yet)"
printf '%s\n' "$out" | grep -qE '^  https://' && pass || fail "no URL printed: $out"
awsq lambda get-function-url-config --function-name hello
expect_json 'd["AuthType"] == "NONE" and d["Cors"]["AllowOrigins"] == ["*"] and d["Cors"]["MaxAge"] == 60'
awsq lambda get-policy --function-name hello
expect_json '"blambda-url-public" in d["Policy"] and "lambda:InvokeFunctionUrl" in d["Policy"]'
mark
blambda deploy
expect_out_has "url 'hello': unchanged"
expect_writes ""
sed -i 's/^  url: .*/  url: {auth: AWS_IAM, cors: {allow-origins: ["https:\/\/example.com"], allow-methods: [GET]}}/' blambda.yml
blambda deploy --json
expect_status 0
expect_json 'd["urls"][0]["action"] == "updated" and d["urls"][0]["reasons"] == ["auth NONE -> AWS_IAM", "cors"] and d["urls"][0]["arn"].startswith("https://")'
awsq lambda get-function-url-config --function-name hello
expect_json 'd["AuthType"] == "AWS_IAM" and d["Cors"]["AllowMethods"] == ["GET"]'
awsq lambda get-policy --function-name hello
[ -z "$out" ] || ! printf '%s' "$out" | grep -q blambda-url-public && pass || fail "the public statement stayed: $out"
sed -i '/^  url: /d' blambda.yml
blambda deploy
expect_status 0
expect_out_has "url 'hello': deleted (function.url is not set)"
awsq lambda get-function-url-config --function-name hello
grep -q ResourceNotFoundException "$TMP/aws.err" && pass || fail "the URL is still there: $out"
awsq lambda list-tags --resource "$(aws lambda get-function --function-name hello --query Configuration.FunctionArn --output text)"
expect_json '"blambda:url" not in d["Tags"]'
mark
blambda deploy
expect_out_has "up to date"
expect_writes ""

test_case "invoke: a hostile answer steers no terminal, and a log that is not base64 keeps the answer"
rm -f "$TMP/hi.port"
"$PYTHON" "$SERVERS/hostile_invoke.py" "$TMP/hi.port" > /dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"
wait_for_file "$TMP/hi.port" 30 || exit 1
HI="http://127.0.0.1:$(cat "$TMP/hi.port")"
cd "$TMP" || exit 1
tty_out=$(NO_COLOR=1 script -qec "$BLAMBDA --endpoint-url $HI invoke somefn" /dev/null)
if printf '%s' "$tty_out" | LC_ALL=C grep -q $'\x1b\|\x07'; then fail "escape sequences reached the terminal: $(printf '%s' "$tty_out" | od -c | head -20)"; else pass; fi
printf '%s' "$tty_out" | grep -q "'somefn' failed: T?]0;pwned??\[2J?\[31m: m?" && pass || fail "the error: $tty_out"
tty_out=$(NO_COLOR=1 script -qec "$BLAMBDA --endpoint-url $HI invoke chain" /dev/null)
if printf '%s' "$tty_out" | LC_ALL=C grep -q $'\x1b\|\x07'; then fail "escape sequences of the cause chain reached the terminal"; else pass; fi
[ "$(printf '%s\n' "$tty_out" | grep -c 'caused by: ')" = 10 ] && pass || fail "the causes shown: $tty_out"
printf '%s' "$tty_out" | grep -q '  data: {:id 7?\]0;pwned??\[2J?\[31m}' && pass || fail "the ex-data: $tty_out"
blambda --endpoint-url "$HI" invoke badlog
expect_status 5
expect_err_has "the log Lambda sent back is not base64: it is not shown"
expect_out_empty
expect_err_has "'badlog' failed: "
cd "$TMP/hello" || exit 1

test_case "invoke: a name the project does not declare"
blambda invoke helo
expect_status 2
expect_err_has "did you mean 'hello'"


test_case "on a terminal a download draws its bar in place; with CI set, plain lines only"
for ci in "" true; do
	rm -rf target "$BLAMBDA_CACHE_DIR"
	out=$(CI=$ci script -qec "$BLAMBDA build" /dev/null 2>&1 < /dev/null)
	case "$ci:$out" in
	:*$'\r\033[K'*|true:*Downloading*) pass ;;
	*) fail "CI='$ci': $out" ;;
	esac
	[ -n "$ci" ] && case "$out" in *$'\r\033[K'*) fail "a bar was drawn with CI set" ;; *) pass ;; esac
done


test_case "layers.share: every layer version blambda publishes is shared that way, and kept in line"
policy() { aws lambda get-layer-version-policy --layer-name blambda --version-number "$1" --query Policy --output text; }
v=$(aws lambda list-layer-versions --layer-name blambda --query 'LayerVersions[0].Version' --output text)
printf 'layers:\n  share: ["111122223333", "o-abcdefghij", "*"]\n' >> blambda.yml
blambda deploy --dry-run
expect_status 0
expect_out_has "share with 111122223333"
blambda deploy
expect_status 0
policy "$v" | python3 -c '
import json, sys
st = {s["Sid"]: s for s in json.load(sys.stdin)["Statement"]}
assert set(st) == {"blambda-share-111122223333", "blambda-share-o-abcdefghij", "blambda-share-any"}, st
assert "111122223333" in json.dumps(st["blambda-share-111122223333"]["Principal"]), st
assert "o-abcdefghij" in json.dumps(st["blambda-share-o-abcdefghij"]), st
' && pass || fail "policy: $(policy "$v")"
aws lambda add-layer-version-permission --layer-name blambda --version-number "$v" --statement-id theirs \
	--action lambda:GetLayerVersion --principal 444455556666 > /dev/null
sed -i 's/  share: \["111122223333", "o-abcdefghij", "\*"\]/  share: ["111122223333"]/' blambda.yml
blambda deploy
expect_status 0
expect_out_has "stop sharing with any"
policy "$v" | python3 -c '
import json, sys
sids = sorted(s["Sid"] for s in json.load(sys.stdin)["Statement"])
assert sids == ["blambda-share-111122223333", "theirs"], sids
' && pass || fail "policy: $(policy "$v")"
blambda deploy
expect_out_has "up to date"
printf 'layers:\n  share: [12345]\n' > "$TMP/bad.yml"
run "$BLAMBDA" -c "$TMP/bad.yml" config
expect_status 2
expect_err_has "'12345' is none of an account id (twelve digits), an organization id (o-...) and *"

finish
