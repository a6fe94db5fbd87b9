#!/usr/bin/env bash
# The long form of the suite's ThreadSanitizer test (ctest -L tsan, test_engine_reload_tsan,
# which instruments only the sources that run concurrently): builds ALL of riskkit and the
# engine tests with -fsanitize=thread into build-tsan/ and runs the hot-reload stress test
# (threads decide while another reloads alternating bundle versions) for many more rounds,
# and the engine's reload tests. Any data race fails the run (halt_on_error).
# docs/audit.md ("Hot reload") says what is checked.
#
#   scripts/tsan.sh                              # configure, build, run (600 reload rounds)
#   RISKKIT_RELOAD_ROUNDS=5000 scripts/tsan.sh   # longer stress
#   BUILD_DIR=/tmp/tsan scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build-tsan}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
ninja -C "$build" -j "$(nproc)" test_engine_reload test_engine
export RISKKIT_PSEUDONYM_KEY="${RISKKIT_PSEUDONYM_KEY:-000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f}"
export RISKKIT_RELOAD_ROUNDS="${RISKKIT_RELOAD_ROUNDS:-600}"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
cd tests
"../$build/bin/test_engine_reload"
"../$build/bin/test_engine" --test-case='*reload*'
