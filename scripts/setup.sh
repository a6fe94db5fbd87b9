#!/usr/bin/env bash
# Installs everything riskkit needs on a fresh Debian 12 machine: the Debian packages for
# the C++ side, and a pinned Python virtual environment in .venv/. Idempotent and quick
# when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential pkg-config ninja-build libeigen3-dev libfmt-dev nlohmann-json3-dev doctest-dev
          libxgboost-dev libcli11-dev libbenchmark-dev libhiredis-dev redis-server libssl-dev
          python3-venv python3-dev
          openjdk-17-jre-headless)  # Java for pyspark's local mode in the Python tests
# CMake ≥ 3.25: Debian 12's is 3.25.1; keep a newer one if the machine already has it.
if ! command -v cmake >/dev/null || ! cmake -P /dev/stdin <<<'if(CMAKE_VERSION VERSION_LESS 3.25)
message(FATAL_ERROR old)
endif()' >/dev/null 2>&1; then
  packages+=(cmake)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  python3 -m venv .venv
fi
stamp=.venv/.riskkit-requirements
want=$(cat requirements-dev.txt requirements-nodeps.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned Python packages into .venv" >&2
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  .venv/bin/python -m pip install -q --no-deps -r requirements-nodeps.txt
  echo "$want" >"$stamp"
fi
