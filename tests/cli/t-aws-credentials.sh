#!/bin/bash
# blambda doctor against moto (which checks every SigV4 signature), with each
# credential source, in a temporary HOME with loopback servers only.
. "$(dirname "$0")/lib.sh"

start_moto
cd "$TMP" || exit 1
export AWS_REGION=eu-west-1 AWS_ENDPOINT_URL_STS="$MOTO_URL"
export BLAMBDA_CACHE_DIR="$TMP/cache"
mkdir -p "$HOME/.aws"
: > "$HOME/.aws/config"

# no_secrets: stdout and stderr hold neither the secret key nor a session token
no_secrets() {
	case "$out$err" in
	*"$MOTO_SK"*) fail "the secret access key was printed" ;;
	*imds-session-token*|*test-token*|*sso-bearer*) fail "a token was printed" ;;
	*) pass ;;
	esac
}

test_case "environment keys: doctor succeeds and names the caller"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK blambda doctor
expect_status 0
expect_out_has "credentials:  the environment (AWS_ACCESS_KEY_ID)"
expect_out_has "account:      123456789012"
expect_out_has "caller:       arn:aws:iam::123456789012:user/tester"
expect_out_has "region:       eu-west-1 (AWS_REGION)"
expect_out_has "endpoint:     sts     $MOTO_URL (AWS_ENDPOINT_URL_STS)"
expect_out_has "cache:        $TMP/cache"
expect_out_has "access key:   ${MOTO_AK:0:4}…${MOTO_AK: -4}"
expect_out_lacks "$MOTO_AK"
no_secrets

test_case "-v and -vv trace requests without secrets"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_SESSION_TOKEN=sso-bearer-not-real blambda doctor -vv
expect_err_has "> POST $MOTO_URL/"
expect_err_has "> Authorization: [redacted]"
expect_err_has "> X-Amz-Security-Token: [redacted]"
no_secrets

test_case "a wrong secret: SignatureDoesNotMatch, exit 3"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=wrong-secret blambda doctor
expect_status 3
expect_err_has "AWS rejected the credentials: SignatureDoesNotMatch"
expect_err_has "hint: the secret access key does not match"

test_case "--json"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK blambda doctor --json
expect_status 0
expect_json "d['ok'] and d['identity']['account'] == '123456789012' and d['credentials']['source'] == 'env'"
expect_json "d['region'] == {'name': 'eu-west-1', 'origin': 'AWS_REGION'} and d['problems'] == []"
expect_json "d['endpoints']['sts'] == {'url': '$MOTO_URL', 'override': 'AWS_ENDPOINT_URL_STS'}"
expect_json "d['endpoints']['lambda']['override'] is None"
no_secrets

test_case "no credentials anywhere: a configuration error (exit 2) with a hint"
blambda doctor
expect_status 2
expect_err_has "no AWS credentials found"
expect_err_has "hint: set AWS_ACCESS_KEY_ID"
AWS_REGION=eu-west-1 blambda invoke hello
expect_status 2
expect_err_has "no AWS credentials found"
AWS_ACCESS_KEY_ID=AKIDEXAMPLE blambda doctor
expect_status 2
expect_err_has "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"

test_case "no region: exit 2 with a hint"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_REGION= blambda doctor
expect_status 2
expect_out_has "region:       not set"
expect_err_has "no AWS region is set"
expect_err_has "hint: set one with --region"

test_case "region precedence: --region > AWS_REGION > AWS_DEFAULT_REGION > profile > blambda.yml"
printf '[default]\nregion = ap-south-1\n' > "$HOME/.aws/config"
printf 'aws:\n  region: ca-central-1\n' > blambda.yml
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_DEFAULT_REGION=us-west-2 blambda doctor --region eu-north-1 --json
expect_json "d['region'] == {'name': 'eu-north-1', 'origin': '--region'}"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_DEFAULT_REGION=us-west-2 blambda doctor --json
expect_json "d['region']['origin'] == 'AWS_REGION'"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_REGION= AWS_DEFAULT_REGION=us-west-2 blambda doctor --json
expect_json "d['region'] == {'name': 'us-west-2', 'origin': 'AWS_DEFAULT_REGION'}"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_REGION= blambda doctor --json
expect_json "d['region'] == {'name': 'ap-south-1', 'origin': \"profile 'default' in ~/.aws/config\"}"
: > "$HOME/.aws/config"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_REGION= blambda doctor --json
expect_json "d['region'] == {'name': 'ca-central-1', 'origin': 'blambda.yml:2'}"
rm blambda.yml

test_case "a profile with static keys in the credentials file"
printf '[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$MOTO_AK" "$MOTO_SK" > "$HOME/.aws/credentials"
printf '[profile dev]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 10\n' > "$HOME/.aws/config"
blambda doctor --profile dev
expect_status 0
expect_out_has "profile:      dev (--profile)"
expect_out_has "credentials:  profile 'dev' in ~/.aws/credentials"
AWS_PROFILE=dev blambda doctor
expect_status 0
expect_out_has "profile:      dev (AWS_PROFILE)"

test_case "--profile wins over environment keys; AWS_PROFILE does not"
AWS_ACCESS_KEY_ID=AKIDWRONG AWS_SECRET_ACCESS_KEY=wrong blambda doctor --profile dev
expect_status 0
expect_out_has "profile 'dev'"
AWS_ACCESS_KEY_ID=AKIDWRONG AWS_SECRET_ACCESS_KEY=wrong AWS_PROFILE=dev blambda doctor
expect_status 3
expect_out_has "the environment"

test_case "a profile that does not exist is a clear error"
blambda doctor --profile nope
expect_status 2
expect_err_has "AWS profile 'nope' (from --profile) is not in '~/.aws/config' or '~/.aws/credentials'"

test_case "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"
mkdir -p alt
mv "$HOME/.aws/credentials" alt/creds
printf '[profile other]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$MOTO_AK" "$MOTO_SK" > alt/config
AWS_SHARED_CREDENTIALS_FILE=alt/creds blambda doctor --profile dev
expect_status 0
AWS_CONFIG_FILE=alt/config blambda doctor --profile other
expect_status 0
expect_out_has "profile 'other' in alt/config"
mv alt/creds "$HOME/.aws/credentials"

test_case "role_arn + source_profile: STS AssumeRole, cached until expiry"
cat > "$HOME/.aws/config" <<CFG
[profile deployer]
role_arn = arn:aws:iam::123456789012:role/deployer
source_profile = dev
role_session_name = blambda-test
CFG
blambda doctor --profile deployer
expect_status 0
expect_out_has "credentials:  role arn:aws:iam::123456789012:role/deployer (profile 'deployer' in ~/.aws/config)"
expect_out_has "caller:       arn:aws:sts::123456789012:assumed-role/deployer/blambda-test"
expect_out_has "expires:      "
expect_out_lacks "expires:      never"
cached=$(ls "$TMP/cache/sts/" 2>/dev/null | wc -l)
[ "$cached" -eq 1 ] && pass || fail "expected one cached STS answer, found $cached"
if [ "$(stat -c %a "$TMP"/cache/sts/*.json)" = 600 ]; then pass; else fail "the STS cache is readable by others"; fi
blambda doctor --profile deployer -v
expect_status 0
expect_err_has "using cached credentials"
no_secrets

test_case "role_arn with credential_source = Environment"
printf '[profile envrole]\nrole_arn = arn:aws:iam::123456789012:role/envrole\ncredential_source = Environment\n' > "$HOME/.aws/config"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK blambda doctor --profile envrole
expect_status 0
expect_out_has "assumed-role/envrole/"
printf '[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = dev\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n' > "$HOME/.aws/config"
blambda doctor --profile mfa
expect_status 2
expect_err_has "profile 'mfa' needs an MFA code (mfa_serial), which blambda cannot ask for"
printf '[profile bad]\nrole_arn = arn:aws:iam::123456789012:role/x\n' > "$HOME/.aws/config"
blambda doctor --profile bad
expect_status 2
expect_err_has "needs exactly one of source_profile and credential_source"

test_case "credential_process, run without a shell"
cat > "$TMP/cred proc.sh" <<SH
#!/bin/sh
[ "\$1" = "two words" ] || { echo "bad argument: \$1" >&2; exit 9; }
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' "$MOTO_AK" "$MOTO_SK"
SH
chmod +x "$TMP/cred proc.sh"
printf '[profile proc]\ncredential_process = "%s" "two words"\n' "$TMP/cred proc.sh" > "$HOME/.aws/config"
blambda doctor --profile proc
expect_status 0
expect_out_has "credentials:  credential_process of profile 'proc' in ~/.aws/config"
no_secrets
printf '[profile proc]\ncredential_process = "%s" other\n' "$TMP/cred proc.sh" > "$HOME/.aws/config"
blambda doctor --profile proc
expect_status 3
expect_err_has "credential_process of profile 'proc' failed (exit status 9)"
cat > "$TMP/expired.sh" <<SH
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "t", "Expiration": "2001-01-01T00:00:00Z"}\n' "$MOTO_AK" "$MOTO_SK"
SH
chmod +x "$TMP/expired.sh"
printf '[profile old]\ncredential_process = %s\n' "$TMP/expired.sh" > "$HOME/.aws/config"
blambda doctor --profile old
expect_status 3
expect_err_has "expired at 2001-01-01 00:00:00 UTC"
expect_err_has "hint: refresh them"

test_case "SSO (sso_session), token from ~/.aws/sso/cache, role credentials from the portal"
start_fake sso --creds "$TMP/moto.key" --token sso-bearer-secret
cat > "$HOME/.aws/config" <<CFG
[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Dev
CFG
mkdir -p "$HOME/.aws/sso/cache"
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
key=$(printf corp | sha1sum | cut -d' ' -f1)
printf '{"accessToken": "sso-bearer-secret", "expiresAt": "%s"}' "$future" > "$HOME/.aws/sso/cache/$key.json"
AWS_ENDPOINT_URL_SSO=$FAKE_URL blambda doctor --profile sso
expect_status 0
expect_out_has "credentials:  SSO (profile 'sso', role Dev in account 123456789012)"
expect_out_has "account:      123456789012"
no_secrets
AWS_ENDPOINT_URL_SSO=$FAKE_URL blambda doctor --profile legacy
expect_status 3
expect_err_has "there is no SSO login for it"
expect_err_has "hint: run 'aws sso login --profile legacy'"
key=$(printf https://legacy.awsapps.com/start | sha1sum | cut -d' ' -f1)
printf '{"accessToken": "sso-bearer-secret", "expiresAt": "2001-01-01T00:00:00UTC"}' > "$HOME/.aws/sso/cache/$key.json"
AWS_ENDPOINT_URL_SSO=$FAKE_URL blambda doctor --profile legacy
expect_status 3
expect_err_has "the SSO login for profile 'legacy' expired"
printf '{"accessToken": "wrong-token", "expiresAt": "%s"}' "$future" > "$HOME/.aws/sso/cache/$key.json"
AWS_ENDPOINT_URL_SSO=$FAKE_URL blambda doctor --profile legacy
expect_status 3
expect_err_has "the SSO portal refused to give credentials: UnauthorizedException"
: > "$HOME/.aws/config"

test_case "container credentials (FULL_URI + authorization token or token file)"
start_fake container --creds "$TMP/moto.key" --token container-secret
AWS_CONTAINER_CREDENTIALS_FULL_URI=$FAKE_URL/container-creds AWS_CONTAINER_AUTHORIZATION_TOKEN=container-secret blambda doctor
expect_status 0
expect_out_has "credentials:  the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)"
printf 'container-secret\n' > "$TMP/token"
AWS_CONTAINER_CREDENTIALS_FULL_URI=$FAKE_URL/container-creds AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$TMP/token blambda doctor -vv
expect_status 0
case "$err" in *container-secret*) fail "the container token was printed" ;; *) pass ;; esac
AWS_CONTAINER_CREDENTIALS_FULL_URI=$FAKE_URL/container-creds AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong blambda doctor
expect_status 3
expect_err_has "refused to give credentials"
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds blambda doctor
expect_status 3
expect_err_has "is neither https nor a loopback or container address"

test_case "credentials that expire within five minutes are fetched again before the next call"
mkdir -p "$TMP/refresh" && cd "$TMP/refresh" && "$BLAMBDA" new-function hello -q > /dev/null && cd hello || exit 1
# life:scale: how long the credentials last, and BLAMBDA_WAIT_SCALE (the once-a-minute floor, 60 µs at 0.000001)
for run in 3600:1 120:1 120:0.000001; do
	life=${run%:*} scale=${run#*:} tag=$(echo "$run" | tr ':.' '__')
	start_fake "soon$tag" --creds "$TMP/moto.key" --expires-in "$life" --log "$TMP/soon$tag.log"
	AWS_CONTAINER_CREDENTIALS_FULL_URI=$FAKE_URL/container-creds AWS_CONTAINER_AUTHORIZATION_TOKEN=test-token \
		BLAMBDA_WAIT_SCALE=$scale AWS_ENDPOINT_URL=$MOTO_URL blambda destroy --dry-run
	expect_status 0
	eval "fetches_$tag=\$(grep -c container-creds \"\$TMP/soon$tag.log\")"
done
[ "$fetches_3600_1" = 1 ] && pass || fail "credentials good for an hour were fetched $fetches_3600_1 times"
[ "$fetches_120_1" = 1 ] && pass || fail "credentials fetched again within a minute: $fetches_120_1 times"
[ "$fetches_120_0_000001" -ge 2 ] && pass || fail "credentials about to expire were fetched $fetches_120_0_000001 times"
cd "$TMP" || exit 1

test_case "EC2 instance metadata (IMDSv2) at AWS_EC2_METADATA_SERVICE_ENDPOINT"
start_fake imds --creds "$TMP/moto.key"
AWS_EC2_METADATA_DISABLED= AWS_EC2_METADATA_SERVICE_ENDPOINT=$FAKE_URL blambda doctor -v
expect_status 0
expect_out_has "credentials:  EC2 instance metadata (role 'test-role')"
expect_err_has "> PUT $FAKE_URL/latest/api/token"
no_secrets
grep -q "PUT /latest/api/token" "$TMP/imds.log" 2>/dev/null || true
AWS_EC2_METADATA_DISABLED=true AWS_EC2_METADATA_SERVICE_ENDPOINT=$FAKE_URL blambda doctor
expect_status 2
expect_err_has "no AWS credentials found"

test_case "a throttled call the caller tries once is tried once (the metadata token), not as throttling's ten"
start_fault_proxy "$FAKE_URL"
faults '[{"match": "PUT /latest/api/token", "times": 20, "status": 429, "body": "{}"}]'
AWS_EC2_METADATA_DISABLED= AWS_EC2_METADATA_SERVICE_ENDPOINT=$PROXY_URL blambda doctor
hits=$("$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/__fault/hits").read().decode())' "$PROXY_URL")
[ "$hits" = 1 ] && pass || fail "the token was asked for $hits times"

test_case "web identity from the environment (GitHub Actions, EKS): AssumeRoleWithWebIdentity, unsigned"
printf 'oidc-secret-token\n' > "$TMP/oidc-token"
export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/oidc-token" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci
AWS_ROLE_SESSION_NAME=gh-run blambda doctor -vv
expect_status 0
expect_out_has "credentials:  role arn:aws:iam::123456789012:role/ci with the web identity token in '$TMP/oidc-token' (AWS_WEB_IDENTITY_TOKEN_FILE)"
expect_out_has "caller:       arn:aws:sts::123456789012:assumed-role/ci/gh-run"
expect_err_has "bytes, not shown: they carry secrets]"
# the STS call before the credentials goes unsigned; the one after is signed
printf '%s' "$err" | sed '/credentials: role/q' | grep -q 'Authorization' && fail "AssumeRoleWithWebIdentity was signed" || pass
printf '%s' "$err" | sed '1,/credentials: role/d' | grep -q 'Authorization: \[redacted\]' && pass || fail "the next call was not signed"
case "$out$err" in *oidc-secret-token*) fail "the token was printed" ;; *) pass ;; esac
no_secrets
blambda doctor --json
expect_json "d['credentials']['source'] == 'web-identity'"

test_case "environment keys come before web identity"
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK blambda doctor
expect_out_has "credentials:  the environment (AWS_ACCESS_KEY_ID)"

test_case "the token file missing, a directory, empty; half of the pair: clear errors"
AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/nope blambda doctor
expect_status 3
expect_err_has "cannot read the web identity token file '$TMP/nope' (AWS_WEB_IDENTITY_TOKEN_FILE): No such file or directory"
AWS_WEB_IDENTITY_TOKEN_FILE=$TMP blambda doctor
expect_status 3
expect_err_has "the web identity token file '$TMP' (AWS_WEB_IDENTITY_TOKEN_FILE) is not a regular file"
mkfifo "$TMP/token-fifo"
AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/token-fifo run timeout 20 "$BLAMBDA" doctor
expect_status 3
expect_err_has "is not a regular file"
printf 'abc\0def' > "$TMP/nul-token"
AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/nul-token blambda doctor
expect_status 3
expect_err_has "holds a NUL byte: it is no token"
printf '\n' > "$TMP/empty-token"
AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/empty-token blambda doctor
expect_status 3
expect_err_has "the web identity token file '$TMP/empty-token' (AWS_WEB_IDENTITY_TOKEN_FILE) is empty"
AWS_ROLE_ARN= blambda doctor
expect_status 2
expect_err_has "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: web identity credentials need both"
unset AWS_WEB_IDENTITY_TOKEN_FILE
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK blambda doctor --profile nope 2>/dev/null
AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK blambda doctor
expect_status 0
expect_out_has "credentials:  the environment (AWS_ACCESS_KEY_ID)"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$MOTO_AK" "$MOTO_SK" > "$HOME/.aws/credentials"
blambda doctor
expect_status 0
expect_out_has "credentials:  profile 'default' in ~/.aws/credentials"
rm "$HOME/.aws/credentials"
unset AWS_ROLE_ARN

test_case "a refusal that echoes the request does not show the token"
start_fake echo --faults echo
AWS_ENDPOINT_URL_STS=$FAKE_URL AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/oidc-token AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci \
	blambda doctor -vv --json
expect_status 3
case "$out$err" in *oidc-secret-token*) fail "the token was printed" ;; *) pass ;; esac
AWS_ENDPOINT_URL_STS=$FAKE_URL AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/oidc-token AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci \
	blambda doctor
case "$out$err" in *oidc-secret-token*) fail "the token was printed" ;; *) pass ;; esac
expect_err_has "InvalidIdentityToken: the text of the answer is not shown: the call carried a secret"

test_case "web identity in a profile: role_arn + web_identity_token_file"
printf '[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/pod\nweb_identity_token_file = %s\nrole_session_name = pod-1\n' \
	"$TMP/oidc-token" > "$HOME/.aws/config"
blambda doctor --profile ci
expect_status 0
expect_out_has "credentials:  role arn:aws:iam::123456789012:role/pod with the web identity token in '$TMP/oidc-token' (profile 'ci' in ~/.aws/config)"
expect_out_has "caller:       arn:aws:sts::123456789012:assumed-role/pod/pod-1"
: > "$HOME/.aws/config"

test_case "endpoint precedence: --endpoint-url > AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL > profile > blambda.yml"
printf '[default]\nendpoint_url = http://127.0.0.1:9/profile\n' > "$HOME/.aws/config"
printf 'aws:\n  endpoint-url: http://127.0.0.1:9/yml\n' > blambda.yml
AWS_ENDPOINT_URL_STS= blambda doctor --json
expect_json "d['endpoints']['lambda'] == {'url': 'http://127.0.0.1:9/profile', 'override': \"the profile's endpoint_url\"}"
AWS_ENDPOINT_URL_STS= AWS_ENDPOINT_URL=http://127.0.0.1:9/env blambda doctor --json
expect_json "d['endpoints']['iam']['override'] == 'AWS_ENDPOINT_URL'"
blambda doctor --json --endpoint-url http://127.0.0.1:9/flag
expect_json "d['endpoints']['sts'] == {'url': 'http://127.0.0.1:9/flag', 'override': '--endpoint-url'}"
: > "$HOME/.aws/config"
AWS_ENDPOINT_URL_STS= blambda doctor --json
expect_json "d['endpoints']['s3'] == {'url': 'http://127.0.0.1:9/yml', 'override': 'blambda.yml:2'}"
AWS_ENDPOINT_URL_STS= AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true blambda doctor --json
expect_json "d['endpoints']['lambda'] == {'url': 'https://lambda.eu-west-1.amazonaws.com', 'override': None}"
expect_json "d['endpoints']['iam']['url'] == 'https://iam.amazonaws.com'"
rm blambda.yml

finish
