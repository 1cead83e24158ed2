#!/bin/bash
# blambda.yml: values, precedence, origins, and precise errors.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
mkdir proj && cd proj || exit 1

test_case "no blambda.yml: defaults, said once on stderr"
blambda config
expect_status 0
expect_out_has "function.memory"
expect_out_has "default"
expect_err_has "no blambda.yml here"
blambda config function.runtime
expect_out "provided.al2023"
blambda config function.architecture
expect_out "x86_64"
blambda config babashka.version
expect_out "1.13.219"

test_case "values and their file lines"
cat > blambda.yml <<'YML'
# a project
function:
  name: hello
  handler: hello/handler
  architecture: arm64
  memory: 1024
  timeout: 30
  environment:
    GREETING: hi there
    PORT: 8080
  source-paths: [src, resources]
  layers:
    - arn:aws:lambda:eu-west-1:123456789012:layer:extra:3
  tags:
    team: clj
babashka:
  version: 1.12.218
aws:
  region: eu-west-1
  s3-bucket: my-artifacts
YML
blambda config
expect_status 0
expect_err_empty
expect_out_has "blambda.yml:3"
blambda config --json
expect_json "d['path'] == 'blambda.yml'"
expect_json "d['values']['function.memory'] == {'value': 1024, 'source': 'file', 'origin': 'blambda.yml:6'}"
expect_json "d['values']['function.name']['value'] == 'hello'"
expect_json "d['values']['function.environment']['value'] == {'GREETING': 'hi there', 'PORT': '8080'}"
expect_json "d['values']['function.source-paths']['value'] == ['src', 'resources']"
expect_json "d['values']['function.role'] == {'value': None, 'source': 'unset', 'origin': None}"
expect_json "d['values']['layers.deps']['value'] == 'hello-deps'"
expect_json "d['values']['function.runtime']['source'] == 'default'"
blambda config function.environment
expect_out "GREETING=hi there
PORT=8080"
blambda config function.source-paths
expect_out "src
resources"
blambda config function.role
expect_status 1
expect_err_has "'function.role' is not set"
blambda config --json function.timeout
expect_json "d == {'key': 'function.timeout', 'value': 30, 'source': 'file', 'origin': 'blambda.yml:7'}"

test_case "precedence: flag > BLAMBDA_* > blambda.yml > default"
BLAMBDA_MEMORY=2048 blambda config --json
expect_json "d['values']['function.memory'] == {'value': 2048, 'source': 'env', 'origin': 'BLAMBDA_MEMORY'}"
BLAMBDA_SOURCE_PATHS="a, b" blambda config function.source-paths
expect_out "a
b"
blambda --region us-east-2 config --json
expect_json "d['values']['aws.region'] == {'value': 'us-east-2', 'source': 'flag', 'origin': '--region'}"
blambda --profile work config aws.profile
expect_out "work"
blambda config --endpoint-url http://127.0.0.1:1 aws.endpoint-url
expect_out "http://127.0.0.1:1"
BLAMBDA_BABASHKA_URL=http://127.0.0.1:9/mirror blambda config babashka.mirror
expect_out "http://127.0.0.1:9/mirror"
blambda config
expect_out_lacks "BLAMBDA_" # nothing from the environment now
expect_status 0

test_case "the AWS settings in effect where blambda's leave them unset, with their origin"
mkdir -p "$TMP/bare"
AWS_REGION=eu-north-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 blambda -C "$TMP/bare" config
expect_status 0
expect_out_has "AWS_REGION (AWS settings)"
expect_out_has "AWS_ENDPOINT_URL (AWS settings)"
expect_out_lacks "aws.region                       -"
AWS_REGION=eu-north-1 blambda -C "$TMP/bare" config aws.region
expect_out "eu-north-1"
mkdir -p "$HOME/.aws"
printf '[profile dev]\nregion = ap-south-1\n' > "$HOME/.aws/config"
AWS_PROFILE=dev blambda -C "$TMP/bare" --json config
expect_json "d['values']['aws.region'] == {'value': 'ap-south-1', 'source': 'aws', 'origin': \"profile 'dev' in ~/.aws/config\"} and d['values']['aws.profile'] == {'value': 'dev', 'source': 'aws', 'origin': 'AWS_PROFILE'}"
AWS_PROFILE=dev AWS_REGION=eu-west-3 blambda -C "$TMP/bare" --region us-east-2 config aws.region
expect_out "us-east-2"
AWS_PROFILE=nope blambda -C "$TMP/bare" config aws.region
expect_status 1
expect_err_has "warning: the AWS settings in effect are not known: AWS profile 'nope' (from AWS_PROFILE) is not in"
rm -rf "$HOME/.aws"

test_case "environment values are checked like file values"
BLAMBDA_MEMORY=64 blambda config
expect_status 2
expect_err_has "BLAMBDA_MEMORY: memory must be between 128 and 10240, got 64"
BLAMBDA_ARCH=amd64 blambda config
expect_status 2
expect_err_has "BLAMBDA_ARCH: architecture must be one of x86_64, arm64, got 'amd64' (did you mean 'x86_64'?)"
blambda --region 'eu west' config
expect_status 2
expect_err_has "--region: region must look like 'eu-west-1', got 'eu west'"

test_case "-c names another file, which must exist"
printf 'function:\n  name: other\n' > other.yml
blambda -c other.yml config function.name
expect_out "other"
blambda --config missing.yml config
expect_status 2
expect_err_has "cannot read 'missing.yml'"

# bad_yml LINE...: writes the lines as blambda.yml and runs `blambda config`
bad_yml() { printf '%s\n' "$@" > blambda.yml; blambda config; }

test_case "unknown keys, with suggestions"
bad_yml "function:" "  name: hello" "  memroy: 512"
expect_status 2
expect_err_has "blambda.yml:3:3: unknown key 'memroy' (did you mean 'memory'?)"
expect_out_empty
bad_yml "memory: 512"
expect_status 2
expect_err_has "blambda.yml:1:1: unknown key 'memory' (did you mean 'function.memory'?)"
bad_yml "fucntion:" "  name: x"
expect_err_has "blambda.yml:1:1: unknown key 'fucntion' (did you mean 'function'?)"
bad_yml "zzz: 1"
expect_err_has "blambda.yml:1:1: unknown key 'zzz'"
expect_err_lacks "did you mean"

test_case "values out of range or of the wrong kind"
bad_yml "function:" "  name: hello" "  handler: hello/handler" "  timeout: 3" "" "" "  memory: 64"
expect_status 2
expect_err_has "blambda.yml:7:11: memory must be between 128 and 10240, got 64"
bad_yml "function:" "  timeout: 901"
expect_err_has "blambda.yml:2:12: timeout must be between 1 and 900, got 901"
bad_yml "function:" "  memory: lots"
expect_err_has "blambda.yml:2:11: memory must be a whole number, got 'lots'"
bad_yml "function:" "  architecture: aarch64"
expect_err_has "architecture must be one of x86_64, arm64, got 'aarch64' (did you mean 'arm64'?)"
bad_yml "function:" "  runtime: java21"
expect_err_has "runtime must be one of provided.al2023, provided.al2, got 'java21'"
bad_yml "function:" "  memory: [1, 2]"
expect_err_has "blambda.yml:2:11: memory must be a single value, got a list"
bad_yml "function:" "  environment: FOO"
expect_err_has "environment must be a map of names to values, got a single value"
bad_yml "function: hello"
expect_err_has "blambda.yml:1:11: function must be a map of settings, got a single value"
bad_yml "- a" "- b"
expect_err_has "blambda.yml:1:1: the top level must be a map of settings, got a list"

test_case "handler, function name and ARNs are checked"
bad_yml "function:" "  handler: hello"
expect_status 2
expect_err_has "blambda.yml:2:12: handler must be NAMESPACE/FUNCTION, like 'hello/handler', got 'hello'"
bad_yml "function:" "  handler: hello/"
expect_err_has "handler must be NAMESPACE/FUNCTION"
bad_yml "function:" "  name: my function"
expect_err_has "blambda.yml:2:9: function name 'my function' is not valid: Lambda allows 1 to 64 letters, digits, '-' and '_'"
bad_yml "function:" "  name: $(printf 'x%.0s' $(seq 65))"
expect_err_has "is not valid"
bad_yml "function:" "  role: my-role"
expect_err_has "role must be an IAM role ARN"
bad_yml "function:" "  layers:" "    - arn:aws:lambda:eu-west-1:123456789012:layer:ok:1" "    - not-an-arn"
expect_err_has "blambda.yml:4:7: layer must be a layer version ARN"
bad_yml "function:" "  environment:" "    AWS_REGION: x"
expect_err_has "blambda.yml:3:5: environment variable 'AWS_REGION' is reserved by Lambda"
bad_yml "function:" "  environment:" "    1BAD: x"
expect_err_has "environment variable name '1BAD' is not valid"
bad_yml "function:" "  tags:" "    aws:x: y"
expect_err_has "tag key 'aws:x' uses the prefix 'aws:'"
bad_yml "babashka:" "  version: latest"
expect_err_has "Babashka version must look like '1.13.219'"
bad_yml "babashka:" "  mirror: ftp://x"
expect_err_has "'ftp://x' is not an http:// or https:// URL"
bad_yml "aws:" "  s3-bucket: My_Bucket"
expect_err_has "S3 bucket name 'My_Bucket' is not valid"
big=$(printf 'x%.0s' $(seq 5000))
bad_yml "function:" "  environment:" "    BIG: $big"
expect_err_has "blambda.yml:3:5: environment holds 5003 bytes; Lambda allows 4 KB"

test_case "duplicate keys"
bad_yml "function:" "  memory: 256" "  memory: 512"
expect_status 2
expect_err_has "blambda.yml:3:3: duplicate key 'memory'"

test_case "YAML syntax errors name the line and column"
bad_yml "function:" "	name: hello"
expect_status 2
expect_err_has "blambda.yml:2:1: a tab: YAML does not allow tabs for indentation (indent with spaces)"
bad_yml "function:" "  name: hello" " memory: [1"
expect_status 2
expect_err_has "blambda.yml:"
expect_err_has "YAML syntax error"
bad_yml "function:" "  name: 'unterminated"
expect_status 2
expect_err_has "blambda.yml:3:1: YAML syntax error: found unexpected end of stream while scanning a quoted scalar (line 2)"
printf 'function:\n\tname: x\n' > blambda.yml
blambda config
expect_status 2
expect_err_has "blambda.yml:2:1: a tab: YAML does not allow tabs for indentation (indent with spaces)"

test_case "empty values keep the default, an empty file is fine"
bad_yml "function:" "  memory:" "  name: ~"
expect_status 0
blambda config function.memory
expect_out "512"
: > blambda.yml
blambda config function.memory
expect_status 0
expect_out "512"

test_case "a bad blambda.yml is reported by every command that reads it"
bad_yml "function:" "  memroy: 1"
blambda config function.name
expect_status 2
expect_err_has "unknown key 'memroy'"

test_case "unknown key asked of blambda config"
rm blambda.yml
blambda config function.memroy
expect_status 2
expect_err_has "unknown key 'function.memroy' (did you mean 'function.memory'?)"
blambda config memory
expect_status 2
expect_err_has "unknown key 'memory' (did you mean 'function.memory'?)"

test_case "functions: each function's values over the shared ones, with origins"
cat > blambda.yml <<'YML'
function:
  handler: shop/handler
  memory: 256
functions:
  shop-api:
    memory: 1024
  shop-worker:
    handler: shop.worker/handler
    timeout: 60
YML
blambda config
expect_status 0
expect_out_has "functions.shop-api.memory"
expect_out_has "blambda.yml:6"
expect_out_has "functions.shop-worker.handler"
blambda config functions.shop-api.memory
expect_out "1024"
blambda config functions.shop-worker.memory
expect_out "256"
blambda config functions.shop-worker.handler
expect_out "shop.worker/handler"
BLAMBDA_MEMORY=2048 blambda config functions.shop-api.memory
expect_out "2048"
blambda --json config
expect_json "d['functions']['shop-api']['function.memory'] == {'value': 1024, 'source': 'file', 'origin': 'blambda.yml:6'}"
expect_json "d['functions']['shop-worker']['function.name']['value'] == 'shop-worker' and d['values']['layers.deps']['value'] == 'shop-api-deps'"
blambda config functions.shop-apo.memory
expect_status 2
expect_err_has "there is no function 'shop-apo' under functions:"

test_case "functions: mistakes name the file and line"
bad_yml "functions:" "  api:" "    architecture: arm64"
blambda config
expect_status 2
expect_err_has "blambda.yml:3: architecture cannot be set for one function: the functions share one zip and their layers"
bad_yml "functions:" "  api:" "    name: other"
blambda config
expect_status 2
expect_err_has "blambda.yml:3: name cannot be set for one function: a function of functions: is named by its key"
bad_yml "function:" "  name: one" "functions:" "  api:"
blambda config
expect_status 2
expect_err_has "function.name names a single function"
bad_yml "functions:" "  api:" "    memroy: 5"
blambda config
expect_status 2
expect_err_has "blambda.yml:3:5: unknown key 'memroy' (did you mean 'memory'?)"
bad_yml "functions:" "  'bad name':"
blambda config
expect_status 2
expect_err_has "blambda.yml:2:3: function name 'bad name' is not valid"
bad_yml "functions:" "  api:" "  api:"
blambda config
expect_status 2
expect_err_has "blambda.yml:3:3: duplicate function 'api'"
bad_yml "functions: [a, b]"
blambda config
expect_status 2
expect_err_has "functions must be a map of function names to their settings, got a list"

test_case "a blambda.yml nested thousands deep or of megabytes is refused at once"
python3 -c "print('function:\n  name: ' + '[' * 200000 + ']' * 200000)" > blambda.yml
run timeout 5 "$BLAMBDA" config
expect_status 2
expect_err_has "blambda.yml:2:39: nested more than 32 levels deep"
python3 -c "print('function: ' + '{a: ' * 50000 + '}' * 50000)" > blambda.yml
run timeout 5 "$BLAMBDA" config
expect_status 2
expect_err_has "nested more than 32 levels deep"
head -c 2000000 /dev/zero | tr '\0' '#' > blambda.yml
blambda config
expect_status 2
expect_err_has "'blambda.yml' is larger than 1024 KB"
run timeout 5 "$BLAMBDA" -c /dev/zero config
expect_status 2
expect_err_has "'/dev/zero' is larger than 1024 KB"
rm blambda.yml

test_case "a configuration from a pipe"
run bash -c "printf 'function:\n  memory: 640\n' | '$BLAMBDA' -c /dev/stdin config function.memory"
expect_status 0
expect_out "640"

test_case "a region is checked whatever its source, before it goes into a host name"
# an endpoint is https://SERVICE.REGION.amazonaws.com: a region like this one would send the request elsewhere
mkdir -p "$TMP/regions" "$HOME/.aws" && cd "$TMP/regions" || exit 1
printf 'function:\n  name: hello\n  handler: hello/handler\n' > blambda.yml
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
evil='evil.example/x?'
AWS_REGION="$evil" blambda logs
expect_status 2
expect_err_has "AWS_REGION: region must look like 'eu-west-1', got '$evil'"
AWS_DEFAULT_REGION="$evil" blambda logs
expect_status 2
expect_err_has "AWS_DEFAULT_REGION: region must look like 'eu-west-1', got '$evil'"
blambda --region "$evil" logs
expect_status 2
expect_err_has "--region: region must look like 'eu-west-1', got '$evil'"
printf '[default]\nregion = %s\n' "$evil" > "$HOME/.aws/config"
blambda logs
expect_status 2
expect_err_has "profile 'default' in ~/.aws/config: region must look like 'eu-west-1', got '$evil'"
# an escape sequence in it is not written to the terminal
printf '[profile p]\nregion = us-east-1\033[31m\n' > "$HOME/.aws/config"
AWS_PROFILE=p blambda logs
expect_status 2
expect_err_has "got 'us-east-1?[31m'"
rm "$HOME/.aws/config"
BLAMBDA_REGIONS="$evil" blambda deploy --dry-run
expect_status 2
expect_err_has "BLAMBDA_REGIONS: region must look like 'eu-west-1', got '$evil'"
printf 'function:\n  name: hello\n  handler: hello/handler\naws:\n  region: %s\n' "$evil" > blambda.yml
blambda logs
expect_status 2
expect_err_has "blambda.yml:5:11: region must look like 'eu-west-1', got '$evil'"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

finish
