#!/bin/bash
# blambda terraform: the HCL it writes parses with HashiCorp's own parser
# (hcl2-parser), names the zips blambda build made, the runtime, handler,
# memory, layers, roles and tags deploy would use, keeps literal what must
# stay literal, and is written again byte for byte.
. "$(dirname "$0")/lib.sh"

export BLAMBDA_CACHE_DIR="$TMP/cache"
make_release "$TMP/mirror" 9.9.9 x86_64 || exit 1
start_release_server "$TMP/mirror"
export BLAMBDA_BABASHKA_URL=$RELEASE_URL
cd "$TMP" || exit 1
"$BLAMBDA" new-function hello --bb-version 9.9.9 -q > /dev/null || exit 1
cd hello || exit 1
sed -i '/^  name: hello$/d' blambda.yml
cat >> blambda.yml <<'YAML'
functions:
  hello:
    description: 'says "hello" for ${USER} at 100%{ok}'
    environment: {GREETING: "hi\nthere", PLAIN: x}
    tags: {team: clojure}
    url: {auth: NONE, cors: {allow-origins: ["*"], max-age: 30}}
  worker:
    handler: hello/handler
    memory: 1024
    role: arn:aws:iam::123456789012:role/hand-made
    layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:extra:3"]
YAML
hcl() { node "$BLAMBDA_SOURCE_DIR/tests/support/hcl_parse.js" "$@"; }

test_case "it builds what is out of date and writes terraform/main.tf"
blambda terraform
expect_status 0
expect_out "Wrote terraform/main.tf"
expect_file target/function.zip
expect_file target/runtime-layer-x86_64.zip

test_case "the file is HCL2, as HashiCorp's parser reads it"
run hcl terraform/main.tf
expect_status 0
printf '%s' "$out" > "$TMP/tf.json"

test_case "it declares what deploy makes, with the same settings"
python3 - "$TMP/tf.json" <<'PY' && pass || fail "declarations: $(head -c 3000 "$TMP/tf.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
res = doc["resource"]
fn = {k: v[0] for k, v in res["aws_lambda_function"].items()}
layer = res["aws_lambda_layer_version"]["runtime"][0]
assert "deps" not in res["aws_lambda_layer_version"], "no deps layer in this project"
assert layer["filename"] == "${path.module}/../target/runtime-layer-x86_64.zip", layer
assert layer["source_code_hash"] == '${filebase64sha256("${path.module}/../target/runtime-layer-x86_64.zip")}', layer
assert layer["description"] == "blambda 0.1.0 runtime layer: Babashka 9.9.9 (x86_64)", layer
assert layer["compatible_architectures"] == ["x86_64"], layer
h, w = fn["hello"], fn["worker"]
assert h["function_name"] == "${var.name_prefix}hello", h
assert h["filename"] == "${path.module}/../target/function.zip", h
assert h["handler"] == "hello/handler" and h["runtime"] == "provided.al2023" and h["memory_size"] == 512, h
assert h["timeout"] == 5 and h["architectures"] == ["x86_64"], h
assert h["role"] == "${aws_iam_role.hello.arn}", h
# the parser reads the escaped $${ and %%{ back as the literal text
assert h["description"] == 'says "hello" for ${USER} at 100%{ok}', h["description"]
assert "hello-blambda-role" in res["aws_iam_role"]["hello"][0]["name"]
assert "worker" not in res["aws_iam_role"], "worker names its own role"
assert w["role"] == "arn:aws:iam::123456789012:role/hand-made" and w["memory_size"] == 1024, w
assert "arn:aws:lambda:eu-west-1:123456789012:layer:extra:3" in json.dumps(w["layers"]), w["layers"]
assert "aws_lambda_layer_version.runtime.arn" in json.dumps(h["layers"]), h["layers"]
env = json.dumps(h["environment"])
assert "GREETING" in env and "hi\\\\nthere" in env and "var.extra_environment" in env, env
assert "clojure" in json.dumps(h["tags"]) and "blambda:managed-by" in json.dumps(h["tags"]), h["tags"]
pol = res["aws_iam_role_policy_attachment"]["hello_basic"][0]
assert pol["policy_arn"] == "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", pol
assert set(doc["variable"]) == {"name_prefix", "tags", "extra_environment"}, doc["variable"]
assert set(doc["output"]) == {"hello_arn", "worker_arn", "hello_url"}, doc["output"]
url = res["aws_lambda_function_url"]["hello"][0]
assert url["authorization_type"] == "NONE" and url["cors"][0]["allow_origins"] == ["*"] and url["cors"][0]["max_age"] == 30, url
perm = res["aws_lambda_permission"]["hello_url_public"][0]
assert perm["action"] == "lambda:InvokeFunctionUrl" and perm["principal"] == "*", perm
assert "worker" not in res["aws_lambda_function_url"]
PY

grep -qF 'says \"hello\" for $${USER} at 100%%{ok}' terraform/main.tf && pass || fail "not escaped: $(grep description terraform/main.tf)"

test_case "written again with nothing changed: the same bytes, not touched"
cp terraform/main.tf "$TMP/first.tf"
touch -d '2000-01-01' terraform/main.tf
blambda terraform
expect_status 0
expect_out "Up to date: terraform/main.tf"
cmp -s terraform/main.tf "$TMP/first.tf" && pass || fail "the bytes changed"
[ "$(stat -c %Y terraform/main.tf)" = "$(date -d 2000-01-01 +%s)" ] && pass || fail "the file was rewritten"

test_case "-o elsewhere: the zip paths follow; --json; a deps layer when bb.edn has deps"
mkdir -p infra
blambda terraform -o infra/lambda --json
expect_status 0
expect_json 'd["path"] == "infra/lambda/main.tf" and d["written"] and d["functions"] == 2 and not d["deps_layer"]'
grep -q '"${path.module}/../../target/function.zip"' infra/lambda/main.tf && pass || fail "paths: $(grep filename infra/lambda/main.tf)"
run hcl infra/lambda/main.tf
expect_status 0

test_case "two functions with one Terraform name are refused"
cp blambda.yml "$TMP/good.yml"
printf '  1abc: {}\n  fn_1abc: {}\n' >> blambda.yml
blambda terraform -o "$TMP/clash"
expect_status 2
expect_err_has "functions '1abc' and 'fn_1abc' would both be 'fn_1abc' in Terraform"
expect_no_file "$TMP/clash/main.tf"
cp "$TMP/good.yml" blambda.yml

test_case "the settings go with the function; the environment file's values stay out of the file"
cp blambda.yml "$TMP/good.yml"
printf 'SECRET_TOKEN="t0ps3cret"\n' > .env
cat >> blambda.yml <<'YAML'
  fat:
    handler: hello/handler
    tracing: active
    ephemeral-storage: 4096
    reserved-concurrency: 2
    environment-file: .env
    environment: {SHOWN: yes}
    vpc: {subnets: [subnet-12345678], security-groups: [sg-12345678]}
    policies:
      - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
      - {actions: [sqs:SendMessage], resources: ["arn:aws:sqs:eu-west-1:123456789012:q"]}
    events:
      - schedule: {name: nightly, expression: "cron(0 3 * * ? *)", input: {job: "${x}"}, enabled: false}
      - sqs: {queue: orders, batch-size: 20, batch-window: 2, max-concurrency: 5, report-batch-item-failures: true}
      - stream: arn:aws:kinesis:eu-west-1:123456789012:stream/clicks
    log-retention: 30
    async: {max-retries: 1, on-failure: "arn:aws:sqs:eu-west-1:123456789012:dlq"}
YAML
blambda terraform -o "$TMP/tf-fat"
expect_status 0
grep -q t0ps3cret "$TMP/tf-fat/main.tf" && fail "a value of the environment file was written" || pass
run hcl "$TMP/tf-fat/main.tf"
expect_status 0
printf '%s' "$out" > "$TMP/tf-fat.json"
python3 - "$TMP/tf-fat.json" <<'PY' && pass || fail "settings: $(grep -A40 'resource "aws_lambda_function" "fat"' "$TMP/tf-fat/main.tf")"
import json, sys
doc = json.load(open(sys.argv[1]))
res = doc["resource"]
f = res["aws_lambda_function"]["fat"][0]
assert f["tracing_config"] == [{"mode": "Active"}], f
assert f["ephemeral_storage"] == [{"size": 4096}], f
assert f["vpc_config"] == [{"subnet_ids": ["subnet-12345678"], "security_group_ids": ["sg-12345678"]}], f
assert f["reserved_concurrent_executions"] == 2, f
assert f["environment"][0]["variables"].startswith("${merge(var.fat_environment_file, {"), f["environment"]
assert "SHOWN" in f["environment"][0]["variables"] and "SECRET_TOKEN" not in f["environment"][0]["variables"], f
assert doc["variable"]["fat_environment_file"][0]["sensitive"] is True, doc["variable"]
att = res["aws_iam_role_policy_attachment"]
assert att["fat_vpc"][0]["policy_arn"].endswith("service-role/AWSLambdaVPCAccessExecutionRole"), att
assert att["fat_tracing"][0]["policy_arn"].endswith("/AWSXRayDaemonWriteAccess"), att
assert "hello_vpc" not in att and "hello_tracing" not in att, att
assert att["fat_policy_1"][0]["policy_arn"] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", att
pol = json.loads(res["aws_iam_role_policy"]["fat_statements"][0]["policy"])
assert pol["Statement"][0] == {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:eu-west-1:123456789012:q"]}, pol
rule = res["aws_cloudwatch_event_rule"]["fat_schedule_nightly"][0]
assert rule["name"] == "${var.name_prefix}blambda-fat-nightly" and rule["schedule_expression"] == "cron(0 3 * * ? *)", rule
assert rule["state"] == "DISABLED", rule
tgt = res["aws_cloudwatch_event_target"]["fat_schedule_nightly"][0]
assert tgt["arn"] == "${aws_lambda_function.fat.arn}" and json.loads(tgt["input"]) == {"job": "${x}"}, tgt
perm = res["aws_lambda_permission"]["fat_schedule_nightly"][0]
assert perm["principal"] == "events.amazonaws.com" and perm["source_arn"] == "${aws_cloudwatch_event_rule.fat_schedule_nightly.arn}", perm
esm = res["aws_lambda_event_source_mapping"]
q = esm["fat_sqs_2"][0]
assert q["event_source_arn"] == "${data.aws_sqs_queue.fat_sqs_2.arn}" and q["batch_size"] == 20, q
assert q["maximum_batching_window_in_seconds"] == 2 and q["scaling_config"] == [{"maximum_concurrency": 5}], q
assert q["function_response_types"] == ["ReportBatchItemFailures"], q
assert doc["data"]["aws_sqs_queue"]["fat_sqs_2"][0]["name"] == "orders", doc["data"]
st = esm["fat_stream_3"][0]
assert st["event_source_arn"] == "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks" and st["starting_position"] == "LATEST", st
assert att["fat_sqs"][0]["policy_arn"].endswith("service-role/AWSLambdaSQSQueueExecutionRole"), att
assert att["fat_kinesis"][0]["policy_arn"].endswith("service-role/AWSLambdaKinesisExecutionRole"), att
lg = res["aws_cloudwatch_log_group"]["fat"][0]
assert lg["name"] == "/aws/lambda/${aws_lambda_function.fat.function_name}" and lg["retention_in_days"] == 30, lg
ic = res["aws_lambda_function_event_invoke_config"]["fat"][0]
assert ic["maximum_retry_attempts"] == 1 and ic["destination_config"] == [{"on_failure": [{"destination": "arn:aws:sqs:eu-west-1:123456789012:dlq"}]}], ic
pol = json.loads(res["aws_iam_role_policy"]["fat_statements"][0]["policy"])
assert {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:eu-west-1:123456789012:dlq"]} in pol["Statement"], pol
h = res["aws_lambda_function"]["hello"][0]
assert "tracing_config" not in h and "vpc_config" not in h and "reserved_concurrent_executions" not in h, h
PY
cp "$TMP/good.yml" blambda.yml
rm .env

test_case "http routes: the project's API, its stage, each function's integration, routes and permission"
cp blambda.yml "$TMP/good.yml"
cat >> blambda.yml <<'YAML'
  web:
    handler: hello/handler
    events:
      - http: GET /hello/{name}
      - http: ANY /{proxy+}
      - s3: {bucket: my.uploads, prefix: "in/", suffix: .csv}
      - s3: {bucket: my.uploads, events: ["s3:ObjectRemoved:*"]}
http-api:
  name: shop
  cors: {allow-origins: ["https://example.com"], max-age: 60}
YAML
blambda terraform -o "$TMP/tf-http"
expect_status 0
run hcl "$TMP/tf-http/main.tf"
expect_status 0
printf '%s' "$out" > "$TMP/tf-http.json"
python3 - "$TMP/tf-http.json" <<'PY' && pass || fail "http: $(grep -B2 -A8 apigatewayv2 "$TMP/tf-http/main.tf" | head -60)"
import json, sys
doc = json.load(open(sys.argv[1]))
res = doc["resource"]
api = res["aws_apigatewayv2_api"]["http"][0]
assert api["name"] == "${var.name_prefix}shop" and api["protocol_type"] == "HTTP", api
assert api["cors_configuration"][0]["allow_origins"] == ["https://example.com"] and api["cors_configuration"][0]["max_age"] == 60, api
assert "blambda:http-api" in api["tags"], api
st = res["aws_apigatewayv2_stage"]["http_default"][0]
assert st["name"] == "$default" and st["auto_deploy"] is True, st
integ = res["aws_apigatewayv2_integration"]["web_http"][0]
assert integ["integration_type"] == "AWS_PROXY" and integ["integration_uri"] == "${aws_lambda_function.web.arn}" and integ["payload_format_version"] == "2.0", integ
import hashlib
routes = res["aws_apigatewayv2_route"]
rid = lambda key: "web_route_" + hashlib.sha256(key.encode()).hexdigest()[:8]
assert routes[rid("GET /hello/{name}")][0]["route_key"] == "GET /hello/{name}" and routes[rid("ANY /{proxy+}")][0]["route_key"] == "ANY /{proxy+}", routes
assert routes[rid("GET /hello/{name}")][0]["target"] == "integrations/${aws_apigatewayv2_integration.web_http.id}", routes
perm = res["aws_lambda_permission"]["web_http"][0]
assert perm["principal"] == "apigateway.amazonaws.com" and perm["source_arn"] == "${aws_apigatewayv2_api.http.execution_arn}/*/*", perm
assert "hello_http" not in res.get("aws_apigatewayv2_integration", {}), res
assert doc["output"]["http_api_url"][0]["value"] == "${aws_apigatewayv2_api.http.api_endpoint}", doc["output"]
n = res["aws_s3_bucket_notification"]["s3_my_uploads"][0]
assert n["bucket"] == "my.uploads" and len(n["lambda_function"]) == 2, n
lf = n["lambda_function"][0]
assert lf["lambda_function_arn"] == "${aws_lambda_function.web.arn}" and lf["events"] == ["s3:ObjectCreated:*"], lf
assert lf["filter_prefix"] == "in/" and lf["filter_suffix"] == ".csv" and lf["id"].startswith("blambda-web-"), lf
assert n["lambda_function"][1]["events"] == ["s3:ObjectRemoved:*"] and "filter_prefix" not in n["lambda_function"][1], n
assert n["depends_on"] == ["${aws_lambda_permission.web_s3_my_uploads}"], n
perm = res["aws_lambda_permission"]["web_s3_my_uploads"][0]
assert perm["statement_id"] == "blambda-s3-my_uploads" and perm["principal"] == "s3.amazonaws.com", perm
assert perm["source_arn"] == "arn:${data.aws_partition.current.partition}:s3:::my.uploads", perm
PY
cp "$TMP/good.yml" blambda.yml

test_case "a project path with quotes and \${ stays a plain string"
odd="$TMP/odd/p\"\${a}"
mkdir -p "$odd" && cp -r "$TMP/hello/." "$odd/"
cd "$odd" || exit 1
blambda terraform -o "$TMP/tf-odd"
expect_status 0
run hcl "$TMP/tf-odd/main.tf"
expect_status 0
printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["resource"]["aws_lambda_function"]["hello"][0]["filename"]; sys.exit(0 if f.endswith("/odd/p\"${a}/target/function.zip") else 1)' && pass || fail "the path: $(grep filename "$TMP/tf-odd/main.tf" | head -1)"
cd "$TMP/hello" || exit 1

finish
