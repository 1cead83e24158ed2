#!/bin/bash
# blambda deploy of many functions side by side (--jobs), through a loopback
# proxy in front of moto: a function that fails does not stop the others,
# the summary and the exit status say which failed, a rerun finishes the
# job; a storm of throttling slows the deploy down without failing it.
. "$(dirname "$0")/lib.sh"

deploy_setup --proxy
count() { grep -c -- "$1" "$REQUESTS" || true; }

cat > blambda.yml <<'YML'
function:
  handler: hello/handler
  memory: 256
babashka:
  version: 9.9.9
functions:
  many-a: {}
  many-b: {}
  many-c: {}
  many-d: {}
  many-e: {}
YML

test_case "five functions made side by side: each with its role, all created"
mark
blambda deploy --json
expect_status 0
expect_json "sorted(f['name'] for f in d['functions']) == ['many-a', 'many-b', 'many-c', 'many-d', 'many-e']"
expect_json "all(f['action'] == 'created' and f['state'] == 'Active' for f in d['functions'])"
expect_json "len(d['roles']) == 5 and all(r['action'] == 'created' for r in d['roles'])"
expect_json "'error' not in d and d['ok']"
[ "$(count 'POST /2015-03-31/functions -')" = 5 ] && pass || fail "CreateFunction reached moto $(count 'POST /2015-03-31/functions -') times"

test_case "two functions fail, the other three are updated; the summary names both, exit 3"
echo ';; edit' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/many-b/code", "times": 50, "status": 500,
          "headers": {"x-amzn-ErrorType": "ServiceException", "x-amzn-RequestId": "req-b"},
          "body": "{\"message\": \"internal failure b\"}"},
         {"match": "PUT /2015-03-31/functions/many-d/code", "times": 50, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException", "x-amzn-RequestId": "req-d"},
          "body": "{\"message\": \"bad d\"}"}]'
blambda deploy
expect_status 3
expect_err_has "cannot update the code of function 'many-b': ServiceException: internal failure b (request id req-b)"
expect_err_has "cannot update the code of function 'many-d': InvalidParameterValueException: bad d (request id req-d)"
expect_err_has "2 of 5 functions failed; the others are deployed"
expect_err_has "eu-west-1: function 'many-b': failed" # off a terminal, a plain line as each function ends
expect_err_has "eu-west-1: function 'many-a': done"
expect_err_has "hint: what was done is kept; run 'blambda deploy' again to finish"
[ "$(printf "%s\n" "$err" | grep -c "hint:")" = 1 ] && pass || fail "the hint was said more than once"
for f in many-a many-c many-e; do
	expect_out_has "function '$f': updated (code changed)"
done
expect_out_lacks "function 'many-b': updated"

test_case "--json: each failed function carries its error, the first is the region's"
echo ';; edit again' >> src/hello.clj
blambda deploy --json
expect_status 3
expect_json "not d['ok'] and d['error']['code'] in ('ServiceException', 'InvalidParameterValueException')"
expect_json "{f['name']: f['error']['code'] for f in d['functions'] if 'error' in f} == {'many-b': 'ServiceException', 'many-d': 'InvalidParameterValueException'}"
expect_json "[f['error']['request_id'] for f in d['functions'] if f['name'] == 'many-d'] == ['req-d']"

test_case "a rerun finishes the job: only the two that failed are written to"
faults '[]'
mark
blambda deploy
expect_status 0
expect_out_has "function 'many-b': updated (code changed)"
expect_out_has "function 'many-d': updated (code changed)"
expect_out_has "function 'many-a': unchanged (up to date)"
[ "$(count 'PUT /2015-03-31/functions/many-a/code')" = 0 ] && pass || fail "many-a's code was sent again"
[ "$(count 'PUT /2015-03-31/functions/many-b/code')" = 1 ] && pass || fail "many-b's code was sent $(count 'PUT /2015-03-31/functions/many-b/code') times"

test_case "one failure of five: said as before, without a count"
echo ';; one' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/many-e/code", "times": 50, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"}, "body": "{\"message\": \"bad e\"}"}]'
blambda deploy
expect_status 3
expect_err_has "cannot update the code of function 'many-e': InvalidParameterValueException: bad e"
expect_err_lacks "functions failed"
faults '[]'

test_case "a new function whose create fails: the others are updated, a rerun makes it"
printf '  many-f: {}\n' >> blambda.yml
echo ';; six' >> src/hello.clj
faults '[{"match": "POST /2015-03-31/functions", "times": 50, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException", "x-amzn-RequestId": "req-f"},
          "body": "{\"message\": \"bad create\"}"}]'
blambda deploy
expect_status 3
expect_err_has "cannot create function 'many-f': InvalidParameterValueException: bad create (request id req-f)"
expect_err_has "eu-west-1: function 'many-f': failed"
expect_out_has "function 'many-a': updated (code changed)"
expect_out_has "role 'many-f-blambda-role': created"
faults '[]'
mark
blambda deploy
expect_status 0
expect_out_has "function 'many-f': created"
expect_out_has "role 'many-f-blambda-role': unchanged"
[ "$(grep -c 'PUT /2015-03-31/functions/many-a/code' "$REQUESTS")" = 0 ] && pass || fail "many-a was written again"

test_case "a storm of throttling on every function: slower, not failed"
echo ';; storm' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/", "times": 12, "status": 429,
          "headers": {"x-amzn-ErrorType": "TooManyRequestsException"}, "body": "{\"message\": \"Rate exceeded\"}"}]'
mark
blambda deploy -v
expect_status 0
expect_err_has "AWS is throttling"
for f in many-a many-b many-c many-d many-e; do
	expect_out_has "function '$f': updated (code changed)"
done

test_case "--jobs 1: one after another, the same result"
echo ';; serial' >> src/hello.clj
faults '[]'
blambda deploy --jobs 1 --json
expect_status 0
expect_json "all(f['action'] == 'updated' for f in d['functions'])"
blambda deploy --jobs 0
expect_status 2
expect_err_has "--jobs"

test_case "--code-only where Lambda cannot decrypt the environment: the layers go alone, nothing read back is written"
aws lambda update-function-configuration --function-name many-a --environment '{"Variables": {"KEEP": "me"}}' > /dev/null
aws lambda tag-resource --resource "$(aws lambda get-function --function-name many-a --query Configuration.FunctionArn --output text)" \
	--tags team=blue > /dev/null
aws lambda get-function --function-name many-a > "$TMP/real.json"
"$PYTHON" - "$TMP/real.json" > "$TMP/rules.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d.pop("ResponseMetadata", None)
d["Configuration"]["Environment"] = {"Error": {"ErrorCode": "KMSAccessDeniedException", "Message": "no key"}}
d["Configuration"]["Layers"] = []  # so that blambda's layer is put back: a configuration write
print(json.dumps([{"match": "GET /2015-03-31/functions/many-a", "times": 1, "status": 200, "body": json.dumps(d),
                   "headers": {"Content-Type": "application/json"}}]))
PY
faults "$(cat "$TMP/rules.json")"
echo ';; kms' >> src/hello.clj
mark
blambda deploy --code-only many-a
expect_status 0
expect_out_has "function 'many-a': updated"
[ "$(grep -c 'PUT /2015-03-31/functions/many-a/configuration' "$REQUESTS")" = 1 ] && pass || fail "no configuration write"
awsq lambda get-function-configuration --function-name many-a
expect_json "d['Environment']['Variables'] == {'KEEP': 'me'}"
awsq lambda get-function --function-name many-a
expect_json "d['Tags'].get('team') == 'blue'"
faults '[]'

test_case "side by side: with a slow Lambda, five updates take about as long as one"
echo ';; slow' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/", "times": 5, "delay": 1}]'
start=$(date +%s%N)
blambda deploy
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_status 0
[ "$ms" -lt 4000 ] && pass || fail "five updates delayed 1 s each took ${ms} ms: not side by side"
faults '[]'

test_case "Lambda's refusal quoting the environment: the values are not shown"
sed -i 's/memory: 256/memory: 384/' blambda.yml
faults '[{"match": "PUT /2015-03-31/functions/many-c/configuration", "times": 5, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"},
          "body": "{\"message\": \"Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {\\\"TOKEN\\\":\\\"env-secret-value\\\"}\"}"}]'
blambda deploy --json
expect_status 3
expect_out_lacks "env-secret-value"
expect_out_has "exceeded the 4KB limit. (the variables it quotes are not shown)"
faults '[]'

test_case "one function changed meanwhile (412): planned again, and what the first run did is still said"
echo ';; 412' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/many-c/code", "times": 1, "status": 412,
          "headers": {"x-amzn-ErrorType": "PreconditionFailedException"},
          "body": "{\"message\": \"The Revision Id provided does not match the latest Revision Id.\"}"}]'
blambda deploy --json
expect_status 0
expect_json "sorted(f['name'] for f in d['functions'] if f['action'] == 'updated' and 'code' in f['writes_done']) == ['many-a', 'many-b', 'many-c', 'many-d', 'many-e', 'many-f']"
faults '[]'

test_case "--use-s3: the functions' one zip is put in S3 once, not once a function"
aws s3api create-bucket --bucket many-zips --create-bucket-configuration LocationConstraint=eu-west-1 --endpoint-url "$MOTO_URL" > /dev/null
echo ';; s3' >> src/hello.clj
mark
blambda deploy --use-s3 --s3-bucket many-zips
expect_status 0
[ "$(grep -c '^PUT /many-zips/blambda/' "$REQUESTS")" = 1 ] && pass || fail "the zip was put $(grep -c '^PUT /many-zips/blambda/' "$REQUESTS") times"
[ "$(grep -c '^HEAD /many-zips/blambda/' "$REQUESTS")" -le 2 ] && pass || fail "looked for $(grep -c '^HEAD /many-zips/blambda/' "$REQUESTS") times"

test_case "credentials that expire soon are fetched again once for all the threads, not once a thread"
mkdir -p "$HOME/.aws"
cat > "$TMP/cp.sh" <<SH
#!/bin/sh
echo run >> "$TMP/cp.log"
exp=\$(date -u -d '+200 seconds' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}' "$MOTO_AK" "$MOTO_SK" "\$exp"
SH
chmod +x "$TMP/cp.sh"
printf '[profile cp]\ncredential_process = %s\nregion = eu-west-1\n' "$TMP/cp.sh" > "$HOME/.aws/config"
echo ';; creds' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/", "times": 100, "delay": 4}]'
: > "$TMP/cp.log"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; AWS_PROFILE=cp BLAMBDA_WAIT_SCALE=0.05 "$BLAMBDA" deploy -q > "$TMP/cp.out" 2>&1)
[ $? = 0 ] && pass || fail "the deploy failed: $(cat "$TMP/cp.out")"
runs=$(wc -l < "$TMP/cp.log")
[ "$runs" -le 2 ] && pass || fail "credential_process ran $runs times"
rm -f "$HOME/.aws/config"
faults '[]'

test_case "a rate limit on every call (2 in 0.1 s, IAM's Throttling and Lambda's 429) on 24 functions: slower, not failed"
for i in $(seq 1 18); do printf '  rated-%s: {}\n' "$i" >> blambda.yml; done
faults '[]'
blambda deploy
expect_status 0
echo ';; rate' >> src/hello.clj
faults '[{"match": "* /2015-03-31/", "times": 100000, "rate": [2, 0.1], "status": 429,
          "headers": {"x-amzn-ErrorType": "TooManyRequestsException"}, "body": "{\"message\": \"Rate exceeded\"}"},
         {"match": "POST / Action=", "times": 100000, "rate": [2, 0.1], "status": 400, "headers": {"Content-Type": "text/xml"},
          "body": "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"}]'
BLAMBDA_RETRY_BASE_MS=100 blambda deploy --json
expect_status 0
expect_json "len(d['functions']) == 24 and all(f['action'] == 'updated' for f in d['functions'])"
faults '[]'

finish
