#!/usr/bin/env bash
# The engine's concurrency tests under ThreadSanitizer: builds riskkit and the tests with
# -fsanitize=thread into build-tsan/ and runs the hot-reload stress test (threads decide
# while another reloads alternating bundle versions) and the engine tests. Any data race
# fails the run (halt_on_error). docs/audit.md ("Hot reload") says what is checked.
#
#   scripts/tsan.sh            # configure, build, run
#   BUILD_DIR=/tmp/tsan scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build-tsan}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
ninja -C "$build" -j "$(nproc)" test_engine_reload test_engine
export RISKKIT_PSEUDONYM_KEY="${RISKKIT_PSEUDONYM_KEY:-000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f}"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
cd tests
"../$build/bin/test_engine_reload"
"../$build/bin/test_engine" --test-case='*reload*'
