#!/usr/bin/env bash
# Every test: set up, build, then the C++/C tests, examples, short fuzz runs and the
# hot-reload stress test under ThreadSanitizer (ctest; label tsan, long form scripts/tsan.sh)
# and the Python tests (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# A throwaway Redis for the velocity-store tests (RISKKIT_TEST_REDIS), stopped on exit.
eval "$(scripts/redis.sh start)"
trap 'scripts/redis.sh stop' EXIT
(cd build && ctest --output-on-failure -j "$(nproc)")
.venv/bin/python -m pytest -q tests/python
