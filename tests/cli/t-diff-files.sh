#!/bin/bash
# diff --files: the deployed zip fetched from its code location and compared
# with the build entry by entry; the location's signature and the
# function's environment never printed; a hostile location or zip refused
# with a clear error. Against moto, through the fault proxy (which answers
# GetFunction with a doctored code location where a test asks).
. "$(dirname "$0")/lib.sh"

deploy_setup --proxy
"$BLAMBDA" deploy -q > "$TMP/deploy.out" 2>&1 || { cat "$TMP/deploy.out"; exit 1; }
aws lambda update-function-configuration --function-name hello \
	--environment '{"Variables": {"TOKEN": "env-value-not-shown"}}' > /dev/null

test_case "the code unchanged: nothing fetched, no differences"
blambda diff --files
expect_status 1 # the environment differs
expect_out_lacks "code differs"

test_case "a file changed and one added: one line each; the URL's signature and the environment never shown"
echo ';; edited' >> src/hello.clj
echo '{:a 1}' > src/extra.edn
blambda -vv diff --files
expect_status 1
case "$out" in *"  code differs from the build here
    + extra.edn
    ~ hello.clj"*) pass ;; *) fail "diff --files: $out" ;; esac
expect_err_has "?[query not shown: a secret]"
expect_err_lacks "presigned-secret"
expect_err_lacks "env-value-not-shown"
expect_out_lacks "env-value-not-shown"
blambda diff --files --json
expect_status 1
expect_json "d['regions'][0]['functions'][0]['files'] == {'added': ['extra.edn'], 'removed': [], 'changed': ['hello.clj']}"
[ -z "$(ls -A target | grep deployed)" ] && pass || fail "the fetched zip was left in target/: $(ls -A target)"

test_case "a file removed"
"$BLAMBDA" deploy -q > /dev/null 2>&1 || fail "deploy"
rm src/extra.edn
blambda diff --files
expect_status 1
expect_out_has "    - extra.edn"

# hostile code locations: GetFunction's real answer, with Code.Location (and CodeSha256) replaced
mkdir -p "$TMP/hostile"
start_release_server "$TMP/hostile"
HOSTILE_URL=$RELEASE_URL
aws lambda get-function --function-name hello --output json > "$TMP/real.json"
cat > "$TMP/doctor.py" <<'PY'
import base64, hashlib, json, sys
d = json.load(open(sys.argv[1]))
d["Code"] = {"RepositoryType": "S3", "Location": sys.argv[2]}
if sys.argv[3]:
    d["Configuration"]["CodeSha256"] = base64.b64encode(hashlib.sha256(open(sys.argv[3], "rb").read()).digest()).decode()
print(json.dumps([{"match": "GET /2015-03-31/functions/hello", "times": 1, "status": 200, "body": json.dumps(d),
                   "headers": {"Content-Type": "application/json"}}]))
PY
# doctor LOCATION [FILE]: GetFunction answers with this location once, and FILE's digest when given
doctor() { faults "$("$PYTHON" "$TMP/doctor.py" "$TMP/real.json" "$1" "${2:-}")"; }

test_case "a location that is not https, on another host: refused, nothing fetched"
for loc in "http://169.254.169.254/latest/meta-data/" "ftp://127.0.0.1/x" "https://user:pw@example.com/x" "file:///etc/passwd" \
	"http://[fd00:ec2::254]/latest/meta-data/" "http://127.0.0.1.evil.example/x" "http://[127.0.0.1/x"; do
	doctor "$loc"
	blambda diff --files
	expect_status 3 # not 1, which says "differs"
	expect_err_has "code location is not an https URL: it is not fetched"
	expect_err_lacks "169.254"
done

doctor "http://169.254.169.254/x"
blambda diff --files --json
expect_status 3
expect_json "d['regions'][0]['error'] == {'step': \"compare the files of function 'hello'\", 'code': 'CodeLocationRefused', 'message': \"Lambda's code location is not an https URL: it is not fetched\"}"

test_case "no location at all (a container image): said so"
doctor ""
blambda diff --files
expect_status 3
expect_err_has "Lambda gave no location to fetch the function's zip from"

test_case "a zip that is not the code Lambda reports: refused"
printf 'PK not really' > "$TMP/hostile/other.zip"
doctor "$HOSTILE_URL/other.zip"
blambda diff --files
expect_status 3
expect_err_has "is not the code Lambda reports (its SHA-256 differs)"

test_case "bytes that are not a zip, under their own digest: a clear error"
doctor "$HOSTILE_URL/other.zip" "$TMP/hostile/other.zip"
blambda diff --files
expect_status 3
expect_err_has "cannot read the deployed zip of function 'hello' as a zip"
expect_err_lacks ".deployed-"
[ -z "$(ls -A target | grep deployed)" ] && pass || fail "the fetched file was left in target/"

test_case "entry names that would steer the terminal are shown harmless"
"$PYTHON" - "$TMP/hostile/evil.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("evil\x1b]0;owned\x07\x1b[2J.clj", "x")
    z.writestr("../../etc/passwd", "y")
PY
doctor "$HOSTILE_URL/evil.zip" "$TMP/hostile/evil.zip"
blambda diff --files
expect_status 1
expect_out_has "]0;owned"
expect_out_has "    - ../../etc/passwd"
case "$out" in *$'\033'*) fail "an escape reached the terminal" ;; *) pass ;; esac

test_case "a location that answers 404, or more than BLAMBDA_MAX_DOWNLOAD_MB"
doctor "$HOSTILE_URL/missing.zip"
blambda diff --files
expect_status 3
expect_err_has "answered HTTP 404"
head -c 2200000 /dev/urandom > "$TMP/hostile/big.zip"
doctor "$HOSTILE_URL/big.zip" "$TMP/hostile/big.zip"
BLAMBDA_MAX_DOWNLOAD_MB=1 blambda diff --files
expect_status 4 # as a download cut short
expect_err_has "is larger than 1 MB"
[ -z "$(ls -A target | grep deployed)" ] && pass || fail "the download was left in target/"

finish
