#!/usr/bin/env bash
# Long fuzz campaigns with libFuzzer + ASan/UBSan (clang). The test command runs only the
# short form (tests/fuzz/standalone_main.cpp). Usage:
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh fuzz_model_ubjson 600  # one target, 10 minutes
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v clang++ >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DRK_BUILD_LIBFUZZER=ON -DRK_BUILD_EXAMPLES=OFF -DRK_BUILD_BENCHMARKS=OFF -DRK_BUILD_CLI=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" >/dev/null
targets=("${1:-}")
[ -n "${targets[0]}" ] || mapfile -t targets < <(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
seconds=${2:-60}
for t in "${targets[@]}"; do
  cmake --build build-fuzz --target "$t"
  work=build-fuzz/corpus/$t
  mkdir -p "$work"
  echo "fuzz: $t for ${seconds}s" >&2
  seeds=("tests/fuzz/corpus/$t")
  case "$t" in fuzz_model_*) seeds+=(tests/data/models/malformed) ;; esac  # the malformed-model corpus
  build-fuzz/bin/"$t" -max_total_time="$seconds" -max_len=65536 "$work" "${seeds[@]}"
done
