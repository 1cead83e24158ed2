#!/bin/bash
# Life after the first deploy: versions published with what they hold (the
# code's digest, the commit), listed with their aliases and layers; an alias
# rolled back and forth; old versions pruned, never one an alias or a
# function uses. Against moto.
. "$(dirname "$0")/lib.sh"

deploy_setup
ARN=arn:aws:lambda:eu-west-1:123456789012:function:hello
# a checkout, as git keeps one: HEAD on a branch whose commit is in packed-refs
mkdir -p .git/refs/heads
echo 'ref: refs/heads/main' > .git/HEAD
printf '# pack-refs with: peeled fully-peeled sorted\n0123456789abcdef0123456789abcdef01234567 refs/heads/main\n' > .git/packed-refs
sed -i 's/^  name: hello$/  name: hello\n  alias: live/' blambda.yml
for i in 1 2 3; do
	echo ";; edit $i" >> src/hello.clj
	"$BLAMBDA" deploy -q > "$TMP/deploy.out" 2>&1 || { cat "$TMP/deploy.out"; exit 1; }
done

test_case "versions: newest first, with the code's digest, the commit, the alias and the layers"
blambda versions
expect_status 0
expect_out_has "function 'hello' in eu-west-1"
expect_out_has "blambda: code "
expect_out_has ", git 0123456789ab"
[ "$(printf '%s\n' "$out" | awk 'NR > 2 { print $1 }' | tr '\n' ' ')" = "3 2 1 " ] && pass || fail "order: $out"
printf '%s\n' "$out" | grep -E '^3 .* live .* blambda:1' > /dev/null && pass || fail "version 3's row: $out"
blambda versions --json
expect_json "[v['version'] for v in d['versions']] == [3, 2, 1] and d['versions'][0]['aliases'] == ['live']"
expect_json "d['aliases'] == [{'name': 'live', 'version': 3}] and d['versions'][0]['layers'][0].endswith(':layer:blambda:1')"
expect_json "d['versions'][0]['description'].startswith('blambda: code ') and d['versions'][0]['description'].endswith(', git 0123456789ab')"

test_case "rollback: to the version before, and back with --to; --dry-run moves nothing"
mark
blambda rollback --dry-run
expect_status 0
expect_out "would move alias 'live' of function 'hello': version 3 -> 2"
expect_writes ""
blambda rollback
expect_status 0
expect_out "alias 'live' of function 'hello': version 3 -> 2"
awsq lambda get-alias --function-name hello --name live --query FunctionVersion --output text
[ "$out" = 2 ] && pass || fail "alias at $out"
blambda diff
expect_status 1
expect_out_has "alias 'hello:live':"
expect_out_has "  version 2 -> 3 (the newest, which the next deploy points it at)"
blambda deploy --dry-run
expect_out_has "version 'hello': unchanged (version 3 holds this code and these layers)"
expect_out_has "would update alias 'hello:live' (was at version 2, not the newest (rolled back?))"
blambda rollback --to 3 --json
expect_json "d == {'ok': True, 'dry_run': False, 'function': 'hello', 'alias': 'live', 'from': 2, 'to': 3}"

test_case "with function.alias and nothing changed: up to date, no version published, no write"
mark
blambda deploy
expect_status 0
expect_out_has "up to date"
expect_writes ""

test_case "rollback refuses, saying why"
blambda rollback --to 3
expect_status 2
expect_err_has "alias 'live' of function 'hello' points at version 3 already"
blambda rollback --to 3 --json
expect_status 2
expect_json "not d['ok'] and 'points at version 3 already' in d['error']['message']"
blambda deploy --layer --alias live
expect_status 2
expect_err_has "--layer publishes the layers alone: --publish and --alias are for functions"
blambda rollback --to 9
expect_status 2
expect_err_has "function 'hello' has no version 9"
blambda rollback --to 1 && blambda rollback
expect_status 2
expect_err_has "points at version 1, and there is no earlier version to roll back to"
sed -i '/^  alias: live$/d' blambda.yml
blambda rollback
expect_status 2
expect_err_has "function 'hello' has no function.alias: rollback moves an alias back"
expect_err_has "name it with --alias NAME"
blambda rollback --alias live --dry-run # named on the command line: found, and at the oldest here
expect_status 2
expect_err_has "alias 'live' of function 'hello' points at version 1, and there is no earlier version"
sed -i 's/^  name: hello$/  name: hello\n  alias: live/' blambda.yml

test_case "prune: beyond the newest N, never a version an alias points at"
blambda prune --keep 1 --dry-run
expect_status 0
expect_out_has "version 1 of function 'hello': kept, an alias points at it"
expect_out_has "would delete version 2 of function 'hello'"
expect_out_has "version 3 of function 'hello': kept, one of the newest"
blambda prune --keep 1
expect_status 2
expect_err_has "not deleting without --yes"
mark
blambda prune --keep 1 --yes
expect_status 0
expect_out_has "deleted version 2 of function 'hello'"
expect_writes "DELETE /2015-03-31/functions/hello;"
awsq lambda list-versions-by-function --function-name hello --query 'Versions[].Version' --output text
[ "$out" = '$LATEST	1	3' ] && pass || fail "versions left: $out"

test_case "prune --json whose deletion fails: the plan, and the one error shape"
blambda deploy --publish -q
blambda deploy --publish -q
start_fault_proxy "$MOTO_URL"
faults '[{"match": "DELETE /2015-03-31/functions/hello", "times": 5, "status": 400,
          "headers": {"x-amzn-ErrorType": "ResourceConflictException", "x-amzn-RequestId": "req-del"},
          "body": "{\"message\": \"in use\"}"}]'
AWS_ENDPOINT_URL=$PROXY_URL blambda prune --keep 1 --yes --json
expect_status 3
expect_json "not d['ok'] and d['error']['code'] == 'ResourceConflictException' and d['error']['request_id'] == 'req-del'"
expect_json "any(v['action'] == 'delete' and v['done'] is False for v in d['versions'])"
blambda prune --keep 1 --yes -q

test_case "prune --layers: blambda's layer versions nobody uses"
printf 'x' > "$TMP/l.txt" && (cd "$TMP" && zip -q l.zip l.txt)
for d in "blambda 0.1.0 runtime layer: Babashka 9.9.9 (x86_64)" "hand made" "blambda 0.1.0 runtime layer: Babashka 9.9.9 (x86_64)"; do
	aws lambda publish-layer-version --layer-name blambda --description "$d" --zip-file "fileb://$TMP/l.zip" > /dev/null
done
blambda prune --layers --keep 1 --yes
expect_status 0
expect_out_has "version 1 of layer 'blambda': kept, function 'hello' uses it"
expect_out_has "version 3 of layer 'blambda': kept, not published by blambda"
expect_out_has "deleted version 2 of layer 'blambda'"
expect_out_has "version 4 of layer 'blambda': kept, one of the newest"
awsq lambda list-layer-versions --layer-name blambda --query 'LayerVersions[].Version' --output text
[ "$(echo $out | tr ' \t' '\n\n' | sort -n | tr '\n' ' ')" = "1 3 4 " ] && pass || fail "layer versions left: $out"


test_case "a function of that name that blambda did not make: prune and rollback refuse, nothing deleted"
printf 'x' > "$TMP/n.txt" && (cd "$TMP" && zip -q n.zip n.txt)
aws lambda create-function --function-name notours --runtime provided.al2023 --handler x --zip-file "fileb://$TMP/n.zip" \
	--role arn:aws:iam::123456789012:role/hello-blambda-role > /dev/null
for i in 1 2 3; do
	aws lambda update-function-configuration --function-name notours --description "v$i" > /dev/null
	aws lambda publish-version --function-name notours > /dev/null
done
aws lambda create-alias --function-name notours --name live --function-version 1 > /dev/null
mkdir -p "$TMP/other" && cd "$TMP/other" || exit 1
printf 'function:\n  name: notours\n  handler: x/handler\n  alias: live\nbabashka:\n  version: 9.9.9\n' > blambda.yml
mark
blambda prune --keep 1 --yes
expect_status 1 # NotOurs, as deploy says it
expect_err_has "cannot prune function 'notours': it exists in eu-west-1 and blambda did not make it"
expect_err_has "blambda import notours"
blambda rollback
expect_status 1
expect_err_has "cannot roll back alias 'live' of function 'notours': it exists in eu-west-1 and blambda did not make it"
expect_writes ""
awsq lambda list-versions-by-function --function-name notours --query 'Versions[].Version' --output text
[ "$out" = '$LATEST	1	2	3' ] && pass || fail "versions left: $out"
cd "$TMP/hello" || exit 1

test_case "a project of several regions: versions, rollback and prune need --region"
printf 'aws:\n  regions: [eu-west-1, us-east-1]\n' >> blambda.yml
blambda versions
expect_status 2
expect_err_has "the project works in 2 regions (aws.regions): 'versions' works in one"
expect_err_has "hint: name it: 'blambda versions --region REGION'"
blambda versions --region eu-west-1
expect_status 0
blambda rollback --region us-east-1 --dry-run
expect_status 3
expect_err_has "cannot roll back alias 'live' of function 'hello': ResourceNotFoundException"

test_case "a weighted alias is not rolled back blindly"
aws lambda update-alias --function-name hello --name live --function-version 3 \
	--routing-config '{"AdditionalVersionWeights": {"1": 0.1}}' > /dev/null
blambda rollback --region eu-west-1
expect_status 2
expect_err_has "sends part of its calls to version 1 (weighted routing)"

finish
