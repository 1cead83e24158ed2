# Helpers the benchmarks share: source it after `cd` to the repository.

# wait_for FILE SECONDS PID LOG: until the helper server PID writes FILE (a
# port, a key). Gives up when SECONDS pass or the server dies, printing the
# server's LOG, so a server that cannot start never hangs a benchmark.
wait_for() {
	local file=$1 limit=$2 pid=$3 log=$4 i
	for i in $(seq 1 $((limit * 20))); do
		[ -s "$file" ] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench: the helper server (pid $pid) exited before writing $file; its log:" >&2
			cat "$log" >&2
			exit 1
		fi
		sleep 0.05
	done
	echo "bench: no $file after $limit s; the helper server's log:" >&2
	cat "$log" >&2
	exit 1
}
