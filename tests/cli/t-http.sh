#!/bin/bash
# http routes (function.events) against moto (every SigV4 signature checked,
# every request logged): the project's HTTP API with its $default stage, the
# function's Lambda proxy integration, its routes and the permission scoped
# to the API, checked through the AWS CLI; nothing written when nothing
# changed; a route that leaves blambda.yml goes and nothing else does; an API
# or a route that blambda did not make is never touched; destroy takes away
# what blambda made and leaves what others did.
. "$(dirname "$0")/lib.sh"

deploy_setup

fn_add() {
	python3 -c 'import sys; t = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("  source-paths: [src]\n", "  source-paths: [src]\n" + sys.argv[1], 1))' "$1"
}
FN_ARN=arn:aws:lambda:eu-west-1:123456789012:function:hello
cp blambda.yml "$TMP/plain.yml"
fn_add $'  events:\n    - http: GET /hello/{name}\n    - http:\n        method: post\n        path: /orders\n    - http: ANY /{proxy+}\n'
cp blambda.yml "$TMP/three.yml"

# the project's API, as moto has it: $API_ID
api_of() {
	API_ID=$(aws apigatewayv2 get-apis --query "Items[?Tags.\"blambda:http-api\"=='$1'].ApiId" --output text)
}
# the routes of API $1 as "KEY -> TARGET" lines, sorted
routes_of() {
	aws apigatewayv2 get-routes --api-id "$1" --query 'Items[].[RouteKey,Target]' --output text | sort
}

test_case "--dry-run: the API and the function's routes are steps of the plan, no write call"
mark
blambda deploy --dry-run
expect_status 0
expect_out_has "would create HTTP API 'hello' (it does not exist yet)"
expect_out_has "would create http routes of function 'hello' (GET /hello/{name} added, POST /orders added, ANY /{proxy+} added)"
expect_writes ""

test_case "deploy: the API, its stage, the integration, the routes and the permission"
blambda deploy --json
expect_status 0
expect_json "d['ok'] and d['http_apis'][0]['url'].startswith('https://') and d['http_apis'][0]['url'].endswith('.execute-api.eu-west-1.amazonaws.com') and d['routes'][0]['routes'] == ['GET /hello/{name}', 'POST /orders', 'ANY /{proxy+}']"
URL=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["http_apis"][0]["url"])')
api_of hello
[ -n "$API_ID" ] && pass || fail "no API tagged for 'hello'"
awsq apigatewayv2 get-api --api-id "$API_ID"
expect_json "d['Name'] == 'hello' and d['ProtocolType'] == 'HTTP' and d['Tags'] == {'blambda:managed-by': 'blambda', 'blambda:http-api': 'hello'} and 'CorsConfiguration' not in d"
awsq apigatewayv2 get-stages --api-id "$API_ID"
expect_json "[(s['StageName'], s.get('AutoDeploy')) for s in d['Items']] == [('\$default', True)]"
awsq apigatewayv2 get-integrations --api-id "$API_ID"
expect_json "len(d['Items']) == 1 and d['Items'][0]['IntegrationType'] == 'AWS_PROXY' and d['Items'][0]['IntegrationUri'] == '$FN_ARN' and d['Items'][0]['PayloadFormatVersion'] == '2.0'"
INTEG=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Items"][0]["IntegrationId"])')
got=$(routes_of "$API_ID" | tr '\t' ' ' | tr '\n' ';')
[ "$got" = "ANY /{proxy+} integrations/$INTEG;GET /hello/{name} integrations/$INTEG;POST /orders integrations/$INTEG;" ] && pass || fail "routes: $got"
awsq lambda get-policy --function-name hello
expect_json "[(s['Sid'], s['Principal']['Service'], s['Condition']['ArnLike']['AWS:SourceArn']) for s in json.loads(d['Policy'])['Statement']] == [('blambda-http-$API_ID', 'apigateway.amazonaws.com', 'arn:aws:execute-api:eu-west-1:123456789012:$API_ID/*/*')]"
awsq lambda list-tags --resource "$FN_ARN"
expect_json "d['Tags'].get('blambda:http-api') == 'hello'"
blambda deploy
expect_out_has "HTTP API 'hello': unchanged"
expect_out_has "  $URL"
expect_out_has "http routes of function 'hello': unchanged (3 routes on HTTP API 'hello')"

test_case "status: the API's URL and the function's routes"
blambda status
expect_status 0
expect_out_has "  http: $URL (GET /hello/{name}, POST /orders, ANY /{proxy+})"
blambda status --json
expect_json "d['regions'][0]['functions'][0]['http_api_url'] == '$URL'"

test_case "a deploy with nothing changed makes no write call"
mark
blambda deploy --json
expect_status 0
expect_json "d['up_to_date']"
expect_writes ""

test_case "a route gone from blambda.yml: that route goes, and nothing else is written"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - http: GET /hello/{name}\n    - http: ANY /{proxy+}\n'
blambda diff
expect_status 1
expect_out_has "http routes of function 'hello':"
expect_out_has "  POST /orders removed"
mark
blambda deploy
expect_status 0
expect_out_has "http routes of function 'hello': updated (POST /orders removed)"
ROUTE_POST=$(writes | grep -c "DELETE /v2/apis/$API_ID/routes/")
[ "$(writes | wc -l)" -eq 1 ] && [ "$ROUTE_POST" -eq 1 ] && pass || fail "writes: $(writes)"
got=$(routes_of "$API_ID" | cut -f1 | tr '\n' ';')
[ "$got" = "ANY /{proxy+};GET /hello/{name};" ] && pass || fail "routes: $got"

test_case "http-api.cors: set on the API with one write, and taken off when it goes"
printf 'http-api:\n  cors:\n    allow-origins: [https://example.com]\n    allow-methods: [GET, POST]\n    max-age: 300\n' >> blambda.yml
mark
blambda deploy
expect_status 0
expect_out_has "HTTP API 'hello': updated (cors added)"
expect_writes "PATCH /v2/apis/$API_ID;"
awsq apigatewayv2 get-api --api-id "$API_ID"
expect_json "d['CorsConfiguration']['AllowOrigins'] == ['https://example.com'] and d['CorsConfiguration']['AllowMethods'] == ['GET', 'POST'] and d['CorsConfiguration']['MaxAge'] == 300"
sed -i 's#max-age: 300#max-age: 600#; s#allow-methods: \[GET, POST\]#allow-methods: [GET]#' blambda.yml
blambda diff
expect_status 1
expect_out_has "  cors allow-methods GET POST -> GET"
expect_out_has "  cors max-age 300 -> 600"
sed -i 's#max-age: 600#max-age: 300#; s#allow-methods: \[GET\]#allow-methods: [GET, POST]#' blambda.yml
mark
blambda deploy --json
expect_json "d['up_to_date']"
expect_writes ""

test_case "a route of the API that someone else made is left alone, and one of theirs on a wanted key is refused"
aws lambda create-function --function-name theirs --runtime provided.al2023 --handler x --role arn:aws:iam::123456789012:role/theirs-role --zip-file fileb://target/function.zip > /dev/null 2>&1 ||
	aws iam create-role --role-name theirs-role --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' > /dev/null &&
	aws lambda create-function --function-name theirs --runtime provided.al2023 --handler x --role arn:aws:iam::123456789012:role/theirs-role --zip-file fileb://target/function.zip > /dev/null
THEIR_INTEG=$(aws apigatewayv2 create-integration --api-id "$API_ID" --integration-type AWS_PROXY --integration-uri arn:aws:lambda:eu-west-1:123456789012:function:theirs --payload-format-version 2.0 --query IntegrationId --output text)
aws apigatewayv2 create-route --api-id "$API_ID" --route-key "GET /theirs" --target "integrations/$THEIR_INTEG" > /dev/null
mark
blambda deploy --json
expect_status 0
expect_json "d['up_to_date']"
expect_writes ""
cp blambda.yml "$TMP/cors.yml"
python3 -c 't = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("    - http: ANY /{proxy+}\n", "    - http: ANY /{proxy+}\n    - http: GET /theirs\n", 1))'
mark
blambda deploy
expect_status 1
expect_err_has "cannot route GET /theirs to function 'hello': route 'GET /theirs' of HTTP API 'hello' goes to integrations/$THEIR_INTEG, not to function 'hello'"
expect_writes ""
cp "$TMP/cors.yml" blambda.yml

test_case "an API of the same name that blambda did not make is never used; a renamed API takes the routes"
OTHER_ID=$(aws apigatewayv2 create-api --name shop --protocol-type HTTP --query ApiId --output text)
printf 'http-api:\n  name: shop\n' > "$TMP/name.yml"
python3 -c 't = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("http-api:\n", open("'"$TMP"'/name.yml").read(), 1))'
blambda deploy --dry-run
expect_status 0
expect_out_has "would create HTTP API 'shop' (it does not exist yet, API $OTHER_ID of that name is not blambda's: it is left alone)"
expect_out_has "would delete http routes of function 'hello' (moved to HTTP API 'shop' (http-api.name), at another URL, HTTP API 'hello' goes too once nothing else is on it)"
blambda deploy --json
expect_status 0
NEW_ID=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["http_apis"][0]["id"])')
[ -n "$NEW_ID" ] && [ "$NEW_ID" != "$OTHER_ID" ] && [ "$NEW_ID" != "$API_ID" ] && pass || fail "new API id '$NEW_ID'"
got=$(routes_of "$OTHER_ID" | tr '\n' ';')
[ -z "$got" ] && pass || fail "their API got routes: $got"
awsq apigatewayv2 get-api --api-id "$OTHER_ID"
expect_json "d['Name'] == 'shop' and not d.get('Tags')"
got=$(routes_of "$NEW_ID" | cut -f1 | tr '\n' ';')
[ "$got" = "ANY /{proxy+};GET /hello/{name};" ] && pass || fail "routes on the new API: $got"
got=$(routes_of "$API_ID" | tr '\t' ' ' | tr '\n' ';')
[ "$got" = "GET /theirs integrations/$THEIR_INTEG;" ] && pass || fail "the old API keeps only their route: $got"
awsq lambda get-policy --function-name hello
expect_json "[s['Sid'] for s in json.loads(d['Policy'])['Statement']] == ['blambda-http-$NEW_ID']"
awsq lambda list-tags --resource "$FN_ARN"
expect_json "d['Tags'].get('blambda:http-api') == 'shop'"
API_ID=$NEW_ID

test_case "destroy: the routes, the integration and the API blambda made; theirs stay"
blambda destroy --dry-run
expect_status 0
expect_out_has "http routes of function 'hello'"
expect_out_has "HTTP API 'shop'"
blambda destroy --yes --json
expect_status 0
awsq apigatewayv2 get-apis
expect_json "sorted(a['Name'] for a in d['Items']) == ['hello', 'shop'] and [a['ApiId'] for a in d['Items'] if a['Name'] == 'shop'] == ['$OTHER_ID']"
got=$(routes_of "$(aws apigatewayv2 get-apis --query "Items[?Name=='hello'].ApiId" --output text)" | cut -f1 | tr '\n' ';')
[ "$got" = "GET /theirs;" ] && pass || fail "their route on the old API: $got"

test_case "an API with another function's integration stays at destroy"
cp "$TMP/three.yml" blambda.yml
blambda deploy --json
expect_status 0
api_of hello
aws apigatewayv2 create-integration --api-id "$API_ID" --integration-type AWS_PROXY --integration-uri arn:aws:lambda:eu-west-1:123456789012:function:theirs --payload-format-version 2.0 > /dev/null
blambda destroy --yes
expect_status 0
expect_out_has "HTTP API 'hello'"
expect_out_has "HTTP API 'hello': left alone, 2 other integrations stay on it"
awsq apigatewayv2 get-integrations --api-id "$API_ID"
expect_json "[i['IntegrationUri'] for i in d['Items']] == ['arn:aws:lambda:eu-west-1:123456789012:function:theirs'] * 2"
got=$(routes_of "$API_ID" | cut -f1 | tr '\n' ';')
[ "$got" = "GET /theirs;" ] && pass || fail "routes left: $got"

test_case "--event-template: a kind misspelt gets a did-you-mean"
blambda invoke --event-template htpp
expect_status 2
expect_err_has "did you mean 'http'?"

test_case "--event-template http: an API Gateway request for the function's first route"
blambda invoke --event-template http
expect_status 0
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["version"] == "2.0" and d["routeKey"] == "GET /hello/{name}" and d["rawPath"] == "/hello/name", d
assert d["requestContext"]["http"]["method"] == "GET" and d["requestContext"]["stage"] == "$default", d
assert d["pathParameters"] == {"name": "name"} and d["isBase64Encoded"] is False, d
assert d["requestContext"]["domainName"].endswith(".execute-api.eu-west-1.amazonaws.com"), d
' && pass || fail "the event: $out"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - http: ANY /files/{proxy+}\n'
blambda invoke --event-template http
expect_status 0
expect_json "d['rawPath'] == '/files/path/to/resource' and d['pathParameters'] == {'proxy': 'path/to/resource'} and d['requestContext']['http']['method'] == 'GET'"

test_case "a WebSocket API or a second API with blambda's tags is never used as the project's"
cp "$TMP/plain.yml" blambda.yml
fn_add $'  events:\n    - http: GET /ws\n'
printf 'http-api:\n  name: sockets\n' >> blambda.yml
WS_ID=$(aws apigatewayv2 create-api --name sockets --protocol-type WEBSOCKET --route-selection-expression '$request.body.action' --tags blambda:managed-by=blambda,blambda:http-api=sockets --query ApiId --output text)
blambda deploy --dry-run
expect_status 0
expect_out_has "would create HTTP API 'sockets' (it does not exist yet, API $WS_ID of that name is not blambda's: it is left alone)"
DUP_ID=$(aws apigatewayv2 create-api --name sockets --protocol-type HTTP --tags blambda:managed-by=blambda,blambda:http-api=sockets --query ApiId --output text)
DUP2_ID=$(aws apigatewayv2 create-api --name sockets --protocol-type HTTP --tags blambda:managed-by=blambda,blambda:http-api=sockets --query ApiId --output text)
mark
blambda deploy
expect_status 2
expect_err_has "cannot find HTTP API 'sockets': HTTP APIs $DUP_ID, $DUP2_ID all carry blambda's tags for 'sockets'"
expect_writes ""
aws apigatewayv2 delete-api --api-id "$DUP2_ID"
aws apigatewayv2 delete-api --api-id "$DUP_ID"

test_case "a route moved from one function of the project to another, in one deploy"
cp "$TMP/plain.yml" blambda.yml
sed -i '/^  name: hello$/d' blambda.yml
printf 'functions:\n  front:\n    events:\n      - http: GET /a\n      - http: GET /b\n  back:\n    events:\n      - http: GET /c\nhttp-api:\n  name: duo\n' >> blambda.yml
blambda deploy
expect_status 0
api_of duo
DUO_ID=$API_ID
sed -i 's#      - http: GET /b#      - http: GET /d#; s#      - http: GET /c#      - http: GET /b#' blambda.yml
blambda deploy --dry-run
expect_status 0
expect_out_has "would update http routes of function 'back' (GET /b moved from function 'front', GET /c removed)"
blambda deploy
expect_status 0
targets=$(aws apigatewayv2 get-integrations --api-id "$DUO_ID" --query 'Items[].[IntegrationId,IntegrationUri]' --output text)
got=$(routes_of "$DUO_ID" | while read -r key path target; do printf '%s %s %s;' "$key" "$path" "$(printf '%s\n' "$targets" | grep "^${target#integrations/}" | cut -f2 | sed 's/.*://')"; done)
[ "$got" = "GET /a front;GET /b back;GET /d front;" ] && pass || fail "routes: $got"

test_case "a second integration of the function (a create that was retried) is folded into one"
EXTRA=$(aws apigatewayv2 create-integration --api-id "$DUO_ID" --integration-type AWS_PROXY --integration-uri arn:aws:lambda:eu-west-1:123456789012:function:back --payload-format-version 2.0 --query IntegrationId --output text)
B_ROUTE=$(aws apigatewayv2 get-routes --api-id "$DUO_ID" --query "Items[?RouteKey=='GET /b'].RouteId" --output text)
aws apigatewayv2 delete-route --api-id "$DUO_ID" --route-id "$B_ROUTE"
aws apigatewayv2 create-route --api-id "$DUO_ID" --route-key "GET /b" --target "integrations/$EXTRA" > /dev/null
blambda deploy
expect_status 0
expect_out_has "http routes of function 'back': updated (1 more integration of the function removed)"
got=$(aws apigatewayv2 get-integrations --api-id "$DUO_ID" --query "length(Items[?IntegrationUri=='arn:aws:lambda:eu-west-1:123456789012:function:back'])" --output text)
[ "$got" = 1 ] && pass || fail "integrations of back: $got"
mark
blambda deploy --json
expect_json "d['up_to_date']"
expect_writes ""

test_case "a new function's route held by something else is refused before any write"
printf '  late:\n    events:\n      - http: GET /theirs\n' > "$TMP/late.yml"
python3 -c 't = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace("http-api:\n", open("'"$TMP"'/late.yml").read() + "http-api:\n", 1))'
aws apigatewayv2 create-route --api-id "$DUO_ID" --route-key "GET /theirs" --target "integrations/$THEIR_INTEG" > /dev/null
mark
blambda deploy
expect_status 1
expect_err_has "route 'GET /theirs' of HTTP API 'duo' goes to integrations/$THEIR_INTEG, not to function 'late'"
expect_writes ""
python3 -c 't = open("blambda.yml").read(); open("blambda.yml", "w").write(t.replace(open("'"$TMP"'/late.yml").read(), "", 1))'

test_case "routes all gone from blambda.yml: the API blambda made goes with them when nothing else is on it"
aws apigatewayv2 delete-route --api-id "$DUO_ID" --route-id "$(aws apigatewayv2 get-routes --api-id "$DUO_ID" --query "Items[?RouteKey=='GET /theirs'].RouteId" --output text)"
sed -i '/      - http: /d; /^    events:$/d; /^http-api:$/d; /^  name: duo$/d' blambda.yml
blambda deploy
expect_status 0
expect_out_has "HTTP API 'duo' goes too once nothing else is on it"
awsq apigatewayv2 get-apis
expect_json "'$DUO_ID' not in [a['ApiId'] for a in d['Items']]"
awsq lambda list-tags --resource arn:aws:lambda:eu-west-1:123456789012:function:back
expect_json "'blambda:http-api' not in d['Tags']"
blambda destroy --yes
expect_status 0

test_case "destroy keeps an API that holds a stage blambda did not make"
cp "$TMP/three.yml" blambda.yml
printf 'http-api:\n  name: staged\n' >> blambda.yml
blambda deploy
expect_status 0
api_of staged
aws apigatewayv2 create-stage --api-id "$API_ID" --stage-name prod > /dev/null
blambda destroy --yes --json
expect_status 0
expect_json "[(s['action'], s['reason'], s['api_id']) for s in d['steps'] if s['kind'] == 'HTTP API'] == [('keep', '1 stage blambda did not make stays on it', '$API_ID')]"
expect_json "[s.get('arn') for s in d['steps'] if s['kind'] == 'http routes of function'] == [None]"

test_case "bad routes are refused before any call, with the file and line"
bad() {
	cp "$TMP/plain.yml" blambda.yml
	fn_add "$1"
	mark
	blambda deploy
	expect_status 2
	expect_err_has "$2"
	expect_writes ""
}
bad $'  events:\n    - http: FETCH /x\n' "blambda.yml:11:13:"
bad $'  events:\n    - http: FETCH /x\n' "'FETCH' is not a method a route takes"
bad $'  events:\n    - http: GET x\n' "the path 'x' must begin with '/'"
bad $'  events:\n    - http: GET /a/{rest+}/b\n' "takes the rest of the path: it must come last"
bad $'  events:\n    - http: GET /a\n    - http: get /a\n' "route 'GET /a' is listed twice"
bad $'  events:\n    - http: {path: /a, verb: GET}\n' "unknown key 'verb' in an http route"
bad $'  events:\n    - http: GET\n' "'GET' is not a route: a method and a path"
bad $'  events:\n    - http: /hello\n' "'/hello' is not a route: it needs a method first, like 'ANY /hello' or 'GET /hello'"
bad $'  events:\n    - http: GET /hello/:name\n' "':name' in path '/hello/:name' is a parameter in Ring's way: API Gateway writes it '{name}'"
bad $'  events:\n    - http: GET /a b\n' "'a b' in path '/a b' holds a space, which a route cannot"
bad $'  events:\n    - http: GET /a\nhttp-api:\n  cors: {allow-origins: [example.com]}\n' "'example.com' is not an origin"
bad $'  events:\n    - http: GET /a\nhttp-api:\n  cors: {allow-origins: ["*"], allow-credentials: true}\n' "allow-credentials is true and allow-origins holds *: API Gateway refuses that"
bad $'  events:\n    - http: GET /a\nhttp-api:\n  cors: {allow-methods: [FETCH]}\n' "'FETCH' is not a method"
cp "$TMP/plain.yml" blambda.yml

finish
