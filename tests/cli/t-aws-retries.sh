#!/bin/bash
# Retries and faults, against a fault-injecting loopback server standing in
# for STS: throttling and 5xx are retried with backoff, persistent failures
# end with a clear message, resets and stalls are retried, nothing hangs.
. "$(dirname "$0")/lib.sh"

export AWS_REGION=eu-west-1 AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=test-secret
export BLAMBDA_RETRY_BASE_MS=50 BLAMBDA_READ_TIMEOUT=1 BLAMBDA_CONNECT_TIMEOUT=2

# with_faults LIST: a fresh fault server whose POST / follows LIST
with_faults() {
	rm -f "$TMP/requests.log"
	start_fake "faults-$RANDOM" --faults "$1" --log "$TMP/requests.log"
	export AWS_ENDPOINT_URL_STS=$FAKE_URL
}
requests() { grep -c '^POST' "$TMP/requests.log" 2>/dev/null || echo 0; }
expect_requests() {
	local n
	n=$(requests)
	if [ "$n" -eq "$1" ]; then pass; else fail "expected $1 requests, the server saw $n"; fi
}

test_case "429 then 503 then success: succeeds on the third attempt"
with_faults 429,503,ok
blambda doctor -v
expect_status 0
expect_out_has "caller:       arn:aws:iam::123456789012:user/fake"
expect_err_has "(attempt 3 of 3)"
expect_err_has "retrying in"
expect_requests 3

test_case "a storm of 429s: the calls slow down and go through, beyond AWS_MAX_ATTEMPTS"
with_faults 429,429,429,429,429,ok
blambda doctor -v
expect_status 0
expect_err_has "waiting"
expect_err_has "AWS is throttling"
expect_requests 6

test_case "throttled for good: fails after 10 attempts, naming the throttling"
with_faults 429
blambda doctor
expect_status 3
expect_err_has "after 10 attempts"
expect_requests 10

test_case "persistent 500: fails after AWS_MAX_ATTEMPTS with the service's message"
with_faults 500
AWS_MAX_ATTEMPTS=4 blambda doctor
expect_status 3
expect_err_has "STS could not say who the credentials belong to: InternalFailure: injected 500 (request id fake-request-err) after 4 attempts"
expect_err_lacks "rejected the credentials"
expect_requests 4

test_case "a 400 is not retried"
with_faults 400
blambda doctor
expect_status 3
expect_err_has "ValidationError: injected 400"
expect_requests 1

test_case "connection reset: retried"
with_faults reset,ok
blambda doctor
expect_status 0
expect_requests 2

test_case "truncated answer: retried"
with_faults truncate,ok
blambda doctor
expect_status 0
expect_requests 2

test_case "stalled answers: retried, then a clear error, no hang"
with_faults stall
start=$(date +%s)
AWS_MAX_ATTEMPTS=2 blambda doctor
elapsed=$(( $(date +%s) - start ))
expect_status 4
expect_err_has "cannot reach '$FAKE_URL/'"
expect_err_has "(2 attempts)"
[ "$elapsed" -lt 20 ] && pass || fail "took ${elapsed}s"

test_case "Retry-After is honoured"
with_faults retry-after,ok
start=$(date +%s%N)
blambda doctor -v
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_status 0
expect_err_has "retrying in 1000 ms"
[ "$ms" -ge 1000 ] && pass || fail "retried after only ${ms} ms"

test_case "nothing listening: a clear network error, exit 4"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AWS_ENDPOINT_URL_STS=http://127.0.0.1:$port AWS_MAX_ATTEMPTS=2 blambda doctor
expect_status 4
expect_err_has "cannot reach 'http://127.0.0.1:$port/'"

test_case "AWS_MAX_ATTEMPTS=1 means no retries"
with_faults 503,ok
AWS_MAX_ATTEMPTS=1 blambda doctor
expect_status 3
expect_err_has "ServiceUnavailable"
expect_requests 1

test_case "AWS_MAX_ATTEMPTS as the AWS CLI takes it (any number); a bad network setting is an error naming it"
with_faults 503,503,ok
AWS_MAX_ATTEMPTS=25 blambda doctor
expect_status 0
expect_requests 3
with_faults ok
AWS_MAX_ATTEMPTS=99999999999999999999 blambda doctor
expect_status 0
for setting in AWS_MAX_ATTEMPTS=three BLAMBDA_CONNECT_TIMEOUT=0 BLAMBDA_READ_TIMEOUT=1m BLAMBDA_RETRY_BASE_MS=-5; do
	env "$setting" "$BLAMBDA" doctor > "$TMP/.out" 2> "$TMP/.err"
	status=$? err=$(cat "$TMP/.err")
	expect_status 2
	expect_err_has "blambda: error: ${setting%%=*}='${setting#*=}': expected a whole number"
done
BLAMBDA_CONNECT_TIMEOUT=0 blambda doctor --json
expect_json 'd["ok"] is False and any("BLAMBDA_CONNECT_TIMEOUT" in p for p in d["problems"])' 

test_case "an identity that would forge output lines is shown safely; an account not of twelve digits is refused"
with_faults hostile-identity
blambda doctor
expect_status 0
# one caller line, its line break and C1 control shown as '?', never raw
[ "$(printf '%s\n' "$out" | grep -c '^caller:')" = 1 ] && pass || fail "more than one caller line: $out"
expect_out_has "caller:       arn:aws:iam::123456789012:user/x??caller:       arn:aws:iam::999999999999:root?31m"
printf '%s' "$out" | LC_ALL=C grep -q $'\r\|\xc2\x9b' && fail "a control character reached the output" || pass
blambda doctor --json
expect_json 'd["identity"]["arn"].startswith("arn:aws:iam::123456789012:user/x\r\ncaller:")'
with_faults short-account
blambda doctor
expect_err_has "an account that is not twelve digits"
expect_out_lacks "account:"
[ "$status" -ne 0 ] && pass || fail "doctor succeeded with a bad account"

finish
