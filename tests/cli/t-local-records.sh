#!/bin/bash
# local start --send-records: an Event invocation's record sent to its
# function.async.on-success / on-failure destination as Lambda sends it,
# against moto (every SigV4 signature checked, every request logged): an
# SQS queue, an SNS topic, the EventBridge bus, an S3 bucket and a Lambda
# function; read back through the AWS CLI. Nothing is sent without the
# flag; a destination that refuses is said, and serving goes on.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_BB="$BLAMBDA_SOURCE_DIR/tests/support/bb"
export BLAMBDA_CACHE_DIR="$TMP/cache"
REQUESTS="$TMP/requests.log"
start_moto "$REQUESTS"
aws_env "$MOTO_URL"
ACCOUNT=123456789012
# this AWS CLI takes no AWS_ENDPOINT_URL for every service
aws() { command aws --endpoint-url "$MOTO_URL" "$@"; }

queue_arn() { # NAME: make the queue, print its ARN
	aws sqs create-queue --queue-name "$1" > /dev/null
	echo "arn:aws:sqs:eu-west-1:$ACCOUNT:$1"
}
FAILURES=$(queue_arn failures)
SUCCESSES=$(queue_arn successes)
queue_arn alerts-q > /dev/null
queue_arn bus-q > /dev/null
TOPIC=$(aws sns create-topic --name alerts --query TopicArn --output text)
aws sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "arn:aws:sqs:eu-west-1:$ACCOUNT:alerts-q" \
	--attributes RawMessageDelivery=true > /dev/null
aws events put-rule --name lambda-results --event-pattern '{"source":["lambda"]}' > /dev/null
aws events put-targets --rule lambda-results --targets "Id=q,Arn=arn:aws:sqs:eu-west-1:$ACCOUNT:bus-q" > /dev/null
aws s3 mb s3://records > /dev/null
aws iam create-role --role-name sink-role --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' > /dev/null
printf 'x' > "$TMP/sink.txt"
(cd "$TMP" && python3 -c 'import zipfile; z = zipfile.ZipFile("sink.zip", "w"); z.write("sink.txt"); z.close()')
aws lambda create-function --function-name sink --runtime provided.al2023 --handler x --zip-file "fileb://$TMP/sink.zip" \
	--role "arn:aws:iam::$ACCOUNT:role/sink-role" > /dev/null

cd "$TMP" || exit 1
"$BLAMBDA" new-function hello -q || exit 1
cd hello || exit 1
cp "$BLAMBDA_SOURCE_DIR"/tests/fixtures/handlers/examples.clj src/
sed -i '/^  name: hello$/d' blambda.yml
cat >> blambda.yml <<EOT
functions:
  to-sqs:
    handler: examples/handle
    async: {max-retries: 0, on-failure: "$FAILURES", on-success: "$SUCCESSES"}
  to-sns:
    handler: examples/handle
    async: {max-retries: 0, on-failure: "$TOPIC", on-success: "$TOPIC"}
  to-bus:
    handler: examples/handle
    async: {max-retries: 0, on-failure: "arn:aws:events:eu-west-1:$ACCOUNT:event-bus/default"}
  to-bucket:
    handler: examples/handle
    async: {max-retries: 0, on-failure: "arn:aws:s3:::records"}
  to-lambda:
    handler: examples/handle
    async: {max-retries: 0, on-failure: "arn:aws:lambda:eu-west-1:$ACCOUNT:function:sink"}
  to-nowhere:
    handler: examples/handle
    async: {max-retries: 0, on-failure: "arn:aws:sqs:eu-west-1:$ACCOUNT:no-such-queue"}
  held:
    handler: examples/handle
    reserved-concurrency: 0
    async: {on-failure: "$FAILURES"}
EOT
expect_err_matches() {
	if printf "%s" "$err" | grep -qE -e "$1"; then pass; else fail "stderr has no line matching '$1'"; fi
}
UUID='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

# event NAME PAYLOAD: an Event invocation; its request id in $id
event() {
	id=$(curl -s -D - -o /dev/null -H 'X-Amz-Invocation-Type: Event' -d "$2" "$LOCAL_URL/2015-03-31/functions/$1/invocations" |
		tr -d '\r' | sed -n 's/^[Xx]-[Aa]mzn-[Rr]equest[Ii]d: //p')
}
# wait_line PATTERN: until the log of local start has a line matching it (30 s at most)
wait_line() {
	for _ in $(seq 300); do grep -qE -e "$1" "$TMP/start.err" && return 0; sleep 0.1; done
	return 1
}
# received QUEUE: the body of the one message on it, in $msg; the queue is emptied
received() {
	local url
	url=$(aws sqs get-queue-url --queue-name "$1" --query QueueUrl --output text)
	aws sqs receive-message --queue-url "$url" --wait-time-seconds 5 --max-number-of-messages 10 --output json > "$TMP/received.json"
	msg=$(python3 -c 'import json, sys; d = json.loads(open(sys.argv[1]).read() or "{}"); m = d.get("Messages", []); print(m[0]["Body"] if len(m) == 1 else "%d messages" % len(m))' "$TMP/received.json")
	aws sqs purge-queue --queue-url "$url"
}
# check_record PYTHON-CONDITION: on the record r (JSON in $msg)
check_record() {
	printf '%s' "$msg" | python3 -c 'import json, sys
r = json.load(sys.stdin)
if not ('"$1"'): sys.exit("record: %r" % r)' && pass || fail "the record does not have $1: $msg"
}

test_case "without --send-records a record is shown, and nothing is sent to AWS"
start_local to-sqs --retry-delay 0 || exit 1
mark
event to-sqs '{"op":"boom"}'
wait_line "^blambda: Event invocation $UUID: its record for function.async.on-failure $FAILURES \\(Lambda sends it; 'local start --send-records' does\\): \\{" && pass ||
	fail "no record shown: $(cat "$TMP/start.err")"
stop_local
expect_writes ""

test_case "--send-records: a failed invocation's record goes to the SQS queue, a successful one's to on-success"
start_local --send-records --retry-delay 0 || exit 1
event to-sqs '{"op":"boom"}'
wait_line "blambda: Event invocation $id: its record was sent to $FAILURES \\([^)]+\\)\$" && pass || fail "not sent: $(cat "$TMP/start.err")"
received failures
check_record 'r["requestContext"]["condition"] == "RetriesExhausted" and r["requestContext"]["approximateInvokeCount"] == 1'
check_record 'r["requestContext"]["requestId"] == "'"$id"'" and r["requestPayload"] == {"op": "boom"}'
check_record 'r["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}'
check_record 'r["responsePayload"]["errorMessage"] == "kaboom" and r["version"] == "1.0"'
check_record 'r["requestContext"]["functionArn"] == "arn:aws:lambda:eu-west-1:'$ACCOUNT':function:to-sqs:$LATEST"'
event to-sqs '{"op":"echo","n":7}'
wait_line "was sent to $SUCCESSES" && pass || fail "the success record was not sent: $(cat "$TMP/start.err")"
received successes
check_record 'r["requestContext"]["condition"] == "Success" and r["responsePayload"] == {"op": "echo", "n": 7}'
check_record '"functionError" not in r["responseContext"]'

test_case "--send-records: SNS Publish, EventBridge PutEvents, S3 PutObject, Lambda Invoke (Event)"
event to-sns '{"op":"boom"}'
wait_line "was sent to $TOPIC" && pass || fail "not published: $(cat "$TMP/start.err")"
received alerts-q
check_record 'r["requestContext"]["condition"] == "RetriesExhausted" and r["requestPayload"] == {"op": "boom"}'
event to-bus '{"op":"boom"}'
wait_line "was sent to arn:aws:events:" && pass || fail "not put on the bus: $(cat "$TMP/start.err")"
received bus-q
check_record 'r["source"] == "lambda" and r["detail-type"] == "Lambda Function Invocation Result - Failure"'
check_record 'r["detail"]["requestContext"]["condition"] == "RetriesExhausted" and r["detail"]["requestPayload"] == {"op": "boom"}'
check_record '"arn:aws:lambda:eu-west-1:'$ACCOUNT':function:to-bus:$LATEST" in r["resources"]'
event to-bucket '{"op":"boom"}'
wait_line "was sent to arn:aws:s3:::records \\(aws/lambda/async/to-bucket/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}-$UUID\\)" &&
	pass || fail "not put in the bucket: $(cat "$TMP/start.err")"
key=$(aws s3api list-objects-v2 --bucket records --query 'Contents[0].Key' --output text)
msg=$(aws s3 cp "s3://records/$key" - 2>&1)
check_record 'r["requestContext"]["functionArn"].endswith(":function:to-bucket:$LATEST") and r["responsePayload"]["errorMessage"] == "kaboom"'
mark
event to-lambda '{"op":"boom"}'
wait_line "was sent to arn:aws:lambda:eu-west-1:$ACCOUNT:function:sink" && pass || fail "not invoked: $(cat "$TMP/start.err")"
grep -q "^POST /2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A$ACCOUNT%3Afunction%3Asink/invocations" "$REQUESTS" && pass ||
	fail "no Invoke of the destination: $(cat "$REQUESTS")"

test_case "--send-records: a destination that refuses is said; serving goes on"
event to-nowhere '{"op":"boom"}'
wait_line "blambda: Event invocation $id: its record could not be sent to arn:aws:sqs:eu-west-1:$ACCOUNT:no-such-queue: .*QueueDoesNotExist" &&
	pass || fail "the refusal: $(cat "$TMP/start.err")"
out=$(curl -s -d '{"op":"echo","still":"here"}' "$LOCAL_URL/2015-03-31/functions/to-nowhere/invocations")
expect_json 'd["still"] == "here"'

test_case "--send-records: the event's bytes in the record as sent (a \\u0000 kept)"
event to-sqs '{"op":"boom","s":"a\u0000b"}'
wait_line "Event invocation $id: its record was sent to $FAILURES" && pass || fail "not sent: $(cat "$TMP/start.err")"
received failures
check_record 'r["requestPayload"] == {"op": "boom", "s": "a\x00b"}'

test_case "--send-records: reserved concurrency 0 sends the event to on-failure at once, never run"
event held '{"op":"echo"}'
wait_line "blambda: Event invocation $id does not run: function.reserved-concurrency is 0, so Lambda sends it to function.async.on-failure at once" &&
	pass || fail "not said: $(cat "$TMP/start.err")"
wait_line "Event invocation $id: its record was sent to $FAILURES" && pass || fail "not sent: $(cat "$TMP/start.err")"
received failures
check_record 'r["requestContext"]["approximateInvokeCount"] == 0 and r["requestPayload"] == {"op": "echo"} and "responsePayload" not in r'
grep -q "^START RequestId: $id" "$TMP/start.err" && fail "it ran" || pass

test_case "--send-records: a record past SNS's 256 KB goes without its payloads, as Lambda sends it"
python3 -c 'import json; print(json.dumps({"op": "echo", "pad": "x" * 200000}))' > "$TMP/big.json"
event to-sns "@$TMP/big.json"
wait_line "Event invocation $id: its record was sent to $TOPIC \\([^)]+\\), without its payloads" && pass ||
	fail "not sent without payloads: $(tail -c 2000 "$TMP/start.err")"
received alerts-q
check_record 'r["requestContext"]["condition"] == "Success" and "requestPayload" not in r and "responsePayload" not in r'
stop_local
expect_status 143

test_case "--send-records: a destination that never answers holds no instance, and a stop gives its record up at once"
"$PYTHON" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    held.append(s.accept()[0])  # accepted, never answered
' "$TMP/silent.port" &
on_exit "kill $! 2>/dev/null"
wait_for_file "$TMP/silent.port" 30 || exit 1
AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$(cat "$TMP/silent.port")" start_local to-sqs --send-records --retry-delay 0 || exit 1
event to-sqs '{"op":"echo"}'
wait_line "Event invocation $id: its record for function.async.on-success" && pass || fail "no record: $(cat "$TMP/start.err")"
code=$(curl -s -m 10 -o "$TMP/sync.out" -w '%{http_code}' -d '{"op":"echo","sync":1}' "$LOCAL_URL/2015-03-31/functions/to-sqs/invocations")
[ "$code" = 200 ] && pass || fail "a synchronous call while the record is being sent got $code: $(cat "$TMP/sync.out")"
t0=$(date +%s%N)
stop_local
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_status 143
[ "$ms" -lt 5000 ] && pass || fail "the stop waited $ms ms for a record being sent"
grep -qE "Event invocation $id: its record was not sent to $SUCCESSES: stopped before 'http://127.0.0.1:[0-9]+/' answered" "$TMP/start.err" &&
	pass || fail "the record given up is not said: $(tail -5 "$TMP/start.err")"

test_case "--send-records: what a destination answers stays on its one line of the log"
"$PYTHON" -c '
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        if "GetQueueUrl" in body:
            x = "<GetQueueUrlResponse><GetQueueUrlResult><QueueUrl>http://127.0.0.1/1/q</QueueUrl></GetQueueUrlResult></GetQueueUrlResponse>"
        else:
            x = "<SendMessageResponse><SendMessageResult><MessageId>m-id\nSTART RequestId: forged-line</MessageId></SendMessageResult></SendMessageResponse>"
        x = x.encode()
        self.send_response(200); self.send_header("Content-Length", str(len(x))); self.end_headers(); self.wfile.write(x)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_port)); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
' "$TMP/forger.port" &
on_exit "kill $! 2>/dev/null"
wait_for_file "$TMP/forger.port" 30 || exit 1
AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$(cat "$TMP/forger.port")" start_local to-sqs --send-records --retry-delay 0 || exit 1
event to-sqs '{"op":"boom"}'
wait_line "Event invocation $id: its record was sent to $FAILURES" && pass || fail "not sent: $(cat "$TMP/start.err")"
grep -q "^START RequestId: forged-line" "$TMP/start.err" && fail "a destination's answer made a line of its own" || pass
stop_local

test_case "--send-records without credentials fails before serving, naming the flag"
AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_PROFILE= AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none" \
	blambda local start --port 0 --send-records
expect_status 2
expect_err_has "--send-records: records cannot be sent"
expect_err_has "leave out --send-records: the records are then shown in the log only"

test_case "an S3 bucket as function.async.on-success is refused, as Lambda refuses it"
mkdir -p "$TMP/s3ok" && cp blambda.yml "$TMP/s3ok/" && cp -r src "$TMP/s3ok/"
cd "$TMP/s3ok" || exit 1
sed -i 's|on-success: "'"$SUCCESSES"'"|on-success: "arn:aws:s3:::records"|' blambda.yml
blambda local start --port 0
expect_status 2
expect_err_matches "blambda.yml:[0-9]+:[0-9]+: on-success 'arn:aws:s3:::records' is an S3 bucket: Lambda sends only on-failure records to a bucket"

finish
