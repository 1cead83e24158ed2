# Shared helpers for the end-to-end tests: source it, call `run` and the
# `expect_*` checks, end with `finish`. Like git's test-lib, a crash (a
# signal, or a sanitizer report) is always a failure, never an expected error.
set -u

: "${BLAMBDA:?BLAMBDA must name the blambda binary (ctest sets it)}"
: "${BLAMBDA_SOURCE_DIR:?}"
export AWS_EC2_METADATA_DISABLED=true
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}"
export NO_COLOR=
unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
for v in $(env | sed -n 's/^\(BLAMBDA_[A-Z_]*\)=.*/\1/p'); do
	case $v in BLAMBDA_SOURCE_DIR|BLAMBDA_BUILD_DIR) ;; *) unset "$v" ;; esac
done

# The Python that has moto (the machine's, possibly behind pyenv shims, which
# need the real HOME): resolved to an interpreter path before HOME changes.
for p in python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/python3 /usr/bin/python3; do
	PYTHON=$("$p" -c 'import sys, moto; print(sys.executable)' 2>/dev/null) && break
done
[ -n "${PYTHON:-}" ] || PYTHON=$(python3 -c 'import sys; print(sys.executable)')
python3() { "$PYTHON" "$@"; }

TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/blambda-$TEST_NAME.XXXXXX")
export HOME="$TMP/home"
mkdir -p "$HOME"
unset CI # a CI service sets it; a test that wants it sets it itself
trap 'cleanup_hooks; rm -rf "$TMP"' EXIT
CLEANUP=""
cleanup_hooks() { eval "$CLEANUP"; }
on_exit() { CLEANUP="$CLEANUP
$*"; }

passed=0
failed=0
current=""
out="" err="" status=0

# test_case "description": starts a new check group; failures name it
test_case() { current="$1"; }

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	printf 'FAIL: %s: %s\n' "$current" "$*" >&2
	if [ -n "$err" ]; then printf '  stderr was:\n%s\n' "$(printf '%s' "$err" | head -20 | sed 's/^/    /')" >&2; fi
}

# run CMD ARGS...: runs it, keeps stdout in $out, stderr in $err, the status in $status
run() {
	local o="$TMP/.out" e="$TMP/.err"
	"$@" >"$o" 2>"$e" </dev/null
	status=$?
	out=$(cat "$o")
	err=$(cat "$e")
	if [ $status -ge 128 ] || [ $status -eq 86 ] || [ $status -eq 87 ] ||
	   grep -q -e 'AddressSanitizer' -e 'LeakSanitizer' -e 'runtime error:' "$e"; then
		fail "crashed (status $status): $*"
	fi
}

# blambda ARGS...: run the binary under test
blambda() { run "$BLAMBDA" "$@"; }

expect_status() {
	if [ "$status" -eq "$1" ]; then pass; else fail "expected status $1, got $status"; fi
}
expect_out() {
	if [ "$out" = "$1" ]; then pass; else fail "expected stdout '$1', got '$out'"; fi
}
expect_out_has() {
	if printf '%s' "$out" | grep -qF -e "$1"; then pass; else fail "stdout lacks '$1'; it was: $(printf '%s' "$out" | head -30)"; fi
}
expect_out_lacks() {
	if printf '%s' "$out" | grep -qF -e "$1"; then fail "stdout has '$1'"; else pass; fi
}
expect_err_has() {
	if printf '%s' "$err" | grep -qF -e "$1"; then pass; else fail "stderr lacks '$1'"; fi
}
expect_err_lacks() {
	if printf '%s' "$err" | grep -qF -e "$1"; then fail "stderr has '$1'"; else pass; fi
}
expect_err_empty() {
	if [ -z "$err" ]; then pass; else fail "stderr not empty"; fi
}
expect_out_empty() {
	if [ -z "$out" ]; then pass; else fail "stdout not empty: $out"; fi
}
# expect_json PYTHON-EXPR: evaluates EXPR with `d` bound to stdout parsed as JSON
expect_json() {
	if printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" 2>/dev/null; then
		pass
	else
		fail "JSON check failed: $1; stdout was: $(printf '%s' "$out" | head -40)"
	fi
}
# expect_snake_keys: every key of the JSON on stdout is snake_case ([a-z][a-z0-9_]*), one naming for all
# commands; the contents of keys that hold the user's or AWS's own names (values, environment, tags, payload...) aside
# (and of the keys named as arguments)
expect_snake_keys() {
	local bad
	bad=$(printf '%s' "$out" | python3 -c '
import json, re, sys
theirs = {"values", "environment", "tags", "payload", "settings", "headers", "variables", "event", *sys.argv[1:]}
bad = []
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", k):
                bad.append(path + "." + k)
            if k not in theirs:
                walk(x, path + "." + k)
    elif isinstance(v, list):
        for x in v:
            walk(x, path + "[]")
text = sys.stdin.read()
try:
    docs = [json.loads(text)]
except ValueError:  # JSON lines (logs): one document a line
    docs = [json.loads(line) for line in text.splitlines() if line.strip()]
for d in docs:
    walk(d, "")
print(" ".join(bad))' "$@" 2>&1)
	if [ -z "$bad" ]; then pass; else fail "keys that are not snake_case: $bad; stdout was: $(printf '%s' "$out" | head -c 300)"; fi
}
expect_file() {
	if [ -e "$1" ]; then pass; else fail "missing file $1"; fi
}
expect_no_file() {
	if [ -e "$1" ]; then fail "file $1 should not exist"; else pass; fi
}

finish() {
	echo "$TEST_NAME: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

SERVERS="$BLAMBDA_SOURCE_DIR/tests/servers"

# wait_for_file FILE [SECONDS]: until FILE exists
wait_for_file() {
	local i
	for i in $(seq 1 $(( ${2:-30} * 10 ))); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# free_port: a TCP port of 127.0.0.1 nobody listens on now
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_local ARGS...: blambda local start --port 0 ARGS in the background, its log in $TMP/start.err;
# sets LOCAL_URL, LOCAL_PID. stop_local: SIGTERM to it; its exit status in $status
start_local() {
	rm -f "$TMP/start.out"
	"$BLAMBDA" local start --port 0 --json "$@" > "$TMP/start.out" 2> "$TMP/start.err" &
	LOCAL_PID=$!
	on_exit "kill $LOCAL_PID 2>/dev/null"
	wait_for_file "$TMP/start.out" 60 || { cat "$TMP/start.err" >&2; return 1; }
	LOCAL_URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint_url"])' "$TMP/start.out")
}
stop_local() {
	kill -TERM $LOCAL_PID
	wait $LOCAL_PID
	status=$?
}

# start_moto [REQUEST_LOG]: moto on loopback checking every SigV4 signature
# (tests/servers/moto_server.py); sets MOTO_URL, MOTO_AK, MOTO_SK. With
# REQUEST_LOG every request is logged there ("METHOD URI ACTION").
start_moto() {
	local port
	port=$(free_port)
	"$PYTHON" "$SERVERS/moto_server.py" "$port" "$TMP/moto.key" "$@" > "$TMP/moto.log" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	wait_for_file "$TMP/moto.key" 120 || { cat "$TMP/moto.log" >&2; exit 1; }
	MOTO_URL="http://127.0.0.1:$port"
	read -r MOTO_AK MOTO_SK < "$TMP/moto.key"
}

# aws_env URL: the AWS CLI and blambda both talk to URL (moto, or a proxy in
# front of it) in eu-west-1 with moto's key
aws_env() {
	export AWS_ACCESS_KEY_ID=$MOTO_AK AWS_SECRET_ACCESS_KEY=$MOTO_SK AWS_ENDPOINT_URL=$1
	export AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS_PAGER=
}

# deploy_setup [--proxy]: what the tests that deploy start from. A Babashka
# 9.9.9 release for x86_64 on a loopback mirror, fast retries and waits,
# moto logging to $REQUESTS (behind a fault proxy with --proxy: $PROXY_URL),
# and a new project 'hello' (Babashka 9.9.9) as the working directory.
deploy_setup() {
	export BLAMBDA_CACHE_DIR="$TMP/cache" BLAMBDA_RETRY_BASE_MS=20 BLAMBDA_WAIT_SCALE=0.01
	[ -d "$TMP/mirror/v9.9.9" ] || make_release "$TMP/mirror" 9.9.9 x86_64 || exit 1
	start_release_server "$TMP/mirror"
	export BLAMBDA_BABASHKA_URL=$RELEASE_URL
	REQUESTS="$TMP/requests.log"
	start_moto "$REQUESTS"
	if [ "${1:-}" = --proxy ]; then
		start_fault_proxy "$MOTO_URL"
		aws_env "$PROXY_URL"
	else
		aws_env "$MOTO_URL"
	fi
	cd "$TMP" || exit 1
	"$BLAMBDA" new-function hello --bb-version 9.9.9 -q > /dev/null || exit 1
	cd hello || exit 1
}

# awsq ARGS...: the AWS CLI, its answer in $out ("" when it fails, its complaint in $TMP/aws.err)
awsq() { out=$(aws "$@" 2>"$TMP/aws.err") || out=""; }
# mark: forget the requests logged so far; writes: the write calls logged since
# (not a GET or HEAD, nor a query API's Get*, List* or Describe* action)
mark() { : > "$REQUESTS"; }
writes() { grep -vE '^(GET|HEAD) ' "$REQUESTS" | grep -vE ' ([A-Za-z0-9_]+\.)?(Get|List|Describe)[A-Za-z]*$' || true; }
# expect_writes 'METHOD PATH;...': exactly these write calls since mark (queries left out)
expect_writes() {
	local got
	got=$(writes | awk '{ print $1, $2 }' | sed 's/?.*//' | tr '\n' ';')
	if [ "$got" = "$1" ]; then pass; else fail "expected write calls '$1', got '$got'"; fi
}

# start_fault_proxy UPSTREAM: a fault-injecting proxy in front of UPSTREAM; sets PROXY_URL.
# faults JSON: sets its rules (see tests/servers/fault_proxy.py)
start_fault_proxy() {
	rm -f "$TMP/proxy.port"
	"$PYTHON" "$SERVERS/fault_proxy.py" "$TMP/proxy.port" "$1" > "$TMP/proxy.log" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	wait_for_file "$TMP/proxy.port" 30 || { cat "$TMP/proxy.log" >&2; exit 1; }
	PROXY_URL="http://127.0.0.1:$(cat "$TMP/proxy.port")"
}
faults() {
	"$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/__fault/rules", data=sys.argv[2].encode(), method="POST")).read()' "$PROXY_URL" "$1"
}

# start_fake NAME ARGS...: a fake_aws.py server; sets FAKE_URL
start_fake() {
	local name=$1
	shift
	rm -f "$TMP/$name.port"
	"$PYTHON" "$SERVERS/fake_aws.py" "$TMP/$name.port" "$@" > "$TMP/$name.log" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	wait_for_file "$TMP/$name.port" 30 || { cat "$TMP/$name.log" >&2; exit 1; }
	FAKE_URL="http://127.0.0.1:$(cat "$TMP/$name.port")"
}

# make_release DIR VERSION [ARCH...]: a fake Babashka release under DIR, as
# the mirror layout has it. Its bb is a tiny static program for each arch
# (x86_64 by default), so the ELF checks pass; tests run the JVM stand-in
# through BLAMBDA_BB rather than this bb. RELEASE_BB_SOURCE names another C
# source for bb.
make_release() {
	local dir=$1 version=$2 arch asset cc work
	shift 2
	[ $# -gt 0 ] || set -- x86_64
	for arch in "$@"; do
		case $arch in
		x86_64) asset=amd64 cc=musl-gcc ;;
		arm64) asset=aarch64 cc=aarch64-linux-gnu-gcc ;;
		esac
		work=$(mktemp -d "$TMP/release.XXXXXX")
		if [ -n "${RELEASE_BB_SOURCE:-}" ]; then
			cp "$RELEASE_BB_SOURCE" "$work/bb.c"
		else
			printf 'int main(void) { return 0; }\n' > "$work/bb.c"
		fi
		$cc -static -Os -s -o "$work/bb" "$work/bb.c" || return 1
		mkdir -p "$dir/v$version"
		tar -C "$work" -czf "$dir/v$version/babashka-$version-linux-$asset-static.tar.gz" bb
		(cd "$dir/v$version" && sha256sum "babashka-$version-linux-$asset-static.tar.gz" > "babashka-$version-linux-$asset-static.tar.gz.sha256")
	done
}

# start_release_server DIR [ARGS...]: sets RELEASE_URL and RELEASE_PID
start_release_server() {
	local dir=$1 name="release-$RANDOM"
	shift
	"$PYTHON" "$SERVERS/release_server.py" "$TMP/$name.port" "$dir" "$@" > "$TMP/$name.log" 2>&1 &
	RELEASE_PID=$!
	on_exit "kill $RELEASE_PID 2>/dev/null"
	wait_for_file "$TMP/$name.port" 30 || { cat "$TMP/$name.log" >&2; exit 1; }
	RELEASE_URL="http://127.0.0.1:$(cat "$TMP/$name.port")"
}
