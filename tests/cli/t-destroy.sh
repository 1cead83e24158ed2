#!/bin/bash
# blambda destroy against moto: what deploy made goes (function, tagged role
# with its policies, blambda's layer versions with --layers), what it did not
# make stays (a role without blambda's tag, a role named by function.role, a
# layer version published by someone else), checked with the AWS CLI; the
# terminal question, --yes, --dry-run, and what is gone already.
. "$(dirname "$0")/lib.sh"

deploy_setup

# a role someone made by hand, for a function that names it
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
aws iam create-role --role-name hand-made --assume-role-policy-document "$TRUST" > /dev/null
sed -i '/^  name: hello$/d' blambda.yml
cat >> blambda.yml <<YAML
functions:
  hello: {}
  named: {role: "arn:aws:iam::123456789012:role/hand-made"}
  plain: {}
YAML
"$BLAMBDA" deploy -q > "$TMP/deploy.out" 2>&1 || { cat "$TMP/deploy.out"; exit 1; }
# blambda's name, not its tag any more (as if someone took the role over by hand)
aws iam untag-role --role-name plain-blambda-role --tag-keys blambda:managed-by
# a version of the runtime layer that someone else published
printf 'not blambda' > "$TMP/f.txt" && (cd "$TMP" && zip -q foreign.zip f.txt)
aws lambda publish-layer-version --layer-name blambda --description "hand made" --zip-file "fileb://$TMP/foreign.zip" > /dev/null
# one with blambda's exact description that no function uses, and one that only looks like it
aws lambda publish-layer-version --layer-name blambda --description "blambda 0.1.0 runtime layer: Babashka 9.9.9 (x86_64)" \
	--zip-file "fileb://$TMP/foreign.zip" > /dev/null
aws lambda publish-layer-version --layer-name blambda --description "blambda evil runtime layer: Babashka fake" \
	--zip-file "fileb://$TMP/foreign.zip" > /dev/null

test_case "not on a terminal, destroy deletes nothing without --yes"
: > "$REQUESTS"
blambda destroy
expect_status 2
expect_err_has "not deleting without --yes: there is no terminal to ask on"
[ -z "$(writes)" ] && pass || fail "write calls: $(writes)"

test_case "on a terminal, destroy shows the plan and asks; no is no"
: > "$REQUESTS"
out=$(printf 'n\n' | script -qec "$BLAMBDA destroy" /dev/null 2>&1)
printf '%s' "$out" | grep -q "Delete 4 resources in eu-west-1? \[y/N\]" && pass || fail "no question: $out"
printf '%s' "$out" | grep -q "would delete function 'hello'" && pass || fail "no plan shown: $out"
printf '%s' "$out" | grep -q "nothing deleted" && pass || fail "no word of nothing deleted: $out"

test_case "with CI set, even on a terminal nothing is asked"
: > "$REQUESTS"
out=$(printf 'y\n' | CI=true script -qec "$BLAMBDA destroy" /dev/null 2>&1)
printf '%s' "$out" | grep -q "not deleting without --yes: CI is set, so nothing is asked" && pass || fail "asked: $out"
[ -z "$(writes)" ] && pass || fail "write calls: $(writes)"

test_case "--dry-run: what would go and what stays, and why"
blambda destroy --dry-run --layers
expect_status 0
expect_out_has "would delete function 'hello'"
expect_out_has "would delete function 'named'"
expect_out_has "would delete role 'hello-blambda-role'"
expect_out_has "role 'plain-blambda-role': left alone, not made by blambda (no blambda:managed-by tag)"
expect_out_has "would delete layer version 'blambda' version 1"
expect_out_has "layer version 'blambda' version 2: left alone, not published by blambda"
expect_out_lacks "hand-made"
[ -z "$(writes)" ] && pass || fail "write calls: $(writes)"

test_case "one function by name, with --json"
blambda destroy hello --yes --json
expect_status 0
expect_json '[(s["kind"], s["name"], s["action"], s["done"]) for s in d["steps"]] == [("function", "hello", "delete", True), ("role", "hello-blambda-role", "delete", True)] and d["ok"]'
awsq lambda get-function --function-name hello
grep -q ResourceNotFoundException "$TMP/aws.err" && pass || fail "the function is still there"
awsq iam get-role --role-name hello-blambda-role
grep -q NoSuchEntity "$TMP/aws.err" && pass || fail "the role is still there"
awsq lambda get-function --function-name named
[ -n "$out" ] && pass || fail "'named' went too"

test_case "the rest, with the layers: blambda's go, the others stay, and so does what a staying function uses"
# 'plain' loses blambda's tag: it is not blambda's to delete any more, and it keeps its layer
arn=$(aws lambda get-function --function-name plain --query Configuration.FunctionArn --output text)
aws lambda untag-resource --resource "$arn" --tag-keys blambda:managed-by
blambda destroy --yes --layers
expect_status 0
expect_out_has "function 'hello': already gone"
expect_out_has "deleted function 'named'"
expect_out_has "function 'plain': left alone, not made by blambda (no blambda:managed-by tag)"
expect_out_has "layer version 'blambda' version 1: left alone, function 'plain' uses it"
expect_out_has "layer version 'blambda' version 2: left alone, not published by blambda"
expect_out_has "deleted layer version 'blambda' version 3"
expect_out_has "layer version 'blambda' version 4: left alone, not published by blambda"
awsq lambda list-functions
expect_json '[f["FunctionName"] for f in d["Functions"]] == ["plain"]'
awsq iam get-role --role-name hand-made
[ -n "$out" ] && pass || fail "the hand-made role went"
awsq iam get-role --role-name plain-blambda-role
[ -n "$out" ] && pass || fail "the untagged role went"
awsq lambda list-layer-versions --layer-name blambda
expect_json 'sorted(v["Version"] for v in d["LayerVersions"]) == [1, 2, 4]'

test_case "all gone: nothing to delete, no error"
blambda destroy --yes
expect_status 0
expect_err_has "nothing to delete"

test_case "a name the project does not declare"
blambda destroy helo --yes
expect_status 2
expect_err_has "did you mean 'hello'"

finish
