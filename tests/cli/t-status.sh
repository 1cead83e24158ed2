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

finish
