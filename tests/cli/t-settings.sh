#!/bin/bash
# A function's settings beyond memory and timeout, deployed to moto (every
# SigV4 signature checked): tracing, ephemeral storage, a VPC, reserved
# concurrency and an environment file; the managed policies the made role
# gains and loses with them; a redeploy with nothing changed writes nothing;
# bad values are refused before any call; the environment file's values are
# never shown.
. "$(dirname "$0")/lib.sh"

deploy_setup

# fn_add TEXT: lines added to the function: section of blambda.yml
fn_add() {
	python3 -c 'import sys; t = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("  source-paths: [src]\n", "  source-paths: [src]\n" + sys.argv[1], 1))' "$1"
}

awsq ec2 create-vpc --cidr-block 10.0.0.0/16
vpc=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Vpc"]["VpcId"])')
awsq ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24
subnet=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Subnet"]["SubnetId"])')
awsq ec2 create-security-group --group-name fn --description fn --vpc-id "$vpc"
sg=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GroupId"])')

printf 'API_TOKEN="s3cret value"\n# a comment\nexport REGION_NAME=north # trailing\nMODE=file\n' > .env
fn_add "$(cat <<EOT
  tracing: active
  ephemeral-storage: 2048
  reserved-concurrency: 7
  environment-file: .env
  environment:
    MODE: yml
  vpc:
    subnets: [$subnet]
    security-groups: [$sg]
EOT
)
"

test_case "--dry-run: every setting in the plan, no value of the environment file"
mark
blambda deploy --dry-run
expect_status 0
expect_out_has "attach AWSLambdaVPCAccessExecutionRole (for vpc)"
expect_out_has "attach AWSXRayDaemonWriteAccess (for tracing)"
expect_out_lacks "s3cret"
expect_out_lacks "north"
expect_writes ""

test_case "first deploy: the function has every setting"
mark
blambda deploy --json
expect_status 0
expect_json "d['ok']"
expect_out_lacks "s3cret"
awsq lambda get-function --function-name hello
expect_json "d['Configuration']['TracingConfig']['Mode'] == 'Active'"
expect_json "d['Configuration']['EphemeralStorage']['Size'] == 2048"
expect_json "d['Configuration']['VpcConfig']['SubnetIds'] == ['$subnet'] and d['Configuration']['VpcConfig']['SecurityGroupIds'] == ['$sg']"
expect_json "d['Concurrency']['ReservedConcurrentExecutions'] == 7"
expect_json "d['Configuration']['Environment']['Variables'] == {'API_TOKEN': 's3cret value', 'REGION_NAME': 'north', 'MODE': 'yml'}"
case "$out" in *s3cret*) pass ;; *) fail "the environment file's value did not reach the function" ;; esac

test_case "the made role holds the policies the settings need"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole', 'AWSXRayDaemonWriteAccess']"

test_case "a redeploy with nothing changed makes no write call"
mark
blambda deploy
expect_status 0
expect_out_has "function 'hello': unchanged (up to date)"
expect_writes ""

test_case "settings changed: one configuration update, concurrency put, the X-Ray policy detached"
sed -i 's/tracing: active/tracing: passthrough/; s/ephemeral-storage: 2048/ephemeral-storage: 1024/; s/reserved-concurrency: 7/reserved-concurrency: 3/' blambda.yml
mark
blambda deploy --dry-run
expect_out_has "tracing Active -> PassThrough"
expect_out_has "ephemeral storage 2048 -> 1024 MB"
expect_out_has "reserved concurrency 7 -> 3"
expect_out_has "detach AWSXRayDaemonWriteAccess (no longer wanted)"
blambda deploy
expect_status 0
awsq lambda get-function --function-name hello
expect_json "d['Configuration']['TracingConfig']['Mode'] == 'PassThrough' and d['Configuration']['EphemeralStorage']['Size'] == 1024"
expect_json "d['Concurrency']['ReservedConcurrentExecutions'] == 3"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']"

test_case "the VPC and the reservation leave with their keys; a policy someone else attached stays"
aws iam attach-role-policy --role-name hello-blambda-role --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
python3 - <<'PY'
import re
t = open("blambda.yml").read()
t = re.sub(r"  reserved-concurrency: 3\n", "", t)
t = re.sub(r"  vpc:\n    subnets: .*\n    security-groups: .*\n", "", t)
open("blambda.yml", "w").write(t)
PY
blambda deploy
expect_status 0
expect_out_has "vpc removed (the function leaves its VPC)"
expect_out_has "reserved concurrency 3 -> none"
awsq lambda get-function --function-name hello
expect_json "not d['Configuration'].get('VpcConfig', {}).get('SubnetIds') and 'ReservedConcurrentExecutions' not in d.get('Concurrency', {})"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AmazonS3ReadOnlyAccess']"
mark
blambda deploy
expect_out_has "function 'hello': unchanged (up to date)"
expect_writes ""

test_case "a value in the environment file changed: the name is said, never the value"
sed -i 's/s3cret value/an0ther/' .env
blambda deploy
expect_status 0
expect_out_has "environment API_TOKEN changed"
expect_out_lacks "an0ther"
blambda config
expect_out_has "function.environment-file"
expect_out_lacks "an0ther"

test_case "function.policies: managed policies and statements on the made role, no write when nothing changed"
fn_add "$(cat <<'EOT'
  policies:
    - arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess
    - effect: Allow
      actions: [s3:GetObject, "s3:List*"]
      resources: ["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]
EOT
)
"
mark
blambda deploy
expect_status 0
expect_out_has "attach AmazonSQSReadOnlyAccess (function.policies)"
expect_out_has "put its inline policy blambda (function.policies' statements, function.async's destinations)"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AmazonS3ReadOnlyAccess', 'AmazonSQSReadOnlyAccess']"
awsq iam get-role-policy --role-name hello-blambda-role --policy-name blambda
expect_json "d['PolicyDocument']['Statement'] == [{'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:List*'], 'Resource': ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/*']}]"
mark
blambda deploy
expect_out_has "role 'hello-blambda-role': unchanged (made by blambda)"
expect_writes ""

test_case "a policy gone from function.policies is detached, the statements' policy deleted; others' policies stay"
python3 - <<'PY'
import re
t = open("blambda.yml").read()
t = re.sub(r"  policies:\n(    .*\n|      .*\n)*", "", t)
open("blambda.yml", "w").write(t)
PY
grep -q policies blambda.yml && fail "the test did not take policies out" || pass
blambda deploy
expect_status 0
expect_out_has "detach AmazonSQSReadOnlyAccess (no longer wanted)"
expect_out_has "delete its inline policy blambda (no statement nor destination any more)"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AmazonS3ReadOnlyAccess']"
awsq iam list-role-policies --role-name hello-blambda-role
expect_json "d['PolicyNames'] == []"
mark
blambda deploy
expect_writes ""

test_case "function.async and log-retention: the invoke config, the log group, the role's permission to the destination"
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name failures > /dev/null
fn_add $'  log-retention: 14\n  async:\n    max-retries: 0\n    max-event-age: 3600\n    on-failure: arn:aws:sqs:eu-west-1:123456789012:failures\n'
mark
blambda deploy
expect_status 0
expect_out_has "async settings 'hello': created (function.async)"
expect_out_has "log group '/aws/lambda/hello': created (retention 14 days)"
awsq lambda get-function-event-invoke-config --function-name hello
expect_json "d['MaximumRetryAttempts'] == 0 and d['MaximumEventAgeInSeconds'] == 3600 and d['DestinationConfig']['OnFailure']['Destination'] == 'arn:aws:sqs:eu-west-1:123456789012:failures'"
awsq logs describe-log-groups --log-group-name-prefix /aws/lambda/hello
expect_json "[(g['logGroupName'], g['retentionInDays']) for g in d['logGroups']] == [('/aws/lambda/hello', 14)]"
awsq iam get-role-policy --role-name hello-blambda-role --policy-name blambda
expect_json "d['PolicyDocument']['Statement'] == [{'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': ['arn:aws:sqs:eu-west-1:123456789012:failures']}]"
mark
blambda deploy
expect_out_has "async settings 'hello': unchanged (up to date)"
expect_out_has "log group '/aws/lambda/hello': unchanged (retention 14 days)"
expect_writes ""
sed -i 's/max-retries: 0/max-retries: 2/; s/log-retention: 14/log-retention: 30/' blambda.yml
blambda deploy
expect_out_has "async settings 'hello': updated (max retries 0 -> 2)"
expect_out_has "log group '/aws/lambda/hello': updated (retention 14 -> 30 days)"
python3 - <<'PY'
import re
t = open("blambda.yml").read()
t = re.sub(r"  log-retention: 30\n  async:\n(    .*\n)*", "", t)
open("blambda.yml", "w").write(t)
PY
blambda deploy
expect_status 0
expect_out_has "async settings 'hello': deleted (function.async is gone)"
expect_out_has "log group '/aws/lambda/hello': updated (retention goes (function.log-retention is gone): logs are kept forever)"
awsq lambda get-function-event-invoke-config --function-name hello
[ -z "$out" ] && pass || fail "the invoke config stayed: $out"
awsq logs describe-log-groups --log-group-name-prefix /aws/lambda/hello
expect_json "'retentionInDays' not in d['logGroups'][0]"
mark
blambda deploy
expect_writes ""

test_case "destroy: the log group blambda made goes with the function"
cp blambda.yml "$TMP/before-destroy.yml"
fn_add $'  log-retention: 7\n'
blambda deploy
expect_status 0
aws logs create-log-group --log-group-name /aws/lambda/hello-theirs
blambda destroy --yes
expect_status 0
expect_out_has "log group '/aws/lambda/hello'"
awsq logs describe-log-groups --log-group-name-prefix /aws/lambda/hello
expect_json "[g['logGroupName'] for g in d['logGroups']] == ['/aws/lambda/hello-theirs']"
cp "$TMP/before-destroy.yml" blambda.yml
blambda deploy
expect_status 0

test_case "what someone else set stays: a policy a setting also wants, a retention already there"
aws iam attach-role-policy --role-name hello-blambda-role --policy-arn arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess
aws logs create-log-group --log-group-name /aws/lambda/hello 2>/dev/null
aws logs put-retention-policy --log-group-name /aws/lambda/hello --retention-in-days 60
cp blambda.yml "$TMP/before-theirs.yml"
sed -i 's/tracing: passthrough/tracing: active/' blambda.yml
fn_add $'  log-retention: 60\n'
blambda deploy
expect_status 0
expect_out_has "AWSXRayDaemonWriteAccess is attached already, not by blambda: it stays when no longer wanted"
expect_out_has "set outside blambda, it stays when function.log-retention goes"
cp "$TMP/before-theirs.yml" blambda.yml
blambda deploy
expect_status 0
expect_out_lacks "detach AWSXRayDaemonWriteAccess"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "'AWSXRayDaemonWriteAccess' in [p['PolicyName'] for p in d['AttachedPolicies']]"
awsq logs describe-log-groups --log-group-name-prefix /aws/lambda/hello
expect_json "[g.get('retentionInDays') for g in d['logGroups'] if g['logGroupName'] == '/aws/lambda/hello'] == [60]"
aws iam detach-role-policy --role-name hello-blambda-role --policy-arn arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess

test_case "bad values are refused before any call, naming the file, the line and the field"
cp blambda.yml "$TMP/good.yml"
mark
fn_add $'  tracing: activ\n'
blambda deploy
expect_status 2
expect_err_has "blambda.yml:"
expect_err_has "tracing must be one of passthrough, active, got 'activ' (did you mean 'active'?)"
cp "$TMP/good.yml" blambda.yml
fn_add $'  ephemeral-storage: 100\n'
blambda deploy
expect_status 2
expect_err_has "ephemeral-storage must be between 512 and 10240, got 100"
cp "$TMP/good.yml" blambda.yml
fn_add $'  vpc:\n    subnets: [subnet-12345678]\n'
blambda deploy
expect_status 2
expect_err_has "sets vpc.subnets without vpc.security-groups"
cp "$TMP/good.yml" blambda.yml
fn_add $'  vpc:\n    subnets: [subnet-xyz]\n    security-groups: [sg-12345678]\n'
blambda deploy
expect_status 2
expect_err_has "'subnet-xyz' is not a subnet id"
cp "$TMP/good.yml" blambda.yml
printf 'GOOD=1\nthis line has no equals sign s3cret\n' > .env
blambda deploy
expect_status 2
expect_err_has ".env:2: expected NAME=VALUE"
expect_err_lacks "s3cret"
printf 'GOOD="unclosed s3cret\n' > .env
blambda deploy
expect_status 2
expect_err_has ".env:1: GOOD: its value's quote"
expect_err_lacks "s3cret"
printf 'AWS_REGION=x\n' > .env
blambda deploy
expect_status 2
expect_err_has ".env:1: not a variable name Lambda takes"
rm .env
blambda deploy
expect_status 2
expect_err_has "cannot read the environment file"
printf 'GOOD=1\n' > .env
fn_add $'  policies:\n    - arn:aws:iam::aws:policy/Nope Nope\n'
blambda deploy
expect_status 2
expect_err_has "'arn:aws:iam::aws:policy/Nope Nope' is not a managed policy ARN"
cp "$TMP/good.yml" blambda.yml
fn_add $'  policies:\n    - effect: Allow\n      action: [s3:GetObject]\n      resources: "*"\n'
blambda deploy
expect_status 2
expect_err_has "unknown key 'action' in a statement (it takes effect, actions and resources) (did you mean 'actions'?)"
cp "$TMP/good.yml" blambda.yml
fn_add $'  policies:\n    - {actions: [GetObject], resources: "*"}\n'
blambda deploy
expect_status 2
expect_err_has "'GetObject' is not one of a statement's actions (like s3:GetObject, or *)"
cp "$TMP/good.yml" blambda.yml
fn_add $'  role: arn:aws:iam::123456789012:role/theirs\n  policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]\n'
blambda deploy
expect_status 2
expect_err_has "function 'hello' sets policies and function.role"
cp "$TMP/good.yml" blambda.yml
fn_add $'  log-retention: 10\n'
blambda deploy
expect_status 2
expect_err_has "log-retention 10 is not one of CloudWatch Logs' periods"
cp "$TMP/good.yml" blambda.yml
fn_add $'  async: {on-failure: arn:aws:dynamodb:eu-west-1:123456789012:table/t}\n'
blambda deploy
expect_status 2
expect_err_has "is not a destination ARN"
# a destination of the right service but the wrong shape is refused, naming the shape
for bad in "on-failure: 'arn:aws:s3:::bucket/prefix'|the ARN of a bucket (arn:aws:s3:::BUCKET)" \
	"on-failure: 'arn:aws:lambda:eu-west-1:123456789012:layer:x'|the ARN of a function" \
	"on-failure: 'arn:aws:events:eu-west-1:123456789012:rule/r'|the ARN of an event bus" \
	"on-success: 'arn:aws:sqs:eu-west-1::q'|the ARN of a queue" \
	"on-failure: 'arn:aws:sqs:x@127.0.0.1#:123456789012:q'|the ARN of a queue" \
	"on-failure: 'arn:aws:sqs:eu-west-1:123456789012:q:extra'|the ARN of a queue" \
	"on-failure: 'arn:aws:s3:::127.0.0.1:18030#'|the ARN of a bucket" \
	"on-failure: 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo'|is a FIFO topic: Lambda sends records only to a standard one" \
	"on-failure: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q'|that is a queue's URL; its ARN is arn:aws:sqs:REGION:ACCOUNT:NAME" \
	"on-success: 'arn:aws:s3:::records'|on-success 'arn:aws:s3:::records' is an S3 bucket: Lambda sends only on-failure records"; do
	cp "$TMP/good.yml" blambda.yml
	fn_add "  async: {${bad%%|*}}"$'\n'
	blambda deploy
	expect_status 2
	expect_err_has "${bad#*|}"
done
cp "$TMP/good.yml" blambda.yml
expect_writes ""

finish
