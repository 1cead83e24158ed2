#!/bin/bash
# Never what blambda did not make: a function or a role of the name blambda
# would use, without blambda's tag, is refused before any write, by deploy
# and by --dry-run, with a way out; nothing foreign is changed. Against moto.
. "$(dirname "$0")/lib.sh"

deploy_setup
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
ADMIN=arn:aws:iam::aws:policy/AdministratorAccess

# someone else's function of the project's name, with an administrator role of blambda's naming
aws iam create-role --role-name admin-role --assume-role-policy-document "$TRUST" > /dev/null
aws iam attach-role-policy --role-name admin-role --policy-arn "$ADMIN"
printf 'def h(e, c):\n    return "theirs"\n' > "$TMP/theirs.py" && (cd "$TMP" && zip -q theirs.zip theirs.py)
aws lambda create-function --function-name hello --runtime python3.12 --handler theirs.h \
	--role arn:aws:iam::123456789012:role/admin-role --zip-file "fileb://$TMP/theirs.zip" > /dev/null
theirs_sha=$(aws lambda get-function --function-name hello --query Configuration.CodeSha256 --output text)

test_case "an untagged function of the same name: refused before any write, with the way out"
mark
blambda deploy
expect_status 1
expect_err_has "cannot deploy function 'hello': it exists in eu-west-1 and blambda did not make it (it has no blambda:managed-by tag)"
expect_err_has "hint: choose another function.name; if the function is yours, 'blambda import hello --region eu-west-1' adopts it"
expect_writes ""
awsq lambda get-function --function-name hello
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin); c = d["Configuration"]
assert c["Runtime"] == "python3.12" and c["Handler"] == "theirs.h", c
assert c["Role"].endswith("/admin-role"), c
assert c["CodeSha256"] == sys.argv[1], c
assert "blambda:managed-by" not in (d.get("Tags") or {}), d.get("Tags")
' "$theirs_sha" && pass || fail "the foreign function was changed: $out"

test_case "--dry-run says so too, and --json carries the code"
blambda deploy --dry-run
expect_status 1
expect_err_has "blambda did not make it"
blambda deploy --json
expect_json 'not d["ok"] and d["error"]["code"] == "NotOurs"'

test_case "a tag naming something else is not blambda's either"
arn=$(aws lambda get-function --function-name hello --query Configuration.FunctionArn --output text)
aws lambda tag-resource --resource "$arn" --tags blambda:managed-by=someone-else
mark
blambda deploy
expect_status 1
expect_err_has "its blambda:managed-by tag names something else"
expect_writes ""

test_case "destroy leaves it"
blambda destroy --yes
awsq lambda get-function --function-name hello
[ -n "$out" ] && pass || fail "the foreign function was deleted"

test_case "an untagged role of blambda's name (an administrator's): never used as blambda's"
aws iam create-role --role-name other-blambda-role --assume-role-policy-document "$TRUST" > /dev/null
aws iam attach-role-policy --role-name other-blambda-role --policy-arn "$ADMIN"
sed -i 's/^  name: hello$/  name: other/' blambda.yml
mark
blambda deploy
expect_status 1
expect_err_has "cannot use role 'other-blambda-role': it exists and blambda did not make it (it has no blambda:managed-by tag)"
expect_err_has "hint: to use it, set function.role to arn:aws:iam::123456789012:role/other-blambda-role"
expect_writes ""
awsq lambda get-function --function-name other
[ -z "$out" ] && pass || fail "a function was made with the foreign role"
awsq iam list-role-tags --role-name other-blambda-role
printf '%s' "$out" | grep -q managed-by && fail "the foreign role was tagged" || pass

test_case "named knowingly with function.role, the same role is used"
sed -i '/^  name: other$/a\  role: arn:aws:iam::123456789012:role/other-blambda-role' blambda.yml
blambda deploy
expect_status 0
awsq lambda get-function --function-name other --query Configuration.Role --output text
[ "$out" = arn:aws:iam::123456789012:role/other-blambda-role ] && pass || fail "role: $out"

test_case "one function in two regions: destroying one region keeps the global role the other uses"
cd "$TMP" && "$BLAMBDA" new-function multi --bb-version 9.9.9 -q > /dev/null && cd multi || exit 1
blambda deploy --region eu-west-1 --region us-east-1
expect_status 0
blambda destroy --region eu-west-1 --yes
expect_status 0
expect_out_has "role 'multi-blambda-role': left alone, function 'multi' in us-east-1 uses it"
awsq iam get-role --role-name multi-blambda-role
[ -n "$out" ] && pass || fail "the role was deleted while us-east-1's function uses it"
awsq lambda get-function --function-name multi --region us-east-1
[ -n "$out" ] && pass || fail "us-east-1's function is gone"
blambda destroy --region us-east-1 --yes
expect_status 0
expect_out_has "deleted role 'multi-blambda-role'"
awsq iam get-role --role-name multi-blambda-role
[ -z "$out" ] && pass || fail "the role stayed after the last function went"

test_case "deploy in one region does not change the policies of a role the function of another region runs with"
cd "$TMP" && mkdir -p east && cd east && "$BLAMBDA" new-function shared --bb-version 9.9.9 -q > /dev/null || exit 1
cd "$TMP" && mkdir -p west && cd west && "$BLAMBDA" new-function shared --bb-version 9.9.9 -q > /dev/null || exit 1
sed -i 's|^  source-paths: \[src\]|  source-paths: [src]\n  tracing: active\n  policies:\n    - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess|' "$TMP/west/shared/blambda.yml"
cd "$TMP/west/shared" && blambda deploy --region eu-west-1
expect_status 0
cd "$TMP/east/shared" || exit 1
mark
blambda deploy --region us-east-1
expect_status 1
expect_err_has "role 'shared-blambda-role' is global, and function 'shared' in eu-west-1 uses it: changing its policies here would change them there"
expect_err_has "hint: deploy every region that uses it at once"
expect_writes ""
awsq iam list-attached-role-policies --role-name shared-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AWSXRayDaemonWriteAccess', 'AmazonS3ReadOnlyAccess']"
# the same settings in both: nothing of the role changes, the deploy goes through
cp "$TMP/west/shared/blambda.yml" blambda.yml
blambda deploy --region us-east-1
expect_status 0
expect_out_has "role 'shared-blambda-role': unchanged"
cd "$TMP/multi" || exit 1

test_case "a function of someone else's in another region using blambda's role keeps it too"
blambda deploy --region eu-west-1
expect_status 0
aws lambda create-function --region ap-southeast-2 --function-name borrower --runtime python3.12 --handler theirs.h \
	--role arn:aws:iam::123456789012:role/multi-blambda-role --zip-file "fileb://$TMP/theirs.zip" > /dev/null
blambda destroy --region eu-west-1 --yes
expect_out_has "role 'multi-blambda-role': left alone, function 'borrower' in ap-southeast-2 uses it"
aws lambda delete-function --region ap-southeast-2 --function-name borrower

test_case "a version published with the role keeps it, though the function has moved on"
blambda deploy --region eu-west-1
expect_status 0
aws lambda create-function --region ap-southeast-2 --function-name versioned --runtime python3.12 --handler theirs.h \
	--role arn:aws:iam::123456789012:role/multi-blambda-role --zip-file "fileb://$TMP/theirs.zip" > /dev/null
aws lambda publish-version --region ap-southeast-2 --function-name versioned > /dev/null
aws lambda update-function-configuration --region ap-southeast-2 --function-name versioned \
	--role arn:aws:iam::123456789012:role/admin-role > /dev/null
blambda destroy --region eu-west-1 --yes
expect_out_has "role 'multi-blambda-role': left alone, version 1 of function 'versioned' in ap-southeast-2 uses it"
aws lambda delete-function --region ap-southeast-2 --function-name versioned

test_case "both regions at once: each region's functions, then the role once"
blambda deploy --region eu-west-1 --region us-east-1
expect_status 0
mark
blambda destroy --region eu-west-1 --region us-east-1 --dry-run
expect_status 0
expect_out "eu-west-1:
  would delete function 'multi'
us-east-1:
  would delete function 'multi'
  would delete role 'multi-blambda-role'"
expect_writes ""
blambda destroy --region eu-west-1 --region us-east-1 --yes --json
expect_status 0
expect_json 'd["ok"] and [r["region"] for r in d["regions"]] == ["eu-west-1", "us-east-1"] and all(s["done"] for r in d["regions"] for s in r["steps"]) and [s["kind"] for s in d["regions"][1]["steps"]] == ["function", "role"]'
for r in eu-west-1 us-east-1; do
	awsq lambda get-function --region $r --function-name multi
	[ -z "$out" ] && pass || fail "multi stays in $r"
done
awsq iam get-role --role-name multi-blambda-role
[ -z "$out" ] && pass || fail "the role stayed"

test_case "a function of someone else's in one region: no region is written to"
aws lambda create-function --region us-east-1 --function-name multi --runtime python3.12 --handler theirs.h \
	--role arn:aws:iam::123456789012:role/admin-role --zip-file "fileb://$TMP/theirs.zip" > /dev/null
mark
blambda deploy --region eu-west-1 --region us-east-1
expect_status 1
expect_err_has "us-east-1: cannot deploy function 'multi': it exists in us-east-1 and blambda did not make it"
expect_err_has "eu-west-1: cannot deploy: nothing was written here either: us-east-1 cannot be deployed as it is (its error says why)"
expect_err_has "2 of 2 regions failed"
expect_writes ""
aws lambda delete-function --region us-east-1 --function-name multi

test_case "destroy takes --region more than once; commands of one region do not"
blambda invoke --region eu-west-1 --region us-east-1
expect_status 2
expect_err_has "--region is given 2 times; 'blambda invoke' works in one region"

test_case "from CI with web identity credentials (no keys): deploys what is ours, refuses what is not"
printf 'oidc-token-from-ci\n' > "$TMP/ci-token"
aws iam create-role --role-name ci-deployer --assume-role-policy-document "$TRUST" > /dev/null
aws iam attach-role-policy --role-name ci-deployer --policy-arn "$ADMIN"
mkdir -p "$TMP/ci" && (cd "$TMP/ci" && "$BLAMBDA" new-function hello --bb-version 9.9.9 -q > /dev/null) || exit 1
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/ci-token AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci-deployer
	cd "$TMP/multi" && "$BLAMBDA" deploy > "$TMP/ci.out" 2>&1 || exit 1
	cd "$TMP/ci/hello" && "$BLAMBDA" deploy > "$TMP/ci2.out" 2>&1 && exit 2
	exit 0
)
case $? in
0) pass ;;
1) fail "the CI deploy failed: $(cat "$TMP/ci.out")" ;;
*) fail "the CI deploy took over the foreign function: $(cat "$TMP/ci2.out")" ;;
esac
grep -q "blambda did not make it" "$TMP/ci2.out" && pass || fail "$(cat "$TMP/ci2.out")"

finish
