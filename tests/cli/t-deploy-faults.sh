#!/bin/bash
# blambda deploy through a loopback proxy in front of moto that injects
# faults: throttling, 500s, 409 while an update runs, a role Lambda cannot
# assume yet, dropped connections, a region that fails. The deploy
# completes, or fails naming the step and a rerun finishes; and deploys to
# several regions at once.
. "$(dirname "$0")/lib.sh"

deploy_setup --proxy

count() { grep -c -- "$1" "$REQUESTS" || true; }
json_err() { printf '{"message": "%s"}' "$1"; }

test_case "throttled publish, a 500 and a role Lambda cannot assume yet: the first deploy completes"
faults '[{"match": "POST /2018-10-31/layers/blambda/versions", "times": 2, "status": 429,
          "headers": {"x-amzn-ErrorType": "TooManyRequestsException"}, "body": "{\"message\": \"Rate exceeded\"}"},
         {"match": "GET /2015-03-31/functions/hello", "times": 1, "status": 500, "body": "{\"message\": \"oops\"}"},
         {"match": "POST /2015-03-31/functions", "times": 2, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"},
          "body": "{\"message\": \"The role defined for the function cannot be assumed by Lambda.\"}"}]'
: > "$REQUESTS"
blambda deploy
expect_status 0
expect_out_has "runtime layer 'blambda': published version 1"
expect_out_has "function 'hello': created"
[ "$(count 'POST /2018-10-31/layers/blambda/versions')" = 1 ] && pass || fail "the layer reached moto $(count 'POST /2018-10-31/layers/blambda/versions') times"
[ "$(count 'POST /2015-03-31/functions -')" = 1 ] && pass || fail "CreateFunction reached moto $(count 'POST /2015-03-31/functions -') times"
aws lambda get-function --function-name hello --endpoint-url "$MOTO_URL" > /dev/null && pass || fail "no function"

test_case "409 while an update is in progress: waited out, then the update goes through"
echo ';; edit' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 2, "status": 409,
          "headers": {"x-amzn-ErrorType": "ResourceConflictException"},
          "body": "{\"message\": \"The operation cannot be performed at this time. An update is in progress for resource\"}"}]'
: > "$REQUESTS"
blambda deploy
expect_status 0
expect_out_has "function 'hello': updated (code changed)"
[ "$(count 'PUT /2015-03-31/functions/hello/code')" = 1 ] && pass || fail "UpdateFunctionCode reached moto $(count 'PUT /2015-03-31/functions/hello/code') times"

test_case "a persistent failure names the step and AWS's answer; a rerun finishes the rest"
echo ';; edit 2' >> src/hello.clj
sed -i 's/memory: 512/memory: 768/' blambda.yml
faults '[{"match": "PUT /2015-03-31/functions/hello/configuration", "times": 20, "status": 500,
          "headers": {"x-amzn-ErrorType": "ServiceException", "x-amzn-RequestId": "req-500"},
          "body": "{\"message\": \"internal failure\"}"}]'
blambda deploy
expect_status 3
expect_err_has "blambda: error: cannot update the configuration of function 'hello': ServiceException: internal failure (request id req-500) after 3 attempts"
expect_err_has "hint: what was done is kept; run 'blambda deploy' again to finish"
expect_out_has "function 'hello': stopped after updating the code (code changed, memory 512 -> 768)"
faults '[]'
: > "$REQUESTS"
blambda deploy
expect_status 0
expect_out_has "function 'hello': updated (memory 512 -> 768)"
expect_out_lacks "code changed"
[ "$(count 'PUT /2015-03-31/functions/hello/code')" = 0 ] && pass || fail "the code was sent again"

test_case "dropped connections: before the call is retried; after CreateRole, the made role is found"
sed -i 's/name: hello/name: hello2/' blambda.yml
faults '[{"match": "POST / Action=CreateRole", "times": 1, "drop": true, "after": true},
         {"match": "GET /2018-10-31/layers/blambda/versions", "times": 1, "drop": true}]'
: > "$REQUESTS"
blambda deploy
expect_status 0
expect_out_has "role 'hello2-blambda-role': created"
expect_out_has "function 'hello2': created"
[ "$(count ' CreateRole')" = 2 ] && pass || fail "CreateRole reached moto $(count ' CreateRole') times"
[ "$(count ' AttachRolePolicy')" = 1 ] && pass || fail "the policy was attached $(count ' AttachRolePolicy') times"

test_case "an answer that stalls past the read timeout is retried"
sed -i 's/name: hello2/name: hello/' blambda.yml
faults '[{"match": "GET /2015-03-31/functions/hello", "times": 1, "delay": 4}]'
BLAMBDA_READ_TIMEOUT=1 blambda deploy
expect_status 0
expect_out_has "up to date"
[ "$("$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/__fault/hits").read().decode())' "$PROXY_URL")" = 1 ] && pass || fail "the stall was not injected"

test_case "a lost CreateFunction answer: the function is found and brought up to date, at once"
sed -i 's/name: hello$/name: hello3/' blambda.yml
faults '[{"match": "POST /2015-03-31/functions", "times": 1, "drop": true, "after": true}]'
: > "$REQUESTS"
start_s=$(date +%s)
blambda deploy
expect_status 0
expect_out_has "function 'hello3': created"
[ $(( $(date +%s) - start_s )) -lt 60 ] && pass || fail "took $(( $(date +%s) - start_s )) s"
[ "$(count 'POST /2015-03-31/functions -')" = 2 ] && pass || fail "CreateFunction reached moto $(count 'POST /2015-03-31/functions -') times"
sed -i 's/name: hello3$/name: hello/' blambda.yml

test_case "a new role for an existing function: its configuration waits for IAM too"
aws iam detach-role-policy --role-name hello-blambda-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole --endpoint-url "$MOTO_URL"
aws iam delete-role --role-name hello-blambda-role --endpoint-url "$MOTO_URL"
faults '[{"match": "PUT /2015-03-31/functions/hello/configuration", "times": 2, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"},
          "body": "{\"message\": \"The role defined for the function cannot be assumed by Lambda.\"}"}]'
blambda deploy
expect_status 0
expect_out_has "role 'hello-blambda-role': created"
expect_out_has "function 'hello': updated"

test_case "a function changed between the plan and the write (412): planned again, once, and deployed"
echo ';; changed meanwhile' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 1, "status": 412,
          "headers": {"x-amzn-ErrorType": "PreconditionFailedException"},
          "body": "{\"message\": \"The Revision Id provided does not match the latest Revision Id.\"}"}]'
: > "$REQUESTS"
blambda deploy
expect_status 0
expect_err_has "the function changed since the plan read it (another deploy?): planning again"
expect_out_has "function 'hello': updated (code changed)"
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 2, "status": 412,
          "headers": {"x-amzn-ErrorType": "PreconditionFailedException"},
          "body": "{\"message\": \"The Revision Id provided does not match the latest Revision Id.\"}"}]'
echo ';; changed again' >> src/hello.clj
blambda deploy
expect_status 3
expect_err_has "cannot update the code of function 'hello': PreconditionFailedException"
faults '[]'

test_case "two deploys of one checkout at once: the second waits for nothing and says why"
mkdir -p target && printf '4242\n' > target/.deploy.lock
"$PYTHON" -c 'import fcntl, sys, time; f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2], "w"); time.sleep(60)' \
	target/.deploy.lock "$TMP/locked" &
holder=$!
wait_for_file "$TMP/locked" 10
blambda deploy
expect_status 1
expect_err_has "another deploy of this project is running: two at once would interleave"
expect_err_has "hint: wait for it to finish (process 4242 holds target/.deploy.lock)"
blambda deploy --dry-run
expect_status 0
kill $holder 2>/dev/null; wait $holder 2>/dev/null
blambda deploy
expect_status 0

test_case "answers missing what they must hold: a clear error, no crash"
faults '[{"match": "GET /2015-03-31/functions/hello", "times": 5, "status": 200, "body": "{}"}]'
blambda deploy
expect_status 1
expect_err_has "cannot read function 'hello': Lambda's answer to GetFunction has no Configuration.FunctionArn"
echo ';; malformed' >> src/hello.clj
faults '[{"match": "PUT /2015-03-31/functions/hello/code", "times": 5, "status": 200, "body": "[1, 2, 3]"}]'
blambda deploy
expect_status 1
expect_err_has "has no FunctionArn"
faults '[{"match": "GET /2018-10-31/layers/blambda/versions", "times": 1000, "status": 200,
          "body": "{\"LayerVersions\": [{\"Version\": 1e300}], \"NextMarker\": \"again\"}"}]'
: > "$REQUESTS"
run timeout 60 "$BLAMBDA" deploy
expect_status 1
expect_err_has "Lambda's answer to ListLayerVersions has no end (more than 100 pages)"

test_case "a plan that stops early shows nothing it did not read"
faults '[{"match": "GET /2015-03-31/functions/hello", "times": 100, "status": 500, "body": "{\"message\": \"down\"}"}]'
blambda deploy --json
expect_status 3
expect_json "not d['ok'] and d['functions'] == [] and d['error']['step'] == \"read function 'hello'\""
blambda deploy
expect_out_lacks "function 'hello'"

test_case "the function and its role are read side by side: the first failure in the plan's order is the one said"
faults '[{"match": "POST / Action=GetRole", "times": 100, "status": 403,
          "body": "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no iam</Message></Error></ErrorResponse>"}]'
mark
blambda deploy --json
expect_status 3
expect_json "not d['ok'] and d['error']['step'] == \"read role 'hello-blambda-role'\" and d['error']['code'] == 'AccessDenied'"
expect_json "d['functions'] == []"
faults '[{"match": "POST / Action=GetRole", "times": 100, "status": 403,
          "body": "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no iam</Message></Error></ErrorResponse>"},
         {"match": "GET /2015-03-31/functions/hello", "times": 100, "delay": 0.3, "status": 500, "body": "{\"message\": \"down\"}"}]'
blambda deploy
expect_status 3
expect_err_has "read function 'hello'"
expect_err_lacks "no iam"
expect_writes ""
faults '[]'

test_case "escape sequences in AWS's answers do not reach the terminal"
faults '[{"match": "GET /2015-03-31/functions/hello", "times": 5, "status": 400,
          "headers": {"x-amzn-ErrorType": "Evil\u001b[31m"},
          "body": "{\"message\": \"bad\u001b[2J\u001b]0;owned\u0007\\ninjected line\"}"}]'
blambda deploy
expect_status 3
case "$err" in *$'\033'*|*$'\a'*) fail "an escape sequence was printed" ;; *) pass ;; esac
expect_err_has "Evil?[31m: bad?[2J?]0;owned??injected line"
faults '[]'

test_case "two regions at once: each gets its layer and function"
faults '[]'
: > "$REQUESTS"
blambda deploy --region eu-west-1 --region us-east-1 --json
expect_status 0
expect_json "d['ok'] and [r['region'] for r in d['regions']] == ['eu-west-1', 'us-east-1']"
expect_json "d['regions'][0]['ok'] and d['regions'][1]['functions'][0]['action'] == 'created'"
expect_json "d['regions'][1]['layers'][0]['arn'] == 'arn:aws:lambda:us-east-1:123456789012:layer:blambda:1'"
aws lambda get-function-configuration --function-name hello --region us-east-1 --endpoint-url "$MOTO_URL" > "$TMP/use1.json" &&
	grep -q 'arn:aws:lambda:us-east-1:123456789012:layer:blambda:1' "$TMP/use1.json" && pass || fail "no function in us-east-1"

test_case "aws.regions in blambda.yml; a failure in one region does not stop the other"
printf 'aws:\n  regions: [eu-west-1, us-west-2]\n' >> blambda.yml
faults '[{"match": "POST /2018-10-31/layers/blambda/versions", "region": "us-west-2", "times": 10, "status": 400,
          "headers": {"x-amzn-ErrorType": "InvalidParameterValueException"}, "body": "{\"message\": \"no layers here\"}"}]'
echo ';; edit 3' >> src/hello.clj
blambda deploy
expect_status 3
expect_out_has "eu-west-1:"
expect_out_has "  function 'hello': updated (code changed)"
expect_out_has "us-west-2:"
expect_err_has "blambda: error: us-west-2: cannot publish runtime layer 'blambda': InvalidParameterValueException: no layers here"
expect_err_has "1 of 2 regions failed; the others are deployed"
awsq_sha=$(aws lambda get-function-configuration --function-name hello --region eu-west-1 --endpoint-url "$MOTO_URL" --query CodeSha256 --output text)
want=$(python3 -c "import base64,hashlib,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],'rb').read()).digest()).decode())" target/function.zip)
[ "$awsq_sha" = "$want" ] && pass || fail "eu-west-1 was not updated"

test_case "--region once overrides aws.regions"
faults '[]'
blambda deploy --region eu-west-1 --dry-run
expect_status 0
expect_out_lacks "us-west-2"
expect_out_has "up to date"

test_case "region names are lower case"
blambda deploy --region eu-west-1 --region EU-WEST-1 --dry-run
expect_status 2
expect_err_has "region names are lower case: 'EU-WEST-1' is not one"

test_case "destroy in two regions, one failing: the other's function goes, the global role stays"
faults '[{"match": "DELETE /2015-03-31/functions/hello", "region": "us-east-1", "times": 100, "status": 403,
          "headers": {"x-amzn-ErrorType": "AccessDeniedException"}, "body": "{\"Message\": \"not you\"}"}]'
blambda destroy --region us-east-1 --region eu-west-1 --yes
[ "$status" -ne 0 ] && pass || fail "destroy said it went well"
expect_err_has "us-east-1: cannot delete function 'hello': AccessDeniedException: not you"
expect_err_has "1 of 2 regions failed; their roles are kept until a destroy there goes well"
case "$out" in *"eu-west-1:
  deleted function 'hello'
  not deleted: role 'hello-blambda-role'"*) pass ;; *) fail "stdout was: $out" ;; esac
awsq_role=$(aws iam get-role --role-name hello-blambda-role --endpoint-url "$MOTO_URL" --query Role.RoleName --output text)
[ "$awsq_role" = hello-blambda-role ] && pass || fail "the role went while us-east-1's function uses it"

test_case "the rerun finishes: us-east-1's function, then the role"
faults '[]'
blambda destroy --region us-east-1 --region eu-west-1 --yes
expect_status 0
expect_out "us-east-1:
  deleted function 'hello'
eu-west-1:
  function 'hello': already gone
  deleted role 'hello-blambda-role'"
aws iam get-role --role-name hello-blambda-role --endpoint-url "$MOTO_URL" > /dev/null 2>&1 && fail "the role stayed" || pass

# refused_in REGION: a rule making ListFunctions there refuse the credentials, as a region not turned on does
refused_in() {
	printf '{"match": "GET /2015-03-31/functions/", "region": "%s", "times": 1000, "status": 403,
	  "headers": {"x-amzn-ErrorType": "UnrecognizedClientException"},
	  "body": "{\\"message\\": \\"The security token included in the request is invalid.\\"}"}' "$1"
}
NO_EC2='{"match": "POST / Action=DescribeRegions", "times": 1000, "status": 403,
  "body": "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors></Response>"}'

test_case "a region that cannot be asked keeps the global role, with a way out"
blambda deploy --region eu-west-1
expect_status 0
faults "[$(refused_in ap-east-1)]"
blambda destroy --region eu-west-1 --yes
expect_status 0
expect_out_has "role 'hello-blambda-role': left alone, whether a function in ap-east-1 uses it could not be told (UnrecognizedClientException)"
expect_err_has "hint: a role stays while a region cannot say whether a function there uses it"

test_case "without EC2's list of regions, an opt-in region that refuses the credentials is one not turned on"
faults "[$NO_EC2, $(refused_in ap-east-1), $(refused_in us-west-1)]"
blambda destroy --region eu-west-1 --dry-run
expect_status 0
expect_out_has "role 'hello-blambda-role': left alone, whether a function in us-west-1 uses it could not be told"
faults "[$NO_EC2, $(refused_in ap-east-1)]"
blambda destroy --region eu-west-1 --yes
expect_status 0
expect_out_has "deleted role 'hello-blambda-role'"
faults '[]'

test_case "several --region for a command that works in one region: refused"
blambda doctor --region eu-west-1 --region us-east-1
expect_status 2
expect_err_has "--region is given 2 times; 'blambda doctor' works in one region"

finish
