#!/bin/bash
# The whole test suite, as CI runs it: a gcc build with warnings as errors,
# then a clang build with AddressSanitizer and UndefinedBehaviorSanitizer,
# each running every test under ctest; then every libFuzzer harness of
# tests/fuzz for a bounded time (FUZZ_SECONDS, default 20) each.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== gcc, -Werror"
CC=gcc cmake -S . -B build -DBLAMBDA_WERROR=ON -DBLAMBDA_SANITIZE=OFF
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== clang, -Werror, ASan + UBSan"
CC=clang cmake -S . -B build-asan -DBLAMBDA_WERROR=ON -DBLAMBDA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== clang, libFuzzer, ${FUZZ_SECONDS:-20} s a harness"
CC=clang cmake -S . -B build-fuzz -DBLAMBDA_WERROR=ON -DBLAMBDA_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-fuzz -j"$jobs" --target fuzz
tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-20}"
