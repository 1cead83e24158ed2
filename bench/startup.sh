#!/bin/bash
# How fast blambda answers --help and a misspelt option, against `aws --version`
# (the AWS CLI, the tool blambda users would otherwise reach for) measured in
# the same run. Prints mean milliseconds per run and the ratio.
#
#   bench/startup.sh [BLAMBDA] [RUNS]
set -euo pipefail
BLAMBDA=${1:-build/blambda}
RUNS=${2:-200}

# mean_ms RUNS CMD...: mean wall time of one run of CMD, in milliseconds
mean_ms() {
	local n=$1
	shift
	python3 - "$n" "$@" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
devnull = subprocess.DEVNULL
subprocess.run(cmd, stdout=devnull, stderr=devnull)  # warm the page cache
t = time.perf_counter()
for _ in range(n):
    subprocess.run(cmd, stdout=devnull, stderr=devnull)
print(f"{(time.perf_counter() - t) * 1000 / n:.3f}")
PY
}

help_ms=$(mean_ms "$RUNS" "$BLAMBDA" --help)
typo_ms=$(mean_ms "$RUNS" "$BLAMBDA" config --dryrun)
true_ms=$(mean_ms "$RUNS" /bin/true)
if command -v aws >/dev/null; then
	aws_ms=$(mean_ms 10 aws --version)
else
	aws_ms=
fi
echo "process start (/bin/true):   ${true_ms} ms"
echo "blambda --help:              ${help_ms} ms"
echo "blambda config --dryrun:     ${typo_ms} ms"
if [ -n "$aws_ms" ]; then
	echo "aws --version:               ${aws_ms} ms"
	python3 -c "print(f'aws --version / blambda --help: {$aws_ms / $help_ms:.0f}x')"
fi
