#!/bin/bash
# One application in one blambda.yml: two functions holding every trigger
# (an HTTP API with CORS, schedules, a queue, a stream, bucket notifications)
# and every setting (policies, VPC, tracing, storage, concurrency, log
# retention, async destinations, an extra layer, an environment file),
# deployed to moto (every SigV4 signature checked) and each piece checked
# through the AWS CLI; a redeploy writes nothing; a trigger taken out goes
# and nothing else moves; destroy leaves nothing blambda made and everything
# it did not; the Terraform export of the same file parses.
. "$(dirname "$0")/lib.sh"

deploy_setup
ACCOUNT=123456789012
ARN=arn:aws:lambda:eu-west-1:$ACCOUNT:function

# What is there before blambda: a queue, a stream, two buckets (one with
# someone else's notification), a VPC, a destination queue, a layer, and a
# rule of someone else's.
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name orders > /dev/null
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name failures > /dev/null
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name audit > /dev/null
aws kinesis create-stream --stream-name clicks --shard-count 1 > /dev/null
STREAM_ARN=$(aws kinesis describe-stream --stream-name clicks --query StreamDescription.StreamARN --output text)
aws s3api --endpoint-url "$MOTO_URL" create-bucket --bucket uploads --create-bucket-configuration LocationConstraint=eu-west-1 > /dev/null
aws s3api --endpoint-url "$MOTO_URL" create-bucket --bucket reports --create-bucket-configuration LocationConstraint=eu-west-1 > /dev/null
THEIRS='{"QueueConfigurations":[{"Id":"audit-trail","QueueArn":"arn:aws:sqs:eu-west-1:123456789012:audit","Events":["s3:ObjectRemoved:*"]}]}'
aws s3api --endpoint-url "$MOTO_URL" put-bucket-notification-configuration --bucket uploads --notification-configuration "$THEIRS"
vpc=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
subnet=$(aws ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId --output text)
sg=$(aws ec2 create-security-group --group-name fn --description fn --vpc-id "$vpc" --query GroupId --output text)
python3 -c 'import zipfile; zipfile.ZipFile("'"$TMP"'/extra.zip", "w").writestr("bin/tool", "#!/bin/sh\n")'
EXTRA_LAYER=$(aws lambda publish-layer-version --layer-name tools --zip-file "fileb://$TMP/extra.zip" --query LayerVersionArn --output text)
aws events put-rule --name nightly-report --schedule-expression 'rate(1 day)' > /dev/null
printf 'DB_PASSWORD="not for eyes"\nPOOL=4\n' > .env

cat > blambda.yml <<YAML
# A small shop: an HTTP front with its uploads, and a worker behind it.
function:
  handler: hello/handler
  architecture: x86_64
  memory: 512
  timeout: 5
  source-paths: [src]
functions:
  shop-api:
    description: the shop's HTTP front
    events:
      - http: GET /orders/{id}
      - http: {method: POST, path: /orders}
      - s3: {bucket: uploads, prefix: incoming/, suffix: .csv}
    policies:
      - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
      - effect: Allow
        actions: [sqs:SendMessage]
        resources: [arn:aws:sqs:eu-west-1:$ACCOUNT:orders]
    tracing: active
    ephemeral-storage: 1024
    reserved-concurrency: 5
    log-retention: 7
    environment-file: .env
    environment:
      POOL: "8"
    layers: [$EXTRA_LAYER]
    vpc:
      subnets: [$subnet]
      security-groups: [$sg]
  shop-worker:
    timeout: 60
    events:
      - sqs: {queue: orders, batch-size: 25, batch-window: 2, report-batch-item-failures: true}
      - stream: {arn: $STREAM_ARN, starting-position: LATEST, batch-size: 100}
      - schedule: {name: restock, expression: cron(0 3 * * ? *), input: {job: restock}}
      - schedule: rate(15 minutes)
      - s3: {bucket: reports, events: ["s3:ObjectCreated:Put"]}
    async:
      max-retries: 1
      max-event-age: 600
      on-failure: arn:aws:sqs:eu-west-1:$ACCOUNT:failures
babashka:
  version: 9.9.9
http-api:
  name: shop
  cors: {allow-origins: ["https://shop.example"], allow-methods: [GET, POST], max-age: 600}
YAML

test_case "--dry-run: every trigger and setting of both functions is a step, no write, no secret"
mark
blambda deploy --dry-run
expect_status 0
expect_out_has "would create HTTP API 'shop'"
expect_out_has "would create notifications of bucket 'uploads' (s3:ObjectCreated:* prefix incoming/ suffix .csv added)"
expect_out_has "would create notifications of bucket 'reports' (s3:ObjectCreated:Put added)"
expect_out_has "would create schedule 'restock' (cron(0 3 * * ? *))"
expect_out_has "would create event source mapping 'orders' (queue, batches of 25)"
expect_out_has "would create event source mapping 'clicks' (stream, batches of 100)"
expect_out_has "attach AWSLambdaVPCAccessExecutionRole (for vpc)"
expect_out_has "attach AWSXRayDaemonWriteAccess (for tracing)"
expect_out_has "attach AWSLambdaSQSQueueExecutionRole (for sqs)"
expect_out_lacks "not for eyes"
expect_writes ""

test_case "deploy: the whole application, in one run"
blambda deploy --json
expect_status 0
expect_json "d['ok'] and sorted(f['name'] for f in d['functions']) == ['shop-api', 'shop-worker']"
expect_out_lacks "not for eyes"
API_ID=$(aws apigatewayv2 get-apis --query "Items[?Name=='shop'].ApiId" --output text)
expect_json "[(a['name'], a['url']) for a in d['http_apis']] == [('shop', 'https://$API_ID.execute-api.eu-west-1.amazonaws.com')]"

test_case "the HTTP API: CORS, the \$default stage, routes through one integration to shop-api, its permission"
awsq apigatewayv2 get-api --api-id "$API_ID"
expect_json "d['ProtocolType'] == 'HTTP' and d['CorsConfiguration']['AllowOrigins'] == ['https://shop.example'] and d['CorsConfiguration']['MaxAge'] == 600"
awsq apigatewayv2 get-stages --api-id "$API_ID"
expect_json "[(s['StageName'], s['AutoDeploy']) for s in d['Items']] == [('\$default', True)]"
awsq apigatewayv2 get-integrations --api-id "$API_ID"
expect_json "[(i['IntegrationType'], i['IntegrationUri'], i['PayloadFormatVersion']) for i in d['Items']] == [('AWS_PROXY', '$ARN:shop-api', '2.0')]"
INTEG=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Items"][0]["IntegrationId"])')
awsq apigatewayv2 get-routes --api-id "$API_ID"
expect_json "sorted((r['RouteKey'], r['Target']) for r in d['Items']) == [('GET /orders/{id}', 'integrations/$INTEG'), ('POST /orders', 'integrations/$INTEG')]"
awsq lambda get-policy --function-name shop-api
printf '%s' "$out" > "$TMP/api-policy.json"
expect_json "sorted((s['Sid'], s['Principal']['Service'], s['Condition']['ArnLike']['AWS:SourceArn']) for s in json.loads(d['Policy'])['Statement']) == [('blambda-http-$API_ID', 'apigateway.amazonaws.com', 'arn:aws:execute-api:eu-west-1:$ACCOUNT:$API_ID/*/*'), ('blambda-s3-uploads', 's3.amazonaws.com', 'arn:aws:s3:::uploads')]"

test_case "the buckets: blambda's entries with their filters beside someone else's, kept as it was"
awsq s3api --endpoint-url "$MOTO_URL" get-bucket-notification-configuration --bucket uploads
expect_json "d['QueueConfigurations'] == [{'Id': 'audit-trail', 'QueueArn': 'arn:aws:sqs:eu-west-1:$ACCOUNT:audit', 'Events': ['s3:ObjectRemoved:*']}]"
expect_json "[(c['LambdaFunctionArn'], c['Events'], sorted((r['Name'].lower(), r['Value']) for r in c['Filter']['Key']['FilterRules']), c['Id'].startswith('blambda-shop-api-')) for c in d['LambdaFunctionConfigurations']] == [('$ARN:shop-api', ['s3:ObjectCreated:*'], [('prefix', 'incoming/'), ('suffix', '.csv')], True)]"
awsq s3api --endpoint-url "$MOTO_URL" get-bucket-notification-configuration --bucket reports
expect_json "[(c['LambdaFunctionArn'], c['Events']) for c in d['LambdaFunctionConfigurations']] == [('$ARN:shop-worker', ['s3:ObjectCreated:Put'])]"

test_case "shop-api's settings: VPC, tracing, storage, concurrency, layers, environment, log retention"
awsq lambda get-function --function-name shop-api
printf '%s' "$out" > "$TMP/api.json"
expect_json "d['Configuration']['VpcConfig']['SubnetIds'] == ['$subnet'] and d['Configuration']['VpcConfig']['SecurityGroupIds'] == ['$sg']"
expect_json "d['Configuration']['TracingConfig']['Mode'] == 'Active' and d['Configuration']['EphemeralStorage']['Size'] == 1024"
expect_json "d['Concurrency']['ReservedConcurrentExecutions'] == 5 and d['Configuration']['Description'] == \"the shop's HTTP front\""
expect_json "d['Configuration']['Environment']['Variables'] == {'DB_PASSWORD': 'not for eyes', 'POOL': '8'}"
expect_json "[l['Arn'] for l in d['Configuration']['Layers']][-1] == '$EXTRA_LAYER' and len(d['Configuration']['Layers']) == 2"
awsq logs describe-log-groups --log-group-name-prefix /aws/lambda/shop-
expect_json "[(g['logGroupName'], g.get('retentionInDays')) for g in d['logGroups']] == [('/aws/lambda/shop-api', 7)]"

test_case "the made roles: each function's policies, nothing more"
awsq iam list-attached-role-policies --role-name shop-api-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole', 'AWSXRayDaemonWriteAccess', 'AmazonS3ReadOnlyAccess']"
awsq iam get-role-policy --role-name shop-api-blambda-role --policy-name blambda
expect_json "d['PolicyDocument']['Statement'] == [{'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': ['arn:aws:sqs:eu-west-1:$ACCOUNT:orders']}]"
awsq iam list-attached-role-policies --role-name shop-worker-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AWSLambdaKinesisExecutionRole', 'AWSLambdaSQSQueueExecutionRole']"
awsq iam get-role-policy --role-name shop-worker-blambda-role --policy-name blambda
expect_json "d['PolicyDocument']['Statement'] == [{'Effect': 'Allow', 'Action': ['sqs:SendMessage'], 'Resource': ['arn:aws:sqs:eu-west-1:$ACCOUNT:failures']}]"

test_case "shop-worker's triggers: the mappings enabled with their batches, the rules' targets and permissions, its async config"
awsq lambda list-event-source-mappings --function-name shop-worker
expect_json "sorted((m['EventSourceArn'].split(':')[-1], m['State'], m['BatchSize']) for m in d['EventSourceMappings']) == [('orders', 'Enabled', 25), ('stream/clicks', 'Enabled', 100)]"
expect_json "[(m['MaximumBatchingWindowInSeconds'], m['FunctionResponseTypes']) for m in d['EventSourceMappings'] if m['EventSourceArn'].endswith(':orders')] == [(2, ['ReportBatchItemFailures'])]"
awsq events list-rules --name-prefix blambda-shop-worker-
expect_json "sorted((r['Name'], r['ScheduleExpression'], r['State']) for r in d['Rules']) == [('blambda-shop-worker-restock', 'cron(0 3 * * ? *)', 'ENABLED'), ('blambda-shop-worker-schedule-2', 'rate(15 minutes)', 'ENABLED')]"
awsq events list-targets-by-rule --rule blambda-shop-worker-restock
expect_json "d['Targets'][0]['Arn'] == '$ARN:shop-worker' and json.loads(d['Targets'][0]['Input']) == {'job': 'restock'}"
awsq lambda get-policy --function-name shop-worker
expect_json "sorted((s['Sid'], s['Condition']['ArnLike']['AWS:SourceArn']) for s in json.loads(d['Policy'])['Statement']) == [('blambda-s3-reports', 'arn:aws:s3:::reports'), ('blambda-schedule-restock', 'arn:aws:events:eu-west-1:$ACCOUNT:rule/blambda-shop-worker-restock'), ('blambda-schedule-schedule-2', 'arn:aws:events:eu-west-1:$ACCOUNT:rule/blambda-shop-worker-schedule-2')]"
awsq lambda get-function-event-invoke-config --function-name shop-worker
expect_json "d['MaximumRetryAttempts'] == 1 and d['MaximumEventAgeInSeconds'] == 600 and d['DestinationConfig']['OnFailure']['Destination'] == 'arn:aws:sqs:eu-west-1:$ACCOUNT:failures'"

test_case "status and diff: the deployed application matches blambda.yml"
blambda diff
expect_status 0
blambda status --json
expect_status 0
expect_json "[(f['name'], f.get('http_api_url'), f['differences'], f['code_is_local_build']) for f in d['regions'][0]['functions']] == [('shop-api', 'https://$API_ID.execute-api.eu-west-1.amazonaws.com', [], True), ('shop-worker', None, [], True)]"

blambda status
expect_status 0
expect_out_has "  http: https://$API_ID.execute-api.eu-west-1.amazonaws.com (GET /orders/{id}, POST /orders)"
expect_out_has "  schedule 'restock': as blambda.yml says (cron(0 3 * * ? *))"
expect_out_has "  notifications of bucket 'uploads': as blambda.yml says"
expect_out_has "HTTP API 'shop' at https://$API_ID.execute-api.eu-west-1.amazonaws.com: as blambda.yml says"

test_case "status: a rule changed outside blambda differs, and says how"
aws events put-rule --name blambda-shop-worker-restock --schedule-expression 'cron(0 4 * * ? *)' > /dev/null
blambda status
expect_status 0
expect_out_has "  schedule 'restock': differs (cron(0 4 * * ? *) -> cron(0 3 * * ? *)"
blambda status --json shop-worker
expect_json "[(r['name'], r['state']) for r in d['regions'][0]['functions'][0]['resources'] if r['kind'] == 'schedule'] == [('restock', 'differs'), ('schedule-2', 'as-configured')]"
blambda diff
expect_status 1
expect_out_has "schedule 'restock':"
mark
blambda deploy
expect_status 0
expect_out_has "schedule 'restock': updated (cron(0 4 * * ? *) -> cron(0 3 * * ? *))"
expect_writes "POST /;"

test_case "a redeploy with nothing changed makes no write call"
mark
blambda deploy --json
expect_status 0
expect_json "d['up_to_date']"
expect_writes ""

test_case "a trigger taken out goes, and nothing else is written"
sed -i '/      - schedule: rate(15 minutes)/d' blambda.yml
blambda diff
expect_status 1
expect_out_has "schedule 'schedule-2'"
mark
blambda deploy
expect_status 0
expect_out_has "schedule 'schedule-2': deleted"
got=$(writes | awk '{ print $NF }' | sort | tr '\n' ' ')
case "$got" in
*CreateFunction* | *UpdateFunction* | *PutRule* | *PutBucketNotification* | *CreateEventSourceMapping* | *apigateway*) fail "more than the schedule was written: $got" ;;
*DeleteRule*) pass ;;
*) fail "the rule was not deleted: $got" ;;
esac
awsq events list-rules --name-prefix blambda-shop-worker-
expect_json "[r['Name'] for r in d['Rules']] == ['blambda-shop-worker-restock']"
awsq lambda get-policy --function-name shop-worker
expect_json "'blambda-schedule-schedule-2' not in [s['Sid'] for s in json.loads(d['Policy'])['Statement']]"
mark
blambda deploy
expect_writes ""

test_case "every command's JSON names its keys alike: snake_case throughout"
for c in "deploy --dry-run" status diff build "versions shop-api" "doctor" "logs shop-api" "destroy --dry-run"; do
	blambda $c --json
	expect_snake_keys
done
blambda config --json
expect_snake_keys functions # each function's settings, by their names in blambda.yml

test_case "terraform: the same application exported, as HashiCorp's parser reads it"
blambda terraform -o "$TMP/tf"
expect_status 0
run node "$BLAMBDA_SOURCE_DIR/tests/support/hcl_parse.js" "$TMP/tf/main.tf"
expect_status 0
printf '%s' "$out" > "$TMP/tf.json"
python3 - "$TMP/tf.json" <<'PY' && pass || fail "terraform: $(head -c 2000 "$TMP/tf.json")"
import json, sys
res = json.load(open(sys.argv[1]))["resource"]
for kind in ("aws_apigatewayv2_api", "aws_apigatewayv2_stage", "aws_apigatewayv2_integration", "aws_apigatewayv2_route",
             "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_lambda_event_source_mapping",
             "aws_s3_bucket_notification", "aws_lambda_permission", "aws_iam_role_policy", "aws_cloudwatch_log_group",
             "aws_lambda_function_event_invoke_config", "aws_lambda_function"):
    assert kind in res, kind
f = res["aws_lambda_function"]["shop-api"][0]
assert f["tracing_config"][0]["mode"] == "Active" and f["ephemeral_storage"][0]["size"] == 1024, f
assert f["reserved_concurrent_executions"] == 5 and f["vpc_config"][0]["subnet_ids"], f
assert sorted(res["aws_s3_bucket_notification"]) == ["s3_reports", "s3_uploads"], res["aws_s3_bucket_notification"]
PY
grep -q "# Terraform owns the whole notification set of bucket uploads" "$TMP/tf/main.tf" && pass || fail "no note that Terraform owns a bucket's whole notification set"

test_case "destroy: nothing blambda made is left, everything it did not make is"
blambda destroy --yes
expect_status 0
awsq lambda list-functions
expect_json "[f['FunctionName'] for f in d['Functions'] if f['FunctionName'].startswith('shop-')] == []"
awsq apigatewayv2 get-apis
expect_json "[a['Name'] for a in d['Items']] == []"
awsq events list-rules
expect_json "[r['Name'] for r in d['Rules']] == ['nightly-report']"
awsq lambda list-event-source-mappings
expect_json "d['EventSourceMappings'] == []"
awsq s3api --endpoint-url "$MOTO_URL" get-bucket-notification-configuration --bucket uploads
expect_json "d == {'QueueConfigurations': [{'Id': 'audit-trail', 'QueueArn': 'arn:aws:sqs:eu-west-1:$ACCOUNT:audit', 'Events': ['s3:ObjectRemoved:*']}]}"
awsq s3api --endpoint-url "$MOTO_URL" get-bucket-notification-configuration --bucket reports
[ -z "$out" ] && pass || expect_json "not d.get('LambdaFunctionConfigurations')"
awsq iam list-roles
expect_json "[r['RoleName'] for r in d['Roles'] if r['RoleName'].startswith('shop-')] == []"
awsq logs describe-log-groups --log-group-name-prefix /aws/lambda/shop-
expect_json "d['logGroups'] == []"
awsq lambda list-layer-versions --layer-name tools
expect_json "[v['LayerVersionArn'] for v in d['LayerVersions']] == ['$EXTRA_LAYER']"
awsq sqs --endpoint-url "$MOTO_URL" list-queues
expect_json "sorted(u.rsplit('/', 1)[1] for u in d['QueueUrls']) == ['audit', 'failures', 'orders']"

finish
