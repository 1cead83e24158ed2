#!/bin/bash
# function.events against moto (every SigV4 signature checked, every request
# logged): schedules (EventBridge rules, their target and permission) and
# queues and streams (event source mappings) made, checked through the AWS
# CLI, left alone when nothing changed, changed in place, and removed when
# they leave blambda.yml; what blambda did not make is never touched; bad
# entries are refused before any call.
. "$(dirname "$0")/lib.sh"

deploy_setup --proxy

fn_add() {
	python3 -c 'import sys; t = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("  source-paths: [src]\n", "  source-paths: [src]\n" + sys.argv[1], 1))' "$1"
}
awsq sqs --endpoint-url "$MOTO_URL" create-queue --queue-name orders
awsq sqs --endpoint-url "$MOTO_URL" get-queue-attributes --queue-url "$(aws sqs --endpoint-url "$MOTO_URL" get-queue-url --queue-name orders --query QueueUrl --output text)" --attribute-names QueueArn
QUEUE_ARN=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Attributes"]["QueueArn"])')
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name audit > /dev/null
aws kinesis create-stream --stream-name clicks --shard-count 1 > /dev/null
STREAM_ARN=$(aws kinesis describe-stream --stream-name clicks --query StreamDescription.StreamARN --output text)

cp blambda.yml "$TMP/plain.yml"
fn_add "$(cat <<EOT
  events:
    - schedule: rate(5 minutes)
    - schedule:
        name: nightly
        expression: cron(0 3 * * ? *)
        input: {job: compact, dry: false}
    - sqs: orders
    - sqs: {queue: audit, batch-size: 50, batch-window: 5, max-concurrency: 4, report-batch-item-failures: true}
    - stream: {arn: $STREAM_ARN, starting-position: TRIM_HORIZON, batch-size: 200}
EOT
)
"

test_case "--dry-run: each trigger a step of the plan, no write call"
mark
blambda deploy --dry-run
expect_status 0
expect_out_has "would create schedule 'schedule' (rate(5 minutes))"
expect_out_has "would create schedule 'nightly' (cron(0 3 * * ? *))"
expect_out_has "would create event source mapping 'orders' (queue, batches of 10)"
expect_out_has "would create event source mapping 'audit' (queue, batches of 50)"
expect_out_has "would create event source mapping 'clicks' (stream, batches of 200)"
expect_out_has "attach AWSLambdaSQSQueueExecutionRole (for sqs)"
expect_out_has "attach AWSLambdaKinesisExecutionRole (for kinesis)"
expect_writes ""

test_case "deploy: the rules, their targets and permissions, the mappings"
blambda deploy --json
expect_status 0
expect_json "d['ok'] and len(d['schedules']) == 2 and len(d['mappings']) == 3"
awsq events list-rules --name-prefix blambda-hello-
expect_json "sorted((r['Name'], r['ScheduleExpression'], r['State']) for r in d['Rules']) == [('blambda-hello-nightly', 'cron(0 3 * * ? *)', 'ENABLED'), ('blambda-hello-schedule', 'rate(5 minutes)', 'ENABLED')]"
awsq events list-targets-by-rule --rule blambda-hello-nightly
expect_json "d['Targets'][0]['Arn'] == 'arn:aws:lambda:eu-west-1:123456789012:function:hello' and json.loads(d['Targets'][0]['Input']) == {'job': 'compact', 'dry': False}"
awsq events list-tags-for-resource --resource-arn arn:aws:events:eu-west-1:123456789012:rule/blambda-hello-nightly
expect_json "{t['Key']: t['Value'] for t in d['Tags']} == {'blambda:managed-by': 'blambda', 'blambda:function': 'hello', 'blambda:schedule': 'nightly'}"
awsq lambda get-policy --function-name hello
expect_json "sorted((s['Sid'], s['Principal']['Service'], s['Condition']['ArnLike']['AWS:SourceArn']) for s in json.loads(d['Policy'])['Statement']) == [('blambda-schedule-nightly', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:123456789012:rule/blambda-hello-nightly'), ('blambda-schedule-schedule', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:123456789012:rule/blambda-hello-schedule')]"
awsq lambda list-event-source-mappings --function-name hello
printf '%s' "$out" > "$TMP/esm.json"
expect_json "sorted(m['EventSourceArn'].split(':')[-1] for m in d['EventSourceMappings']) == ['audit', 'orders', 'stream/clicks']"
expect_json "[(m['BatchSize'], m['MaximumBatchingWindowInSeconds'], m['ScalingConfig']['MaximumConcurrency'], m['FunctionResponseTypes'], m['State']) for m in d['EventSourceMappings'] if m['EventSourceArn'].endswith(':audit')] == [(50, 5, 4, ['ReportBatchItemFailures'], 'Enabled')]"
expect_json "[(m['BatchSize'], m['StartingPosition']) for m in d['EventSourceMappings'] if 'kinesis' in m['EventSourceArn']] == [(200, 'TRIM_HORIZON')]"
awsq iam list-attached-role-policies --role-name hello-blambda-role
expect_json "sorted(p['PolicyName'] for p in d['AttachedPolicies']) == ['AWSLambdaBasicExecutionRole', 'AWSLambdaKinesisExecutionRole', 'AWSLambdaSQSQueueExecutionRole']"

test_case "invoke --event-template: a trigger's sample event, filled from function.events (moto echoes it back)"
blambda invoke --event-template sqs
expect_status 0
expect_out_has '"eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders"'
expect_out_has '"eventSource":"aws:sqs"'
blambda invoke --event-template schedule
expect_status 0
expect_out_has '"detail-type":"Scheduled Event"'
expect_out_has '"resources":["arn:aws:events:eu-west-1:123456789012:rule/blambda-hello-schedule"]'
blambda invoke --event-template stream
expect_status 0
expect_out_has "\"eventSourceARN\":\"$STREAM_ARN\""
blambda invoke --event-template s4
expect_status 2
expect_err_has "--event-template takes schedule, sqs, stream, http or s3, got 's4'"
blambda invoke --event-template sqs --payload '{}'
expect_status 2
expect_err_has "give one of --payload, --payload-file, --event and --event-template"

test_case "a redeploy with nothing changed makes no write call"
mark
blambda deploy
expect_status 0
expect_out_has "schedule 'nightly': unchanged (cron(0 3 * * ? *))"
expect_out_has "event source mapping 'orders': unchanged (batches of 10)"
expect_writes ""

test_case "changes in place: a new expression, a disabled rule, another batch size, a new input"
sed -i 's/cron(0 3 \* \* ? \*)/cron(30 4 * * ? *)/; s/- schedule: rate(5 minutes)/- schedule: {expression: rate(1 hour), enabled: false}/; s/batch-size: 50/batch-size: 20/; s/job: compact/job: vacuum/' blambda.yml
blambda diff
expect_status 1
expect_out_has "schedule 'nightly':"
expect_out_has "  cron(0 3 * * ? *) -> cron(30 4 * * ? *)"
expect_out_has "event source mapping 'audit':"
expect_out_has "  batch size 50 -> 20"
mark
blambda deploy
expect_status 0
expect_out_has "schedule 'nightly': updated (cron(0 3 * * ? *) -> cron(30 4 * * ? *), input changed)"
expect_out_has "schedule 'schedule': updated (rate(5 minutes) -> rate(1 hour), disabled)"
expect_out_has "event source mapping 'audit': updated (batch size 50 -> 20)"
awsq events describe-rule --name blambda-hello-schedule
expect_json "d['ScheduleExpression'] == 'rate(1 hour)' and d['State'] == 'DISABLED'"
awsq lambda list-event-source-mappings --function-name hello
expect_json "[m['BatchSize'] for m in d['EventSourceMappings'] if m['EventSourceArn'].endswith(':audit')] == [20]"
mark
blambda deploy
expect_writes ""

test_case "a removal that fails is remembered: the rerun finishes it"
cp blambda.yml "$TMP/with-audit.yml"
python3 - <<'PY'
t = open("blambda.yml").read()
t = "".join(l for l in t.splitlines(True) if "queue: audit" not in l)
open("blambda.yml", "w").write(t)
PY
faults '[{"match": "DELETE /2015-03-31/event-source-mappings/", "times": 100, "status": 500, "body": "{\"message\": \"down\"}"}]'
blambda deploy
expect_status 3
faults '[]'
blambda deploy
expect_status 0
expect_out_has "event source mapping 'audit': deleted (gone from function.events)"
awsq lambda list-event-source-mappings --function-name hello
expect_json "not any(m['EventSourceArn'].endswith(':audit') for m in d['EventSourceMappings'])"
mark
blambda deploy
expect_writes ""
cp "$TMP/with-audit.yml" blambda.yml
blambda deploy
expect_status 0

test_case "what blambda did not make stays: a rule of another's, a mapping of another's"
aws events put-rule --name blambda-hello-theirs --schedule-expression 'rate(1 day)' > /dev/null
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name theirs > /dev/null
aws lambda create-event-source-mapping --function-name hello --event-source-arn arn:aws:sqs:eu-west-1:123456789012:theirs > /dev/null
mark
blambda deploy
expect_status 0
expect_out_lacks "theirs"
expect_writes ""

test_case "triggers that leave blambda.yml go, and nothing else does"
cp "$TMP/plain.yml" blambda.yml
mark
blambda deploy
expect_status 0
expect_out_has "schedule 'nightly': deleted (gone from function.events)"
expect_out_has "event source mapping 'orders': deleted (gone from function.events)"
expect_out_has "event source mapping 'clicks': deleted (gone from function.events)"
expect_out_has "detach AWSLambdaSQSQueueExecutionRole (no longer wanted)"
awsq events list-rules --name-prefix blambda-hello-
expect_json "[r['Name'] for r in d['Rules']] == ['blambda-hello-theirs']"
awsq lambda list-event-source-mappings --function-name hello
expect_json "[m['EventSourceArn'] for m in d['EventSourceMappings']] == ['arn:aws:sqs:eu-west-1:123456789012:theirs']"
awsq lambda get-policy --function-name hello
[ -z "$out" ] && grep -q ResourceNotFoundException "$TMP/aws.err" && pass || expect_json "[s['Sid'] for s in json.loads(d['Policy'])['Statement']] == []"
mark
blambda deploy
expect_writes ""

test_case "a rule of blambda's name that blambda did not make: refused before any write"
fn_add $'  events:\n    - schedule: {name: theirs, expression: rate(2 hours)}\n'
mark
blambda deploy
expect_status 1
expect_err_has "rule 'blambda-hello-theirs' exists in eu-west-1 and blambda did not make it for 'hello'"
expect_writes ""
cp "$TMP/plain.yml" blambda.yml

test_case "a function's first deploy: someone else's rule of its schedule's name is not taken over"
cd "$TMP" || exit 1
"$BLAMBDA" new-function fresh --bb-version 9.9.9 -q > /dev/null || exit 1
cd fresh || exit 1
sed -i 's|^  source-paths: \[src\]|  source-paths: [src]\n  events:\n    - schedule: rate(5 minutes)|' blambda.yml
aws events put-rule --name blambda-fresh-schedule --schedule-expression 'rate(7 days)' --description "ops' own" > /dev/null
mark
blambda deploy
expect_status 1
expect_err_has "rule 'blambda-fresh-schedule' exists in eu-west-1 and blambda did not make it for 'fresh'"
expect_writes ""
awsq events describe-rule --name blambda-fresh-schedule
expect_json "d['ScheduleExpression'] == 'rate(7 days)' and d['Description'] == \"ops' own\""

test_case "two functions whose rule names meet (x + y-nightly, x-y + nightly): the second is refused, the first kept"
for f in x x-y; do
	(cd "$TMP" && "$BLAMBDA" new-function $f --bb-version 9.9.9 -q > /dev/null) || exit 1
done
sed -i 's|^  source-paths: \[src\]|  source-paths: [src]\n  events:\n    - schedule: {name: y-nightly, expression: rate(5 minutes)}|' "$TMP/x/blambda.yml"
sed -i 's|^  source-paths: \[src\]|  source-paths: [src]\n  events:\n    - schedule: {name: nightly, expression: rate(1 hour)}|' "$TMP/x-y/blambda.yml"
cd "$TMP/x" && blambda deploy
expect_status 0
cd "$TMP/x-y" && blambda deploy
expect_status 1
expect_err_has "rule 'blambda-x-y-nightly' exists in eu-west-1 and blambda did not make it for 'x-y' (its tags name another function)"
awsq events describe-rule --name blambda-x-y-nightly
expect_json "d['ScheduleExpression'] == 'rate(5 minutes)'"
cd "$TMP/x" && blambda deploy
expect_out_has "up to date"
cd "$TMP/hello" || exit 1

test_case "a queue that does not exist: a clear error before any write"
fn_add $'  events:\n    - sqs: nosuchqueue\n'
mark
blambda deploy
expect_status 3
expect_err_has "cannot find queue 'nosuchqueue'"
expect_err_has "make it first"
expect_writes ""
cp "$TMP/plain.yml" blambda.yml

test_case "destroy: blambda's rules and mappings go before the function; others' stay"
fn_add $'  events:\n    - schedule: rate(3 hours)\n    - sqs: orders\n'
blambda deploy
expect_status 0
blambda destroy --dry-run
expect_status 0
expect_out_has "schedule rule 'blambda-hello-schedule'"
expect_out_has "event source mapping '$QUEUE_ARN'"
blambda destroy --yes
expect_status 0
awsq events list-rules --name-prefix blambda-hello-
expect_json "[r['Name'] for r in d['Rules']] == ['blambda-hello-theirs']"
awsq lambda list-event-source-mappings --event-source-arn "$QUEUE_ARN"
expect_json "d['EventSourceMappings'] == []"
awsq lambda list-event-source-mappings --event-source-arn arn:aws:sqs:eu-west-1:123456789012:theirs
expect_json "len(d['EventSourceMappings']) == 1"
cp "$TMP/plain.yml" blambda.yml
blambda deploy
expect_status 0

test_case "a queue of another region: refused before any write"
fn_add $'  events:\n    - sqs: arn:aws:sqs:us-east-1:123456789012:orders\n'
mark
blambda deploy
expect_status 2
expect_err_has "arn:aws:sqs:us-east-1:123456789012:orders is not in eu-west-1: Lambda takes a queue or a stream of its own region only"
expect_writes ""
cp "$TMP/plain.yml" blambda.yml

test_case "bad entries are refused before any call, with the file, line and column"
bad() {
	cp "$TMP/plain.yml" blambda.yml
	fn_add "$1"
	mark
	blambda deploy
	expect_status 2
	expect_err_has "$2"
	expect_writes ""
}
bad $'  events:\n    - schedule: cron(0 12 * * *)\n' "blambda.yml:11:17: cron(0 12 * * *) has 5 fields; EventBridge wants 6"
bad $'  events:\n    - schedule: cron(0 12 * * 1 *)\n' "cron: one of day-of-month and day-of-week must be '?', and only one"
bad $'  events:\n    - schedule: cron(0 25 * * ? *)\n' "cron: hours takes 0 to 23, got 25"
bad $'  events:\n    - schedule: rate(1 minutes)\n' "rate(1 minutes): EventBridge wants '1 minute'"
bad $'  events:\n    - schedule: rate(5 minute)\n' "rate(5 minute): EventBridge wants '5 minutes'"
bad $'  events:\n    - schedual: rate(5 minutes)\n' "unknown trigger 'schedual' (one of schedule, sqs, stream, http, s3) (did you mean 'schedule'?)"
bad $'  events:\n    - sqs: {queue: a, batch_size: 5}\n' "unknown key 'batch_size' in an sqs trigger"
bad $'  events:\n    - sqs: {queue: a, batch-size: 50}\n' "batch-size over 10 needs a batch-window of 1 second or more"
bad $'  events:\n    - sqs: a\n    - sqs: a\n' "sqs 'a' is listed twice"
bad $'  events:\n    - schedule: {name: x, expression: rate(1 day)}\n    - schedule: {name: x, expression: rate(2 days)}\n' "two schedules are named 'x'"
bad $'  events:\n    - schedule: {expression: rate(1 day), input: "{not json"}\n' "input is not JSON"
bad $'  events:\n    - stream: arn:aws:sqs:eu-west-1:123456789012:q\n' "is not a stream ARN"
bad $'  events:\n    - schedule: rate(99999999999999999999 minutes)\n' "rate(99999999999999999999 minutes): 99999999999999999999 is too large (at most 2147483647)"
bad $'  events:\n    - s3: {bucket: uploads, prefix: "in/\\u0000secret/"}\n' "a value may not hold a NUL character"
# aliases: one that holds itself, and a few that multiply into millions of values
bad $'  events: &e\n    - http: GET /a\n    - *e\n' "nested more than 32 levels deep (an alias that holds itself?)"
bomb=$'  events:\n    - x0: &a0 [s3, s3, s3, s3, s3, s3, s3, s3, s3]\n'
for i in 1 2 3 4 5 6 7 8; do p=$((i - 1)); bomb+="    - x$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"$'\n'; done
start=$(date +%s)
bad "$bomb" "more than 100000 values once its aliases are expanded"
[ $(($(date +%s) - start)) -lt 20 ] && pass || fail "the alias bomb took $(($(date +%s) - start)) s"
cp "$TMP/plain.yml" blambda.yml

finish
