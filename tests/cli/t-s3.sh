#!/bin/bash
# s3 triggers (function.events) against moto (every SigV4 signature checked,
# every request logged): the function's entries in a bucket's notification
# set and its permission for the bucket, checked through the AWS CLI; what
# others put in the set stays; nothing written when nothing changed; an entry
# or a bucket that leaves blambda.yml goes; destroy takes blambda's entries
# out and leaves the rest.
. "$(dirname "$0")/lib.sh"

deploy_setup

fn_add() {
	python3 -c 'import sys; t = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("  source-paths: [src]\n", "  source-paths: [src]\n" + sys.argv[1], 1))' "$1"
}
s3q() { awsq s3api --endpoint-url "$MOTO_URL" "$@"; }
FN_ARN=arn:aws:lambda:eu-west-1:123456789012:function:hello
for b in uploads archive; do
	aws s3api --endpoint-url "$MOTO_URL" create-bucket --bucket $b --create-bucket-configuration LocationConstraint=eu-west-1 > /dev/null
done
aws sqs --endpoint-url "$MOTO_URL" create-queue --queue-name audit > /dev/null
THEIRS='{"QueueConfigurations":[{"Id":"theirs","QueueArn":"arn:aws:sqs:eu-west-1:123456789012:audit","Events":["s3:ObjectRemoved:*"]}],"LambdaFunctionConfigurations":[{"Id":"blambda-hello-000000000000","LambdaFunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:other","Events":["s3:ObjectRestore:*"]}]}'
aws s3api --endpoint-url "$MOTO_URL" put-bucket-notification-configuration --bucket uploads --notification-configuration "$THEIRS"
# theirs_kept: the entries others made in uploads are there as they were
theirs_kept() {
	s3q get-bucket-notification-configuration --bucket uploads
	expect_json "d['QueueConfigurations'] == [{'Id': 'theirs', 'QueueArn': 'arn:aws:sqs:eu-west-1:123456789012:audit', 'Events': ['s3:ObjectRemoved:*']}] and [c for c in d['LambdaFunctionConfigurations'] if c['Id'] == 'blambda-hello-000000000000'] == [{'Id': 'blambda-hello-000000000000', 'LambdaFunctionArn': 'arn:aws:lambda:eu-west-1:123456789012:function:other', 'Events': ['s3:ObjectRestore:*']}]"
}
# ours BUCKET: the function's entries there as "EVENTS|PREFIX|SUFFIX" lines, sorted
ours() {
	aws s3api --endpoint-url "$MOTO_URL" get-bucket-notification-configuration --bucket "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for c in sorted(d.get("LambdaFunctionConfigurations", []), key=lambda c: c["Events"]):
    if c["LambdaFunctionArn"] != "'"$FN_ARN"'":
        continue
    rules = {r["Name"]: r["Value"] for r in c.get("Filter", {}).get("Key", {}).get("FilterRules", [])}
    print(",".join(c["Events"]) + "|" + rules.get("prefix", "") + "|" + rules.get("suffix", ""))'
}
cp blambda.yml "$TMP/plain.yml"
fn_add $'  events:\n    - s3: uploads\n    - s3: {bucket: uploads, events: [s3:ObjectRemoved:Delete], prefix: logs/, suffix: .txt}\n    - s3: {bucket: archive, events: ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"]}\n'

test_case "--dry-run: each bucket a step of the plan, no write call"
mark
blambda deploy --dry-run
expect_status 0
expect_out_has "would create notifications of bucket 'uploads' (s3:ObjectCreated:* added, s3:ObjectRemoved:Delete prefix logs/ suffix .txt added)"
expect_out_has "would create notifications of bucket 'archive' (s3:ObjectCreated:Put s3:ObjectCreated:Post added)"
expect_writes ""

test_case "deploy: the entries and the permission; what others put there stays"
mark
blambda deploy --json
expect_status 0
expect_json "d['ok'] and sorted(s['name'] for s in d['s3']) == ['archive', 'uploads']"
got=$(ours uploads | tr '\n' ';')
[ "$got" = "s3:ObjectCreated:*||;s3:ObjectRemoved:Delete|logs/|.txt;" ] && pass || fail "uploads: $got"
got=$(ours archive | tr '\n' ';')
[ "$got" = "s3:ObjectCreated:Put,s3:ObjectCreated:Post||;" ] && pass || fail "archive: $got"
theirs_kept
awsq lambda get-policy --function-name hello
expect_json "sorted((s['Sid'], s['Principal']['Service'], s['Condition']['ArnLike']['AWS:SourceArn'], s['Condition']['StringEquals']['AWS:SourceAccount']) for s in json.loads(d['Policy'])['Statement']) == [('blambda-s3-archive', 's3.amazonaws.com', 'arn:aws:s3:::archive', '123456789012'), ('blambda-s3-uploads', 's3.amazonaws.com', 'arn:aws:s3:::uploads', '123456789012')]"
awsq lambda list-tags --resource "$FN_ARN"
expect_json "d['Tags'].get('blambda:s3') == 'archive uploads'"
got=$(writes | grep -c "?notification")
[ "$got" = 2 ] && pass || fail "notification writes: $got"

test_case "a deploy with nothing changed makes no write call"
mark
blambda deploy --json
expect_status 0
expect_json "d['up_to_date']"
expect_writes ""

test_case "an entry gone from blambda.yml: only that entry goes, in one write"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - s3: uploads\n    - s3: {bucket: archive, events: ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"]}\n'
blambda diff
expect_status 1
expect_out_has "notifications of bucket 'uploads':"
mark
blambda deploy
expect_status 0
expect_out_has "notifications of bucket 'uploads': updated (entry blambda-hello-"
expect_writes "PUT /uploads;"
got=$(ours uploads | tr '\n' ';')
[ "$got" = "s3:ObjectCreated:*||;" ] && pass || fail "uploads: $got"
theirs_kept

test_case "a bucket gone from blambda.yml: its entries and permission go, the record forgets it"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - s3: uploads\n'
mark
blambda deploy
expect_status 0
expect_out_has "notifications of bucket 'archive': deleted (entry blambda-hello-"
got=$(ours archive | tr '\n' ';')
[ -z "$got" ] && pass || fail "archive: $got"
awsq lambda get-policy --function-name hello
expect_json "[s['Sid'] for s in json.loads(d['Policy'])['Statement']] == ['blambda-s3-uploads']"
awsq lambda list-tags --resource "$FN_ARN"
expect_json "d['Tags'].get('blambda:s3') == 'uploads'"
theirs_kept

test_case "destroy: blambda's entries go; the others stay"
blambda destroy --dry-run
expect_status 0
expect_out_has "notifications of bucket 'uploads'"
blambda destroy --yes
expect_status 0
got=$(ours uploads | tr '\n' ';')
[ -z "$got" ] && pass || fail "uploads: $got"
theirs_kept

test_case "a bucket that does not exist stops the deploy before any write"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - s3: no-such-bucket\n'
mark
blambda deploy
expect_status 3
expect_err_has "cannot read the notifications of bucket 'no-such-bucket'"
expect_err_has "make it first"
expect_writes ""

test_case "--event-template s3: an object put in the first trigger's bucket, within its prefix and suffix"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - s3: {bucket: uploads, prefix: in/, suffix: .csv}\n'
blambda invoke --event-template s3
expect_status 0
expect_json "d['Records'][0]['eventSource'] == 'aws:s3' and d['Records'][0]['s3']['bucket']['name'] == 'uploads' and d['Records'][0]['s3']['bucket']['arn'] == 'arn:aws:s3:::uploads' and d['Records'][0]['s3']['object']['key'] == 'in/example.csv' and d['Records'][0]['awsRegion'] == 'eu-west-1'"

test_case "two functions taking overlapping events of one bucket are refused"
cp "$TMP/plain.yml" blambda.yml
printf 'functions:\n  a:\n    events:\n      - s3: {bucket: uploads, prefix: in/}\n  b:\n    events:\n      - s3: {bucket: uploads, prefix: in/csv/}\n' >> blambda.yml
sed -i '/^  name: hello$/d' blambda.yml
blambda config
expect_status 2
expect_err_has "functions 'a' and 'b' both take events of bucket 'uploads' that overlap: S3 refuses that"
sed -i 's#prefix: in/csv/#prefix: out/#' blambda.yml
blambda config
expect_status 0

test_case "bad s3 triggers are refused before any call, with the file and line"
bad() {
	cp "$TMP/plain.yml" blambda.yml
	fn_add "$1"
	mark
	blambda deploy
	expect_status 2
	expect_err_has "$2"
	expect_writes ""
}
bad $'  events:\n    - s3: Bad_Bucket\n' "blambda.yml:11:11: 'Bad_Bucket' is not an S3 bucket name"
bad $'  events:\n    - s3: {bucket: uploads, events: [ObjectCreated]}\n' "'ObjectCreated' is not an S3 event type"
bad $'  events:\n    - s3: uploads\n    - s3: {bucket: uploads, events: ["s3:ObjectCreated:Put"], prefix: a/}\n' "two s3 triggers of bucket 'uploads' could both take one event"
bad $'  events:\n    - s3: {bucket: uploads, buckets: x}\n' "unknown key 'buckets' in an s3 trigger"
bad $'  events:\n    - s3: b-1\n    - s3: b-2\n    - s3: b-3\n    - s3: b-4\n    - s3: b-5\n' "more than 4 buckets for one function"
cp "$TMP/plain.yml" blambda.yml

finish
