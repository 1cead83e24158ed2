#!/bin/bash
# blambda logs against moto's CloudWatch Logs: events put with the AWS CLI
# printed oldest first, paginated, as text and as JSON lines; --follow
# printing later events once; a group that does not exist yet; bad --since.
. "$(dirname "$0")/lib.sh"

REQUESTS="$TMP/requests.log"
start_moto "$REQUESTS"
aws_env "$MOTO_URL"
export BLAMBDA_WAIT_SCALE=0.05
cd "$TMP" || exit 1
"$BLAMBDA" new-function hello -q > /dev/null || exit 1
cd hello || exit 1
GROUP=/aws/lambda/hello
now_ms() { date +%s%3N; }
# put STREAM MESSAGE...: one event a message, a millisecond apart, ending now
put() {
	local stream=$1 t i=0 events
	shift
	aws logs create-log-stream --log-group-name $GROUP --log-stream-name "$stream" 2>/dev/null
	t=$(( $(now_ms) - $# ))
	events=$(python3 -c 'import json,sys; t=int(sys.argv[1]); print(json.dumps([{"timestamp": t+i, "message": m} for i, m in enumerate(sys.argv[2:])]))' "$t" "$@")
	aws logs put-log-events --log-group-name $GROUP --log-stream-name "$stream" --log-events "$events" > /dev/null
}

test_case "a group that does not exist yet is said so, plainly, and is no error"
blambda logs
expect_status 0
expect_err_has "The log group '/aws/lambda/hello' does not exist yet"
expect_out_empty

test_case "events are printed oldest first, each with its time and stream"
aws logs create-log-group --log-group-name $GROUP
put 's1' 'START RequestId: 1 Version: $LATEST' 'Greeting Lambda' 'END RequestId: 1'
sleep 0.01
put 's2' 'START RequestId: 2 Version: $LATEST' $'REPORT RequestId: 2\tDuration: 1.00 ms\t'
blambda logs
expect_status 0
order=$(printf '%s\n' "$out" | awk '{print $3, $4}' | tr '\n' '|')
[ "$order" = 'START RequestId:|Greeting Lambda|END RequestId:|START RequestId:|REPORT RequestId:|' ] && pass || fail "order: $order"
expect_out_has " s1 Greeting Lambda"
printf '%s\n' "$out" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z s2 REPORT RequestId: 2	Duration: 1.00 ms	$' && pass || fail "the REPORT line: $out"
blambda logs --json
expect_status 0
printf '%s\n' "$out" | python3 -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin if l.strip()]
assert [e["message"] for e in ev][1] == "Greeting Lambda", ev
assert all(set(e) == {"timestamp", "time", "stream", "message", "id"} for e in ev), ev
assert [e["timestamp"] for e in ev] == sorted(e["timestamp"] for e in ev), ev
' && pass || fail "JSON lines: $out"

test_case "--since: older events are left out; bad values refused before any call"
blambda logs --since 1s
expect_status 0
sleep 1.2
blambda logs --since 1s
expect_out_empty
blambda logs --since "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)"
expect_out_has "Greeting Lambda"
: > "$REQUESTS"
blambda logs --since yesterday
expect_status 2
expect_err_has "--since takes a duration such as 10m"
[ ! -s "$REQUESTS" ] && pass || fail "a call was made"

test_case "many events come back through every page, in order"
python3 -c 'import json, time; t = int(time.time() * 1000) - 3600000; print(json.dumps([{"timestamp": t + i, "message": "event %05d" % i} for i in range(2500)]))' > "$TMP/many.json"
aws logs create-log-stream --log-group-name $GROUP --log-stream-name many
aws logs put-log-events --log-group-name $GROUP --log-stream-name many --log-events "file://$TMP/many.json" > /dev/null
blambda logs --since 2h
expect_status 0
n=$(printf '%s\n' "$out" | grep -c ' many event ')
[ "$n" = 2500 ] && pass || fail "$n of 2500 events"
printf '%s\n' "$out" | grep ' many event ' | awk '{print $4}' | sort -c && pass || fail "not in order"

test_case "--follow prints later events once, until interrupted"
"$BLAMBDA" logs --follow --since 5s > "$TMP/follow.out" 2> "$TMP/follow.err" &
follow=$!
sleep 1
put 's3' 'later one' 'later two'
sleep 1
put 's3' 'later three'
sleep 1
kill -TERM $follow
wait $follow
for m in 'later one' 'later two' 'later three'; do
	c=$(grep -c " s3 $m\$" "$TMP/follow.out")
	[ "$c" = 1 ] && pass || fail "'$m' printed $c times: $(cat "$TMP/follow.out" "$TMP/follow.err")"
done

test_case "a hostile CloudWatch Logs: pages that never end, odd events, escape sequences"
for mode in endless odd; do
	rm -f "$TMP/$mode.port"
	"$PYTHON" "$SERVERS/hostile_logs.py" "$TMP/$mode.port" $mode > /dev/null 2>&1 &
	on_exit "kill $! 2>/dev/null"
	wait_for_file "$TMP/$mode.port" 30 || exit 1
done
AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$TMP/endless.port")" blambda logs --since 2000d
expect_status 1
expect_err_has "pages of '/aws/lambda/hello' do not end (1000 read)"
AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$TMP/odd.port")" blambda logs --since 2000d
expect_status 0
[ "$(printf '%s\n' "$out" | grep -c .)" = 3 ] && pass || fail "expected the 3 plausible events: $out"
expect_out_has " s no id"
expect_out_lacks "no time"
expect_out_lacks "far future"
# on a terminal, nothing of it steers the terminal
tty_out=$(AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$TMP/odd.port")" script -qec "$BLAMBDA logs --since 2000d" /dev/null)
if printf '%s' "$tty_out" | LC_ALL=C grep -q $'\x1b\|\xc2\x9b\|\x07'; then fail "escape sequences reached the terminal: $(printf '%s' "$tty_out" | od -c | head)"; else pass; fi
printf '%s' "$tty_out" | grep -q 's?\[2J red ?\[31mtext?31m ?\]0;title?' && pass || fail "shown as: $tty_out"

test_case "AWS refuses: the code, the message and exit 3"
AWS_SECRET_ACCESS_KEY=wrong blambda logs
expect_status 3
expect_err_has "cannot read the log group '/aws/lambda/hello'"

finish
