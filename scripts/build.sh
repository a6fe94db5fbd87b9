#!/usr/bin/env bash
# Builds the library, the CLI, tests, examples and benchmarks into build/, and installs
# the Python package into .venv (pip install ., built by scikit-build-core).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
[ -f build/CMakeCache.txt ] || cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
if [ "${RK_SKIP_PYTHON:-0}" != 1 ]; then
  echo "build: installing the Python package into .venv" >&2
  CMAKE_BUILD_PARALLEL_LEVEL=$jobs .venv/bin/python -m pip install -q --no-build-isolation .
fi
