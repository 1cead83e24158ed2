#!/bin/bash
# Seeing what is there: status (deployed or not, state, the code, settings,
# the alias, the URL) and diff (each difference, old -> new, those made
# outside blambda marked; exit 1 when something differs). Against moto.
. "$(dirname "$0")/lib.sh"

deploy_setup
"$BLAMBDA" deploy -q > "$TMP/deploy.out" 2>&1 || { cat "$TMP/deploy.out"; exit 1; }

test_case "status after a deploy: deployed, Active, the build here, as blambda.yml says"
mark
blambda status
expect_status 0
expect_out_has "function 'hello': deployed, Active, last updated "
expect_out_has "  code: the build here"
expect_out_has "  settings: as blambda.yml says"
expect_writes ""
blambda diff
expect_status 0
expect_err_has "no differences"

test_case "a change made with the AWS CLI: status counts it, diff shows it, marked"
aws lambda update-function-configuration --function-name hello --memory-size 256 \
	--environment '{"Variables": {"SECRET": "not-shown"}}' > /dev/null
blambda status
expect_status 0
expect_out_has "  settings: 2 differ from blambda.yml ('blambda diff' shows them); changed outside blambda"
blambda diff
expect_status 1
expect_out_has "function 'hello':"
expect_out_has "  memory 256 -> 512 (changed outside blambda)"
expect_out_has "  environment SECRET removed (changed outside blambda)"
expect_out_lacks "not-shown"
blambda status --json
expect_json "d['regions'][0]['functions'][0]['changed_outside_blambda'] and d['regions'][0]['functions'][0]['code_is_local_build']"
blambda -vv status
expect_err_lacks "not-shown"

test_case "deploy --code-only: the code goes, a change made elsewhere stays, a layer added by hand stays"
zip -q "$TMP/mine.zip" blambda.yml
mine=$(aws lambda publish-layer-version --layer-name mine --zip-file "fileb://$TMP/mine.zip" \
	--query LayerVersionArn --output text)
rt=$(aws lambda get-function-configuration --function-name hello --query 'Layers[0].Arn' --output text)
aws lambda update-function-configuration --function-name hello --layers "$mine" "$rt" > /dev/null
echo ';; code only' >> src/hello.clj
mark
blambda deploy --code-only --json
expect_status 0
expect_json "d['functions'][0]['kept'] == ['memory 256 -> 512', 'environment SECRET removed', 'layers changed']"
expect_json "'code changed' in d['functions'][0]['reasons']"
expect_json "\"left as they are by --code-only, 'blambda deploy' applies them: memory 256 -> 512; environment SECRET removed; layers changed\" in d['functions'][0]['reasons']"
expect_writes "PUT /2015-03-31/functions/hello/code;"
got=$(aws lambda get-function-configuration --function-name hello \
	--query '[MemorySize, Environment.Variables.SECRET, join(`,`, Layers[].Arn)]' --output text)
case "$got" in "256	not-shown	$mine,$rt") pass ;; *) fail "code-only changed the settings: $got" ;; esac
blambda diff
expect_status 1
expect_out_lacks "code differs"
expect_out_has "  memory 256 -> 512 (changed outside blambda)"
blambda deploy --code-only --layer
expect_status 2
expect_err_has "--layer and --code-only: choose one"

test_case "a plain deploy after it puts blambda.yml's settings back and says they were changed elsewhere"
blambda deploy
expect_status 0
expect_out_has "changed outside blambda"
blambda diff
expect_status 0

test_case "the code edited here: diff says so; a deploy puts it all back"
echo ';; edited' >> src/hello.clj
blambda diff
expect_status 1
expect_out_has "  code differs from the build here"
blambda deploy
expect_status 0
blambda diff
expect_status 0

test_case "a function not deployed, and several regions"
blambda status --region eu-west-1 --region us-east-1
expect_status 0
case "$out" in *"eu-west-1:
  function 'hello': deployed, Active"*"us-east-1:
  function 'hello': not deployed"*) pass ;; *) fail "status: $out" ;; esac
blambda diff --region us-east-1
expect_status 1
expect_out_has "  not deployed"

test_case "--code-only where the function does not exist: made in full, as a plain deploy makes it"
blambda deploy --code-only --publish --region us-east-1 --json
expect_status 0
expect_json "d['functions'][0]['action'] == 'created' and 'kept' not in d['functions'][0] and d['versions'][0]['version'] == 1"
expect_json "len(d['roles']) == 1"
AWS_REGION=us-east-1 awsq lambda get-function-configuration --function-name hello
expect_json "d['MemorySize'] == 512 and len(d['Layers']) == 1"

finish
